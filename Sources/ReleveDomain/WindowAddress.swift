/// The address block as it must appear in a window envelope (La Poste, norme XP Z10-011):
/// at most 6 lines of at most 38 characters. A longer line is wrapped between words; an
/// address that still does not fit is refused, never cut.
public enum WindowAddress {
    public static let maxLines = 6
    public static let maxLineLength = 38

    /// The lines to print, or an error naming what does not fit. When the wrapped block has
    /// too many lines, the name line (`Mme Prénoms NOM`) is abridged as La Poste recommends,
    /// first to the first first name, then to the civility and surname; `abridged` then says
    /// so (the print batch reports it). The surname and the address are never shortened.
    public static func fit(_ block: String) throws(DomainError) -> (lines: [String], abridged: String?) {
        let original = try lines(block)
        if original.count <= maxLines { return (original, nil) }
        var rows = block.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        let tooLong = DomainError.invalid(
            field: "adresse",
            reason:
                "\(original.count) lignes une fois coupée à \(maxLineLength) caractères, même en abrégeant les prénoms ; la fenêtre de l'enveloppe en montre \(maxLines)"
        )
        guard let nameLine = rows.first else { throw tooLong }
        let words = nameLine.split(separator: " ").map(String.init)
        // The surname is the upper-case words at the end; first names are the mixed-case ones after the civility.
        guard words.count >= 3,
            let surnameStart = words.indices.dropFirst().first(where: { index in
                words[index...].allSatisfy { $0 == $0.uppercased() }
            }), surnameStart >= 2
        else { throw tooLong }
        let civility = words[0]
        let surname = words[surnameStart...].joined(separator: " ")
        for (name, note) in [
            ("\(civility) \(words[1]) \(surname)", "prénoms secondaires omis"), ("\(civility) \(surname)", "prénoms omis"),
        ] {
            rows[0] = name
            if let fitted = try? lines(rows.joined(separator: "\n")), fitted.count <= maxLines {
                return (fitted, "adresse abrégée pour la fenêtre de l'enveloppe : \(note)")
            }
        }
        throw tooLong
    }

    /// The block wrapped to the window's width, or an error naming what does not fit.
    static func lines(_ block: String) throws(DomainError) -> [String] {
        var lines: [String] = []
        for raw in block.split(separator: "\n", omittingEmptySubsequences: true) {
            var current = ""
            for word in raw.split(separator: " ", omittingEmptySubsequences: true) {
                guard word.count <= maxLineLength else {
                    throw .invalid(
                        field: "adresse",
                        reason:
                            "« \(word) » dépasse \(maxLineLength) caractères et ne peut pas être coupé pour la fenêtre de l'enveloppe"
                    )
                }
                if current.isEmpty {
                    current = String(word)
                } else if current.count + 1 + word.count <= maxLineLength {
                    current += " " + word
                } else {
                    lines.append(current)
                    current = String(word)
                }
            }
            if !current.isEmpty { lines.append(current) }
        }
        guard !lines.isEmpty else { throw .invalid(field: "adresse", reason: "vide") }
        return lines
    }
}
