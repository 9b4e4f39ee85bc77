/// The one home of French wording that more than one face prints: numbers, short months,
/// labels of statuses and kinds, the letters' signature. Amounts (`Cents.formatted`), rates,
/// dates and months keep their format on their own type; everything here builds on those.
public enum French {
    /// `1 234 567`, with a narrow no-break space (U+202F) between thousands.
    public static func number(_ value: some BinaryInteger) -> String {
        let digits = String(value.magnitude)
        var grouped = ""
        for (index, character) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { grouped.append("\u{202F}") }
            grouped.append(character)
        }
        return (value < 0 ? "-" : "") + grouped
    }

    /// `janv. 05`: the month of a chart's bar or a compact table (two-digit year).
    public static func shortMonth(_ month: Month) -> String {
        let year = month.year % 100
        return "\(shortMonthNames[month.month - 1]) \(year < 10 ? "0" : "")\(year)"
    }

    static let shortMonthNames = [
        "janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc.",
    ]

    /// `n courrier` / `n courriers`, the number grouped.
    public static func count(_ value: Int, _ singular: String, _ plural: String? = nil) -> String {
        "\(number(value)) \(value > 1 ? plural ?? singular + "s" : singular)"
    }

    /// The signature closing every letter and e-mail to an assuré.
    public static let signature = "Votre caisse d'assurance maladie"

    /// Lowercase hexadecimal of a digest (SHA-256 and the like).
    public static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}

extension Letter.Kind {
    public var french: String {
        switch self {
        case .provisionalCode: "code provisoire"
        case .monthlyStatement: "relevé mensuel"
        case .duplicata: "duplicata"
        case .cancellation: "confirmation de résiliation"
        }
    }
}

extension Letter.Status {
    /// The status as the assuré and the operator read it.
    public var french: String {
        switch self {
        case .pending: "en attente"
        case .printed: "imprimé"
        case .posted: "posté"
        }
    }
}
