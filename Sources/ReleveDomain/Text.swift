import Foundation

/// Free text from feeds and forms (names, labels, address lines): stored in Unicode NFC so
/// that equal-looking names are equal bytes, trimmed, bounded, and free of control characters.
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
            if value >= 0x300 || value < 0x20 || (value >= 0x7F && value < 0xA0) {
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
        if text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            throw .invalid(field: field, reason: "contient un caractère de contrôle (retour à la ligne, tabulation…)")
        }
        return text
    }
}
