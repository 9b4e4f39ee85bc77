import Foundation

/// A checker for the French the product prints, written once and run over every surface in the
/// tests (CLI output, pages, letters): counts agree with their noun (0 and 1 singular, 2 and
/// more plural), no "(s)" or "(e)" shortcuts, « de », « que », « le »… elide before a vowel,
/// « de le » / « à le » contract, a space precedes « ; : ! ? » (regular, no-break or narrow
/// no-break, the house style allows the three), and an error sentence starts with a capital.
public enum FrenchGrammar {
    /// Nouns the product counts, singular → plural. A count before one of these forms must agree.
    static let nouns: [String: String] = [
        "paiement": "paiements", "relevé": "relevés", "ligne": "lignes", "page": "pages", "courrier": "courriers",
        "assuré": "assurés", "acte": "actes", "jour": "jours", "minute": "minutes", "heure": "heures",
        "seconde": "secondes", "essai": "essais", "échec": "échecs", "demande": "demandes", "fichier": "fichiers",
        "code": "codes", "lot": "lots", "enregistrement": "enregistrements", "duplicata": "duplicatas",
        "session": "sessions", "compte": "comptes", "bénéficiaire": "bénéficiaires", "problème": "problèmes",
        "erreur": "erreurs", "événement": "événements", "tentative": "tentatives", "export": "exports",
        "complémentaire": "complémentaires", "mot": "mots", "chiffre": "chiffres", "caractère": "caractères",
        "semaine": "semaines", "an": "ans", "année": "années", "vignette": "vignettes", "e-mail": "e-mails",
        "personne": "personnes", "colonne": "colonnes", "valeur": "valeurs", "adresse": "adresses",
    ]

    static let singulars: [String: String] = Dictionary(uniqueKeysWithValues: nouns.map { ($1, $0) })

    static func regex(_ pattern: String) -> NSRegularExpression {
        // The patterns below are literals; a typo fails every test that uses the checker.
        try! NSRegularExpression(pattern: pattern)
    }

    static let shortcut = regex(#"\p{L}\((s|e|es|x|nt|ne)\)"#)
    static let missingElision = regex(
        #"(?<![\p{L}'’])([Dd]e|[Qq]ue|[Nn]e|[Ll]e|[Ll]a|[Jj]e|[Mm]e|[Ss]e|[Cc]e|[Jj]usque) +([aeiouyâàéèêëîïôöûüAEIOUYÂÀÉÈÊËÎÏÔÖÛÜ]\p{L}*)"#
    )
    /// « de le mois » (du), « à les assurés » (aux); « de le lui envoyer » (a pronoun) is right.
    static let missingContraction = regex(#"(?<![\p{L}'’])([Dd]e|[Àà]) +(le|les) +(\p{L}+)"#)
    static let count = regex(#"(?<![\d,.\p{L}/:°-])(\d{1,3}(?:[\x{202F}\x{00A0} ]\d{3})*|\d+) +(\p{L}[\p{L}-]*)"#)
    static let tightPunctuation = regex(#"[\p{L}\d\)»][;!?](?=\s|$)|[\p{L}\)»]:(?=\s|$)"#)

    /// Words after « de », « le »… that start with a vowel but do not elide (h aspiré aside,
    /// which starts with a consonant anyway), or that are not French words (codes, names of
    /// options and files).
    static let noElision: Set<String> = ["un", "une", "onze", "oui", "ou", "et", "à", "où", "y"]

    /// Every problem found in `text`, each with the line it is on.
    public static func problems(in text: String) -> [String] {
        var found: [String] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init) {
            found += problems(inLine: line).map { "\($0) — « \(line.trimmingCharacters(in: .whitespaces)) »" }
        }
        return found
    }

    static func matches(_ expression: NSRegularExpression, _ line: String) -> [[String]] {
        expression.matches(in: line, range: NSRange(line.startIndex..., in: line)).map { match in
            (0..<match.numberOfRanges).map { index in
                Range(match.range(at: index), in: line).map { String(line[$0]) } ?? ""
            }
        }
    }

    static func problems(inLine line: String) -> [String] {
        // Option names, file names and URLs are not French prose.
        let prose = line.replacingOccurrences(
            of: #"(--[\w-]+|https?://\S+|\S+\.(jsonl|csv|pdf|sqlite|eml)\b|[\w.]+:\w+:)"#, with: "X",
            options: .regularExpression)
        var found: [String] = []
        for match in matches(shortcut, prose) { found.append("forme abrégée « \(match[0]) »") }
        for match in matches(missingElision, prose) {
            let word = match[2]
            if noElision.contains(word.lowercased()) || word == word.uppercased() { continue }
            found.append("élision manquante « \(match[1]) \(word) »")
        }
        for match in matches(missingContraction, prose)
        where nouns[match[3].lowercased()] != nil || singulars[match[3].lowercased()] != nil || match[3] == "mois" {
            found.append("contraction manquante « \(match[1]) \(match[2]) »")
        }
        for match in matches(count, prose) {
            let digits = match[1].filter(\.isNumber)
            guard let value = Int(digits) else { continue }
            let word = match[2].lowercased()
            if value < 2, let singular = singulars[word] {
                found.append("accord : « \(match[1]) \(match[2]) » (au singulier : \(singular))")
            } else if value >= 2, let plural = nouns[word] {
                found.append("accord : « \(match[1]) \(match[2]) » (au pluriel : \(plural))")
            }
        }
        for match in matches(tightPunctuation, prose) { found.append("espace manquante avant « \(match[0].suffix(1)) »") }
        return found
    }

    /// An error or notice printed on its own must start with a capital (or a file:line, a
    /// number, a quote, a command).
    public static func capitalProblem(_ message: String) -> String? {
        let trimmed = message.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let first = trimmed.first, first.isLetter, first.isLowercase else { return nil }
        if trimmed.hasPrefix("releve ") || trimmed.range(of: #"^\S+:\d+:"#, options: .regularExpression) != nil { return nil }
        return "minuscule en début de message — « \(trimmed.prefix(80)) »"
    }
}
