/// Byte-level helpers: every identifier and code is validated on its UTF-8 bytes, because
/// `Character.isNumber` accepts Arabic-Indic, full-width and superscript digits (SECURITY.md §5).
enum ASCII {
    static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    static func digitValue(_ byte: UInt8) -> Int { Int(byte) - 0x30 }

    /// The integer value of a run of ASCII digits, or nil if any byte is not one.
    static func number<C: Collection>(_ bytes: C) -> Int? where C.Element == UInt8 {
        guard !bytes.isEmpty else { return nil }
        var value = 0
        for byte in bytes {
            guard isDigit(byte) else { return nil }
            value = value * 10 + digitValue(byte)
        }
        return value
    }
}
