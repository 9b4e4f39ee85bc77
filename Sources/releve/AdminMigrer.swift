import ArgumentParser
import Foundation
import ReleveDomain
import ReleveService

extension Releve.Admin {
    struct Migrer: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "migrer",
            abstract: "Copie une base SQLite entière dans une base PostgreSQL vide (passage à plusieurs serveurs).",
            discussion: """
                La copie se fait en une transaction : chaque table est comparée (nombre de lignes et empreinte) \
                et rien n'est gardé dans PostgreSQL si une seule diffère. Les relevés archivés sont ensuite relus \
                et comparés à leur SHA-256 enregistré. Arrêtez d'abord les écritures (releve admin maintenance on) : \
                la copie lit un instantané de la base, ce qui serait écrit ensuite n'y serait pas.

                Après la copie, la nouvelle installation garde la même clé (--cle ou RELEVE_CLE : sans elle, aucun \
                code personnel ne serait plus reconnu) et les mêmes dossiers (--archives ou RELEVE_ARCHIVES…).

                Codes de sortie : 0 copie vérifiée ; 65 adresse invalide ; 69 serveur injoignable ; 73 base de \
                destination non vide ; 74 copie inexacte ou archive absente ou modifiée.
                """)

        @OptionGroup var options: OperatorOptions

        @Option(
            name: .customLong("vers"),
            help: ArgumentHelp("La base PostgreSQL de destination, vide.", valueName: "postgres://UTILISATEUR@HÔTE:PORT/BASE"))
        var destination: String

        func run() async throws {
            let display = ProgressDisplay(label: "copie")
            let (report, settings) = try await options.withServices(check: true) { services in
                let report = try await services.migrate(to: destination) { _, rows in
                    display.update(fraction: nil, count: rows, unit: "ligne")
                }
                return (report, services.settings)
            }
            display.finish()
            let rows = report.tables.reduce(0) { $0 + $1.copiedRows }
            print(
                "Base copiée vers \(ReleveSettings.redacted(destination)) : \(CLI.number(report.tables.count)) tables, \(CLI.number(rows)) lignes, chacune vérifiée (nombre et empreinte)."
            )
            for table in report.tables where table.copiedRows > 0 {
                print("  \(table.table) : \(CLI.number(table.copiedRows)) ligne\(table.copiedRows > 1 ? "s" : "")")
            }
            let archive = report.archive
            if archive.problems.isEmpty {
                print(
                    "Archives : \(CLI.number(archive.checked)) document\(archive.checked > 1 ? "s" : "") relu\(archive.checked > 1 ? "s" : ""), tous intacts (\(settings.archive))."
                )
            } else {
                print("Archives : \(CLI.number(archive.problems.count)) document(s) absent(s) ou modifié(s) :")
                for problem in archive.problems.prefix(50) { print("  \(problem)") }
            }
            if case .file(let key) = settings.pepper {
                print("Gardez la même clé et les mêmes dossiers : RELEVE_CLE=\(key) RELEVE_ARCHIVES=\(settings.archive)")
            }
            if !archive.problems.isEmpty { throw ExitCode(74) }
        }
    }
}
