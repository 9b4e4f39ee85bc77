import ArgumentParser
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// swift-argument-parser parses; its help and usage errors are written in English. Here they
/// become French, in one place: the help's section titles and built-in lines, defaults and
/// allowed values, and every parse error, without the `Error:` prefix. `--aide` (and `aide X`)
/// are the help's French spellings; `--help` and `help X` keep working.
enum FrenchCLI {
    /// The command line with the English help spellings turned into the French ones.
    static func arguments(_ arguments: [String]) -> [String] {
        var arguments = arguments
        if arguments.first == "aide" { arguments[0] = "help" }
        return arguments.map { $0 == "--help" ? "--aide" : $0 }
    }

    /// Prints what argument-parser would print for `error`, in French, and exits with its code.
    static func fail(_ command: Releve.Type, with error: any Error) -> Never {
        let code = command.exitCode(for: error)
        let text = translate(command.fullMessage(for: error))
        if !text.isEmpty {
            let handle = code == .success ? FileHandle.standardOutput : FileHandle.standardError
            handle.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
        }
        exit(code.rawValue)
    }

    /// Whole phrases first, then words: each pattern and its French form.
    static let replacements: [(pattern: String, french: String)] = [
        (#"(?m)^Error: "#, ""),
        (#"(?m)^OVERVIEW: "#, ""),
        (#"(?m)^USAGE: "#, "UTILISATION : "),
        (#"(?m)^Usage: "#, "Utilisation : "),
        (#"(?m)^OPTIONS:"#, "OPTIONS :"),
        (#"(?m)^ARGUMENTS:"#, "ARGUMENTS :"),
        (#"(?m)^SUBCOMMANDS:"#, "SOUS-COMMANDES :"),
        (#"(?m)^  Help:  "#, "  Aide : "),
        (#"(?m)^Help:  "#, "Aide : "),
        (#"Show the version\."#, "Affiche la version."),
        (#"Show help information\."#, "Affiche cette aide."),
        (
            #"See '(\S+) help ([^']*)<subcommand>' for detailed help\."#,
            "Aide détaillée d'une sous-commande : $1 aide $2<sous-commande>."
        ),
        (#"See '([^']*)' for more information\."#, "Aide : $1."),
        (#"\(values:(\s)"#, "(valeurs :$1"),
        (#"\(default:(\s)"#, "(par défaut :$1"),
        (#";(\s+)default as flag:(\s)"#, " ;$1par défaut, sans valeur :$2"),
        (#";(\s+)default:(\s)"#, " ;$1par défaut :$2"),
        (#"Unknown option '([^']*)'\. Did you mean '([^']*)'\?"#, "Option inconnue « $1 ». Vouliez-vous dire « $2 » ?"),
        (#"Unknown option '([^']*)'"#, "Option inconnue « $1 »"),
        (#"Invalid option: (\S+)"#, "Option non valable : $1"),
        (#"Missing expected argument '([^']*)'"#, "Argument manquant : « $1 »"),
        (#"Missing value for '([^']*)'"#, "Valeur manquante pour « $1 »"),
        (#"Missing one of: "#, "Il manque l'une de ces options : "),
        (#"Missing required subcommand\."#, "Sous-commande manquante."),
        (
            #"The option '([^']*)' does not take any value, but '([^']*)' was specified\."#,
            "L'option « $1 » ne prend pas de valeur (« $2 » donné)."
        ),
        (#"The value '([^']*)' is invalid for '([^']*)'"#, "La valeur « $1 » n'est pas valable pour « $2 »"),
        (#"The value '([^']*)' is invalid\."#, "La valeur « $1 » n'est pas valable."),
        (#"\. Please provide one of the following:"#, " ; valeurs possibles :"),
        (#"\. Please provide one of ([^\n]*)\."#, " ; valeurs possibles : $1."),
        (#"Unexpected argument '([^']*)'"#, "Argument inattendu « $1 »"),
        (#"(\d+) unexpected arguments: "#, "$1 arguments inattendus : "),
        (#"Value to be set with (.*) had already been set with (.*)"#, "Valeur donnée deux fois : $1, puis $2"),
        (#"Unexpected error: "#, "Erreur inattendue : "),
        (#"Internal error"#, "Erreur interne"),
        (#"(?m)^(  \S+) \(default\)(?: {3})?"#, "$1 (par défaut)"),
        (#"<subcommand>"#, "<sous-commande>"),
        (#"--help\b"#, "--aide"),
    ]

    static let expressions: [(NSRegularExpression, String)] = replacements.map {
        // The patterns above are literals checked by the tests.
        (try! NSRegularExpression(pattern: $0.pattern), $0.french)
    }

    static func translate(_ text: String) -> String {
        var text = text
        for (expression, french) in expressions {
            text = expression.stringByReplacingMatches(
                in: text, range: NSRange(text.startIndex..., in: text), withTemplate: french)
        }
        return text
    }
}
