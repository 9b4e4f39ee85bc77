import Foundation
import ReleveTestSupport
import Testing

/// The command line speaks French: every command's help, and the usage errors of bad
/// invocations, carry none of argument-parser's English.
@Suite("French command line")
struct FrenchSurfaceTests {
    /// Words of argument-parser's English that must never reach a user.
    static let english = [
        "Error", "Usage", "USAGE", "OVERVIEW", "SUBCOMMANDS", "default", "values", "Missing", "Unknown", "Please",
        "help", "Help", "Show", "Did you mean", "invalid", "Unexpected", "See", "subcommand", "following", "provide",
        "expected", "argument '", "information",
    ]

    static func englishWords(in text: String) -> [String] {
        english.filter { word in
            text.range(of: "\\b\(NSRegularExpression.escapedPattern(for: word))\\b", options: .regularExpression) != nil
        }
    }

    /// Every command path, found by walking the help's "SOUS-COMMANDES" sections from the root.
    static func commandPaths() throws -> [[String]] {
        var paths: [[String]] = [[]]
        var queue: [[String]] = [[]]
        while let path = queue.popLast() {
            let help = try Run.releve(path + ["--aide"]).stdout
            guard let section = help.range(of: "SOUS-COMMANDES :\n") else { continue }
            for line in help[section.upperBound...].split(separator: "\n") {
                guard line.hasPrefix("  "), !line.hasPrefix("   ") else { continue }
                let name = line.trimmingCharacters(in: .whitespaces).split(separator: " ").first.map {
                    String($0).trimmingCharacters(in: CharacterSet(charactersIn: ","))
                }
                guard let name, name.first?.isLetter == true, name != "Aide" else { continue }
                paths.append(path + [name])
                queue.append(path + [name])
            }
        }
        return paths
    }

    @Test("every command's help is French, whichever way it is asked for")
    func helpIsFrench() throws {
        let paths = try Self.commandPaths()
        #expect(paths.count >= 35, "\(paths.count) commands found")
        for path in paths {
            for spelling in [path + ["--aide"], path + ["--help"], path + ["-h"], ["aide"] + path, ["help"] + path] {
                let result = try Run.releve(spelling)
                #expect(result.status == 0, "\(spelling): \(result.status)")
                #expect(result.stdout.contains("UTILISATION : releve"), "\(spelling)")
                let words = Self.englishWords(in: result.stdout + result.stderr)
                #expect(words.isEmpty, "\(spelling.joined(separator: " ")): \(words)")
            }
        }
    }

    @Test("an assuré's commands show --base, not the operator's options; the operator's commands show them all")
    func operatorOptionsStayWithTheOperator() throws {
        for path in [["paiements"], ["connexion"], ["compte", "afficher"], ["releves", "lister"], ["duplicata"]] {
            let help = try Run.releve(path + ["--aide"]).stdout
            #expect(help.contains("--base"), "\(path)")
            for option in ["--cle", "--courriels", "--commande-mail", "--url-publique", "--essais-avant-blocage"] {
                #expect(!help.contains(option), "\(path) shows \(option)")
            }
        }
        for path in [["servir"], ["admin", "maintenance"], ["admin", "releves", "emettre"]] {
            let help = try Run.releve(path + ["--aide"]).stdout
            #expect(help.contains("--cle") && help.contains("--url-publique"), "\(path)")
        }
    }

    @Test("usage errors are French, without an Error: prefix, and exit 64")
    func usageErrorsAreFrench() throws {
        let bad: [[String]] = [
            ["--bogus"], ["inconnue"], ["paiements", "--bogus"], ["paiements", "--mois"], ["paiements", "--mois", "x"],
            ["paiements", "--nature", "PH7"], ["paiements", "--format", "xml"], ["paiements", "--du", "31/02/2026"],
            ["paiements", "--detail=oui"], ["admin", "maintenance", "peut-etre"], ["admin", "courriers", "afficher"],
            ["admin", "courriers", "afficher", "douze"], ["admin", "courriers", "lot", "--date", "hier"],
            ["admin", "courriers", "poste"], ["admin", "releves", "emettre"], ["admin", "releves", "emettre", "--mois", "13"],
            ["admin", "audit", "--nombre", "beaucoup"], ["admin", "reglages", "--duplicatas-par-mois", "x"],
            ["admin", "sauvegarde"], ["admin", "restaurer", "--depuis", "x"], ["admin", "inconnue"],
            ["importer"], ["nir"], ["nir", "1", "2"], ["releves", "telecharger"], ["releves", "telecharger", "--mois", "x"],
            ["releves", "verifier"], ["duplicata", "--mois", "2026-13"], ["echantillon", "--assures", "zero"],
            ["servir", "--port", "port"], ["servir", "--delai-entete", "0"], ["connexion", "--nir"],
            ["compte", "code-provisoire", "--nir"], ["compte", "inconnue"], ["demo", "--port", "x"],
            ["--essais-avant-blocage", "2"], ["paiements", "--essais-avant-blocage", "0"],
        ]
        #expect(bad.count >= 30)
        for arguments in bad {
            let result = try Run.releve(arguments)
            #expect(result.status == 64, "\(arguments): exit \(result.status): \(result.stderr)")
            #expect(!result.stderr.isEmpty, "\(arguments)")
            let words = Self.englishWords(in: result.stdout + result.stderr)
            #expect(words.isEmpty, "\(arguments.joined(separator: " ")): \(words) in \(result.stderr)")
        }
    }
}
