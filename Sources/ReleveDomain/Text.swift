import Foundation

/// Free text from feeds and forms (names, labels, address lines): stored in Unicode NFC so
/// that equal-looking names are equal bytes, trimmed, bounded, and free of control characters
/// and of the invisible characters that change how text around them reads: format characters
/// (bidi overrides such as U+202E, zero-width spaces and joiners, the soft hyphen), line and
/// paragraph separators, noncharacters (U+FFFE, U+FFFF…) and private-use characters.
public enum Text {
    public static func clean(_ raw: String, field: String, maxLength: Int, allowEmpty: Bool = false) throws(DomainError)
        -> String
    {
        // Fast path for the common case: scalars below U+0300 (ASCII and precomposed Latin
        // letters such as é, ç, ü) contain no combining mark and no singleton decomposition, so
        // the text is already NFC; only controls and edge spaces remain to check.
        var simple = true
        var count = 0
        for scalar in raw.unicodeScalars {
            let value = scalar.value
            if value >= 0x300 || value < 0x20 || (value >= 0x7F && value < 0xA0) || value == 0xAD {
                simple = false
                break
            }
            count += 1
        }
        if simple {
            var text = Substring(raw)
            while text.first == " " { text = text.dropFirst() }
            while text.last == " " { text = text.dropLast() }
            if text.isEmpty && !allowEmpty {
                throw .invalid(field: field, reason: "ne peut pas être vide")
            }
            if count > maxLength, text.count > maxLength {
                throw .invalid(field: field, reason: "dépasse \(maxLength) caractères (\(text.count) reçus)")
            }
            return text.utf8.count == raw.utf8.count ? raw : String(text)
        }
        let text = raw.precomposedStringWithCanonicalMapping.trimmingCharacters(in: .whitespaces)
        if text.isEmpty && !allowEmpty {
            throw .invalid(field: field, reason: "ne peut pas être vide")
        }
        if text.count > maxLength {
            throw .invalid(field: field, reason: "dépasse \(maxLength) caractères (\(text.count) reçus)")
        }
        for scalar in text.unicodeScalars {
            if let reason = refusal(scalar) { throw .invalid(field: field, reason: reason) }
        }
        return text
    }

    /// Why `scalar` is refused in free text, or nil if it is allowed.
    static func refusal(_ scalar: Unicode.Scalar) -> String? {
        let properties = scalar.properties
        if properties.isNoncharacterCodePoint {
            return "contient un caractère interdit (U+\(hex(scalar)), non-caractère Unicode)"
        }
        switch properties.generalCategory {
        case .control:
            return "contient un caractère de contrôle (retour à la ligne, tabulation…)"
        case .format:
            return
                "contient un caractère invisible de mise en forme (U+\(hex(scalar)) : sens d'écriture, espace de largeur nulle…)"
        case .lineSeparator, .paragraphSeparator:
            return "contient un séparateur de ligne ou de paragraphe (U+\(hex(scalar)))"
        case .privateUse, .surrogate:
            return "contient un caractère à usage privé (U+\(hex(scalar)))"
        default:
            return nil
        }
    }

    private static func hex(_ scalar: Unicode.Scalar) -> String {
        let digits = String(scalar.value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
