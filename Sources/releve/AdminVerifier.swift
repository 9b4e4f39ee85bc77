import ArgumentParser
import Foundation
import ReleveService

extension Releve.Admin {
    struct Verifier: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verifier",
            abstract: "Vérifie la base (integrity_check complet, clés étrangères) et chaque relevé archivé (SHA-256).",
            discussion: """
                Lecture seule. Code de sortie 0 si tout est intact, 74 si la base ou une archive est endommagée \
                (le détail est affiché) : arrêtez alors les écritures et restaurez la dernière sauvegarde \
                (releve admin restaurer).
                """)

        @OptionGroup var options: OperatorOptions

        func run() async throws {
            try await options.withServices { services in
                let started = Date()
                let display = ProgressDisplay(label: "archives")
                let check = try await services.operations.verify { done in
                    display.update(fraction: nil, count: done, unit: "relevé")
                }
                display.finish()
                if let damage = check.damage {
                    print("Base : ENDOMMAGÉE (SQLite : \(damage)).")
                    print(
                        "Arrêtez les écritures (releve admin maintenance on) et restaurez la dernière sauvegarde (releve admin restaurer)."
                    )
                    throw ExitCode(74)
                }
                let problems = check.problems
                print(
                    problems.isEmpty
                        ? "Base : intacte (integrity_check et clés étrangères, \(CLI.duration(Date().timeIntervalSince(started))))."
                        : "Base : ENDOMMAGÉE (\(CLI.number(problems.count)) problème\(problems.count > 1 ? "s" : "")) :")
                for problem in problems.prefix(20) { print("  \(problem)") }
                if let archive = check.archive {
                    let n = archive.problems.count
                    print(
                        n == 0
                            ? "Archives : \(CLI.number(archive.checked)) relevé\(archive.checked > 1 ? "s" : "") vérifié\(archive.checked > 1 ? "s" : ""), tous intacts."
                            : "Archives : \(CLI.number(n)) relevé\(n > 1 ? "s" : "") sur \(CLI.number(archive.checked)) absent\(n > 1 ? "s" : "") ou modifié\(n > 1 ? "s" : "") :"
                    )
                    for problem in archive.problems.prefix(50) { print("  \(problem)") }
                }
                if !check.intact { throw ExitCode(74) }
            }
        }
    }
}
