/// The personal code (code personnel): 8 to 13 ASCII digits, chosen by the assuré.
///
/// A string, never a number: leading zeros matter. Validated on bytes (SECURITY.md §5):
/// Arabic-Indic, full-width or superscript digits are refused, and a 14th digit is refused,
/// never cut off. Its description never shows the digits.
public struct PersonalCode: Sendable, Hashable, CustomStringConvertible {
    public let digits: String

    public static let lengths = 8...13

    public init(_ text: String) throws(DomainError) {
        try Self.checkDigits(text, field: "code personnel", lengths: Self.lengths)
        digits = text
    }

    public var description: String { "PersonalCode(••••)" }

    static func checkDigits(_ text: String, field: String, lengths: ClosedRange<Int>) throws(DomainError) {
        let bytes = text.utf8
        guard bytes.allSatisfy(ASCII.isDigit) else {
            throw .invalid(field: field, reason: "uniquement des chiffres de 0 à 9 (sans espace, lettre ni autre caractère)")
        }
        guard lengths.contains(bytes.count) else {
            let expected =
                lengths.lowerBound == lengths.upperBound
                ? "\(lengths.lowerBound) chiffres" : "de \(lengths.lowerBound) à \(lengths.upperBound) chiffres"
            let received = bytes.count > 99 ? "plus de 99" : String(bytes.count)
            throw .invalid(field: field, reason: "\(expected) attendus, \(received) saisi\(bytes.count > 1 ? "s" : "")")
        }
    }
}

/// The provisional code (code provisoire) sent by post: exactly 8 ASCII digits.
public struct ProvisionalCode: Sendable, Hashable, CustomStringConvertible {
    public let digits: String

    public static let length = 8

    public init(_ text: String) throws(DomainError) {
        try PersonalCode.checkDigits(text, field: "code provisoire", lengths: Self.length...Self.length)
        digits = text
    }

    /// A fresh code from a CSPRNG (`SystemRandomNumberGenerator`, documented as cryptographically secure).
    public static func random() -> ProvisionalCode {
        var generator = SystemRandomNumberGenerator()
        var text = ""
        for _ in 0..<length { text.append(Character(Unicode.Scalar(UInt8(0x30 + Int.random(in: 0...9, using: &generator))))) }
        return try! ProvisionalCode(text)
    }

    public var description: String { "ProvisionalCode(••••)" }
}
