import Foundation

/// The installation's configuration file (`releve.toml`): a small, strict subset of TOML —
/// `[section]` headers, `clé = valeur` lines with a "string" (basic, with `\"`, `\\`, `\n`,
/// `\t`, `\uXXXX`), a 'literal string', an integer, a decimal number or `true`/`false`, and `#`
/// comments. Every key of the schema stands for one environment variable, so the order of
/// precedence is the same for every setting: command-line option, then environment variable,
/// then this file, then the default (README, "Running it as a service").
///
/// Anything else is refused with the line that holds it, in French: an unknown section or key
/// (with the keys that section knows), a value of the wrong kind or out of range, a key given
/// twice, a line that is not TOML. No secret goes in this file: the FranceConnect secret stays
/// in a file of its own (`secret_fichier`), the pepper in the key file.
public struct ConfigurationFile: Sendable, Equatable {
    /// One setting of the schema.
    public struct Key: Sendable, Equatable {
        public enum Kind: Sendable, Equatable {
            case text
            /// An integer in this range.
            case integer(ClosedRange<Int>)
            /// A decimal number, at least 0.
            case seconds
            case boolean
            /// One of these words.
            case choice([String])
            /// `hôte:port`.
            case address
        }

        public let section: String
        public let name: String
        /// The environment variable this key stands for.
        public let variable: String
        public let kind: Kind
        /// What it sets, in French (the documentation of the schema and `admin configuration`).
        public let help: String
        /// A value that may hold a password (a PostgreSQL address): masked when shown.
        public let mayHoldPassword: Bool

        init(_ section: String, _ name: String, _ variable: String, _ kind: Kind, _ help: String, password: Bool = false) {
            self.section = section
            self.name = name
            self.variable = variable
            self.kind = kind
            self.help = help
            self.mayHoldPassword = password
        }

        public var path: String { section + "." + name }
    }

    /// Every key the file may hold, section by section (README, "The configuration file").
    public static let schema: [Key] = [
        Key("base", "chemin", "RELEVE_BASE", .text, "base SQLite (chemin) ou PostgreSQL (postgres://…)", password: true),
        Key("base", "lecture", "RELEVE_BASE_LECTURE", .text, "réplique PostgreSQL en flux pour les lectures", password: true),
        Key("base", "retard_lecture_max", "RELEVE_RETARD_LECTURE_MAX", .seconds, "retard de réplique toléré (secondes)"),
        Key("base", "connexions", "RELEVE_PG_CONNEXIONS", .integer(1...1000), "connexions PostgreSQL par processus"),
        Key("fichiers", "dossier", "RELEVE_DOSSIER", .text, "dossier des fichiers voisins d'une base PostgreSQL"),
        Key("fichiers", "cle", "RELEVE_CLE", .text, "fichier de la clé secrète (poivre) des codes"),
        Key("fichiers", "archives", "RELEVE_ARCHIVES", .text, "dossier des relevés émis"),
        Key("fichiers", "courriels", "RELEVE_COURRIELS", .text, "dossier où déposer les e-mails"),
        Key("fichiers", "lots", "RELEVE_LOTS", .text, "dossier des lots d'impression"),
        Key("fichiers", "exports", "RELEVE_EXPORTS", .text, "dossier des exports des complémentaires"),
        Key("courriel", "commande", "RELEVE_COMMANDE_MAIL", .text, "commande qui reçoit chaque e-mail (sendmail -t)"),
        Key("web", "url_publique", "RELEVE_URL_PUBLIQUE", .text, "adresse du site, pour les liens des e-mails"),
        Key("web", "hote", "RELEVE_HOTE", .text, "adresse d'écoute de « servir »"),
        Key("web", "port", "RELEVE_PORT", .integer(0...65535), "port d'écoute de « servir »"),
        Key("web", "metriques", "RELEVE_METRIQUES", .address, "adresse d'écoute des métriques Prometheus (hôte:port)"),
        Key("web", "delai_entete", "RELEVE_DELAI_ENTETE", .integer(1...600), "secondes pour recevoir l'en-tête d'une requête"),
        Key(
            "web", "connexions_par_adresse", "RELEVE_CONNEXIONS_PAR_ADRESSE", .integer(1...100_000),
            "connexions simultanées par adresse de client"),
        Key(
            "web", "echecs_par_adresse", "RELEVE_ECHECS_PAR_ADRESSE", .integer(1...100_000),
            "codes erronés permis par adresse en 10 minutes"),
        Key("web", "arret_max", "RELEVE_ARRET_MAX", .integer(1...3600), "secondes laissées aux requêtes en cours à l'arrêt"),
        Key(
            "politique", "essais_avant_blocage", "RELEVE_ESSAIS_AVANT_BLOCAGE", .integer(1...20),
            "échecs avant blocage temporaire"),
        Key(
            "politique", "essais_avant_verrouillage", "RELEVE_ESSAIS_AVANT_VERROUILLAGE", .integer(1...20),
            "échecs avant verrouillage"),
        Key("franceconnect", "emetteur", "RELEVE_FC_EMETTEUR", .text, "fournisseur OpenID Connect (issuer)"),
        Key("franceconnect", "client", "RELEVE_FC_CLIENT", .text, "identifiant client"),
        Key("franceconnect", "secret_fichier", "RELEVE_FC_SECRET_FICHIER", .text, "fichier du secret client"),
        Key("franceconnect", "retour", "RELEVE_FC_RETOUR", .text, "adresse de retour (redirect_uri)"),
        Key("franceconnect", "apres_deconnexion", "RELEVE_FC_APRES_DECONNEXION", .text, "adresse après déconnexion"),
        Key("franceconnect", "acr", "RELEVE_FC_ACR", .text, "niveaux eIDAS acceptés, séparés par des virgules"),
        Key("franceconnect", "nom", "RELEVE_FC_NOM", .text, "nom affiché du fournisseur"),
        Key("journal", "format", "RELEVE_JOURNAL_FORMAT", .choice(["json", "texte", "auto"]), "format du journal"),
        Key(
            "journal", "niveau", "RELEVE_JOURNAL_NIVEAU", .choice(["debug", "info", "avertissement", "erreur"]),
            "niveau minimal du journal"),
        Key(
            "metriques", "fichier", "RELEVE_METRIQUES_FICHIER", .text,
            "fichier des métriques des traitements (collecteur textfile de node_exporter)"),
    ]

    /// A value read from the file, with its line.
    public struct Value: Sendable, Equatable {
        public let key: Key
        /// As the environment variable would hold it.
        public let text: String
        public let line: Int
    }

    /// The file's path, as given.
    public let path: String
    public let values: [Value]

    /// The environment variables the file sets.
    public var environment: [String: String] {
        Dictionary(values.map { ($0.key.variable, $0.text) }, uniquingKeysWith: { _, last in last })
    }

    /// A mistake in the file: its line (0: the file itself) and what is wrong, in French.
    public struct Mistake: Error, Sendable, Equatable, CustomStringConvertible {
        public let path: String
        public let line: Int
        public let reason: String

        public var description: String {
            line > 0 ? "\(path):\(line) : \(reason)" : "\(path) : \(reason)"
        }
    }

    /// Reads and checks the file at `path`.
    public static func read(_ path: String) throws(Mistake) -> ConfigurationFile {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Mistake(path: path, line: 0, reason: "fichier de configuration introuvable ou illisible")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw Mistake(path: path, line: 0, reason: "le fichier n'est pas en UTF-8")
        }
        return try parse(text, path: path)
    }

    /// Parses `text`; `path` names it in errors.
    public static func parse(_ text: String, path: String) throws(Mistake) -> ConfigurationFile {
        var section: String?
        var values: [Value] = []
        var seen: [String: Int] = [:]
        var number = 0
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            number += 1
            func fail(_ reason: String) -> Mistake { Mistake(path: path, line: number, reason: reason) }
            var line = Substring(raw.hasSuffix("\r") ? raw.dropLast() : raw)
            line = line.drop { $0 == " " || $0 == "\t" }
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("[") {
                let header = stripComment(line)
                guard header.hasSuffix("]"), !header.hasPrefix("[["), header.count > 2 else {
                    throw fail("en-tête de section mal formé (attendu : [section])")
                }
                let name = header.dropFirst().dropLast().trimmingCharacters(in: .whitespaces)
                guard sections.contains(name) else {
                    throw fail("section inconnue « [\(name.prefix(40))] » (sections : \(sections.joined(separator: ", ")))")
                }
                section = name
                continue
            }
            guard let equals = line.firstIndex(of: "=") else {
                throw fail("ligne incomprise (attendu : clé = valeur, [section] ou # commentaire)")
            }
            let name = line[..<equals].trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") })
            else { throw fail("nom de clé invalide « \(name.prefix(40)) »") }
            guard let section else {
                throw fail("clé « \(name) » hors de toute section (placez-la sous [base], [web]…)")
            }
            guard let key = schema.first(where: { $0.section == section && $0.name == name }) else {
                let known = schema.filter { $0.section == section }.map(\.name).joined(separator: ", ")
                throw fail("clé inconnue « \(name) » dans [\(section)] (clés permises : \(known))")
            }
            if let first = seen[key.path] {
                throw fail("clé « \(name) » déjà donnée ligne \(first) dans [\(section)]")
            }
            seen[key.path] = number
            let literal: Literal
            do {
                literal = try Literal.parse(line[line.index(after: equals)...].drop { $0 == " " || $0 == "\t" })
            } catch {
                throw fail("valeur de « \(name) » : \(error.reason)")
            }
            guard let checked = check(literal, for: key) else {
                throw fail("valeur de « \(name) » : attendu \(expected(key.kind))")
            }
            values.append(Value(key: key, text: checked, line: number))
        }
        // The two lockout thresholds must agree, as on the command line.
        let soft = values.first { $0.key.name == "essais_avant_blocage" }
        let hard = values.first { $0.key.name == "essais_avant_verrouillage" }
        if let soft, let hard, let low = Int(soft.text), let high = Int(hard.text), high < low {
            throw Mistake(
                path: path, line: hard.line,
                reason: "essais_avant_verrouillage (\(high)) doit être au moins essais_avant_blocage (\(low), ligne \(soft.line))"
            )
        }
        return ConfigurationFile(path: path, values: values)
    }

    static var sections: [String] {
        var names: [String] = []
        for key in schema where !names.contains(key.section) { names.append(key.section) }
        return names
    }

    /// The value's text for the environment, or nil when it is of the wrong kind.
    static func check(_ literal: Literal, for key: Key) -> String? {
        switch (key.kind, literal) {
        case (.text, .string(let text)): return text.isEmpty || text.contains("\0") ? nil : text
        case (.integer(let range), .integer(let value)): return range.contains(value) ? String(value) : nil
        case (.seconds, .integer(let value)): return value >= 0 ? String(value) : nil
        case (.seconds, .number(let value)): return value >= 0 && value.isFinite ? String(value) : nil
        case (.boolean, .boolean(let value)): return value ? "1" : "0"
        case (.choice(let words), .string(let text)): return words.contains(text) ? text : nil
        case (.address, .string(let text)):
            guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
                (0...65535).contains(port), colon > text.startIndex
            else { return nil }
            return text
        default: return nil
        }
    }

    static func expected(_ kind: Key.Kind) -> String {
        switch kind {
        case .text: "une chaîne non vide entre guillemets"
        case .integer(let range): "un entier de \(range.lowerBound) à \(range.upperBound)"
        case .seconds: "un nombre de secondes (0 ou plus)"
        case .boolean: "true ou false"
        case .choice(let words): "l'une de ces valeurs entre guillemets : " + words.map { "\"\($0)\"" }.joined(separator: ", ")
        case .address: "\"hôte:port\" (par exemple \"127.0.0.1:9464\")"
        }
    }

    /// `text` up to a `#` that is not inside a string, trimmed.
    static func stripComment(_ text: Substring) -> Substring {
        var quote: Character?
        var escaped = false
        for index in text.indices {
            let character = text[index]
            if let open = quote {
                if escaped {
                    escaped = false
                } else if character == "\\" && open == "\"" {
                    escaped = true
                } else if character == open {
                    quote = nil
                }
            } else if character == "\"" || character == "'" {
                quote = character
            } else if character == "#" {
                return Substring(text[..<index].trimmingCharacters(in: .whitespaces))
            }
        }
        return Substring(text.trimmingCharacters(in: .whitespaces))
    }

    /// A TOML value of the subset.
    enum Literal: Equatable {
        case string(String)
        case integer(Int)
        case number(Double)
        case boolean(Bool)

        struct Problem: Error {
            let reason: String
        }

        /// The value at the start of `text`, then only spaces and an optional comment.
        static func parse(_ text: Substring) throws(Problem) -> Literal {
            guard let first = text.first else { throw Problem(reason: "valeur manquante") }
            if first == "\"" || first == "'" {
                var result = ""
                var index = text.index(after: text.startIndex)
                while true {
                    guard index < text.endIndex else { throw Problem(reason: "chaîne non terminée (guillemet fermant absent)") }
                    let character = text[index]
                    if character == first { break }
                    if character == "\\" && first == "\"" {
                        index = text.index(after: index)
                        guard index < text.endIndex else { throw Problem(reason: "chaîne non terminée") }
                        switch text[index] {
                        case "\"": result.append("\"")
                        case "\\": result.append("\\")
                        case "n": result.append("\n")
                        case "t": result.append("\t")
                        case "u":
                            let end = text.index(index, offsetBy: 5, limitedBy: text.endIndex) ?? text.endIndex
                            let digits = text[text.index(after: index)..<end]
                            guard digits.count == 4, let code = UInt32(digits, radix: 16), let scalar = Unicode.Scalar(code)
                            else { throw Problem(reason: "échappement \\u invalide") }
                            result.unicodeScalars.append(scalar)
                            index = text.index(index, offsetBy: 4)
                        default: throw Problem(reason: "échappement « \\\(text[index]) » inconnu")
                        }
                    } else if character.isASCII, let ascii = character.asciiValue, ascii < 0x20 && ascii != 0x09 {
                        throw Problem(reason: "caractère de contrôle dans la chaîne")
                    } else {
                        result.append(character)
                    }
                    index = text.index(after: index)
                }
                try rest(text[text.index(after: index)...])
                return .string(result)
            }
            let token = stripComment(text)
            guard !token.contains(" ") && !token.contains("\t") else {
                throw Problem(reason: "texte en trop après la valeur (les chaînes vont entre guillemets)")
            }
            if token == "true" { return .boolean(true) }
            if token == "false" { return .boolean(false) }
            let digits = token.replacingOccurrences(of: "_", with: "")
            if !token.hasPrefix("_"), !token.hasSuffix("_"), !token.contains("__") {
                if let value = Int(digits) { return .integer(value) }
                if digits.contains("."), let value = Double(digits), value.isFinite { return .number(value) }
            }
            throw Problem(reason: "« \(token.prefix(40)) » n'est ni une chaîne entre guillemets, ni un nombre, ni true/false")
        }

        /// After a string: spaces, then nothing or a comment.
        static func rest(_ text: Substring) throws(Problem) {
            let after = text.drop { $0 == " " || $0 == "\t" }
            guard after.isEmpty || after.hasPrefix("#") else {
                throw Problem(reason: "texte en trop après la chaîne")
            }
        }
    }
}
