import Foundation

/// Free text from feeds and forms (names, labels, address lines): stored in Unicode NFC so
/// that equal-looking names are equal bytes, trimmed, bounded, and free of control characters.
public enum Text {
    public static func clean(_ raw: String, field: String, maxLength: Int, allowEmpty: Bool = false) throws(DomainError)
        -> String
    {
        // Fast path for the common case, printable ASCII: already NFC, no control characters.
        var utf8 = raw.utf8[...]
        if utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) {
            while utf8.first == 0x20 { utf8 = utf8.dropFirst() }
            while utf8.last == 0x20 { utf8 = utf8.dropLast() }
            if utf8.isEmpty && !allowEmpty {
                throw .invalid(field: field, reason: "ne peut pas être vide")
            }
            if utf8.count > maxLength {
                throw .invalid(field: field, reason: "dépasse \(maxLength) caractères (\(utf8.count) reçus)")
            }
            return utf8.count == raw.utf8.count ? raw : String(Substring(utf8))
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
