import ArgumentParser
import Foundation
import ReleveService
import ReleveStore

extension Releve {
    struct Demo: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "demo",
            abstract: "Crée une base de démonstration neuve à partir de SampleData.",
            discussion: "La base de démonstration est recréée à chaque fois ; votre base habituelle n'est pas touchée.")

        @Option(name: .customLong("base"), help: ArgumentHelp("Base de démonstration à (re)créer.", valueName: "CHEMIN"))
        var path = "releve-demo.sqlite"

        @Option(name: .customLong("donnees"), help: ArgumentHelp("Dossier des données d'exemple.", valueName: "DOSSIER"))
        var sampleDirectory: String?

        func run() async throws {
            let directory = try CLI.runSync { try Self.locateSampleData(sampleDirectory) }
            let files = try FileManager.default.contentsOfDirectory(atPath: directory)
                .filter { $0.hasSuffix(".jsonl") || $0.hasSuffix(".csv") }.sorted()
                .map { directory + "/" + $0 }
            for suffix in ["", "-wal", "-shm", ".lock"] { try? FileManager.default.removeItem(atPath: path + suffix) }
            let store = try await CLI.run { try await ReleveStore.open(path: path) }
            defer { try? store.close() }
            try await CLI.run {
                for file in files { try await Importer.importOne(file, store: store) }
                let stats = try await store.statistics()
                print(
                    """

                    Base de démonstration prête : \(path)
                      \(stats.persons) assurés, \(CLI.number(stats.payments)) paiements, \(CLI.number(stats.paymentLines)) lignes (SQLite \(store.sqliteVersion)).
                    Essayez :
                      releve nir 1701275112034
                      RELEVE_BASE=\(path) releve importer \(files.first ?? "SampleData/echantillon.jsonl")   (déjà importé : rien à faire)
                    """)
            }
        }

        /// `--donnees`, else ./SampleData, else the SampleData folder of the source tree.
        static func locateSampleData(_ given: String?) throws -> String {
            var candidates: [String] = []
            if let given {
                candidates.append(given)
            } else {
                candidates.append("SampleData")
                let source = URL(fileURLWithPath: #filePath)
                candidates.append(
                    source.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
                        + "/SampleData")
            }
            for candidate in candidates {
                var isDirectory: ObjCBool = false
                if FileManager.default.fileExists(atPath: candidate, isDirectory: &isDirectory), isDirectory.boolValue {
                    return candidate
                }
            }
            throw ServiceError.inputUnreadable(
                path: candidates[0], reason: "dossier de données d'exemple introuvable (option --donnees)")
        }
    }
}
