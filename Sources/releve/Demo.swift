import ArgumentParser
import Foundation
import ReleveDomain
import ReleveService
import ReleveWeb

extension Releve {
    struct Demo: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "demo",
            abstract:
                "Crée une base de démonstration neuve à partir de SampleData, ouvre des comptes d'essai et sert la vue web.",
            discussion: """
                La base de démonstration est recréée à chaque fois ; votre base habituelle n'est pas touchée. \
                Deux comptes d'essai sont ouverts (codes affichés au démarrage, en démonstration seulement), les \
                relevés des trois derniers mois de l'échantillon sont émis, puis la vue web est servie.
                """)

        @Option(name: .customLong("base"), help: ArgumentHelp("Base de démonstration à (re)créer.", valueName: "CHEMIN"))
        var path = "releve-demo.sqlite"

        @Option(name: .customLong("donnees"), help: ArgumentHelp("Dossier des données d'exemple.", valueName: "DOSSIER"))
        var sampleDirectory: String?

        @Flag(name: .customLong("preparer-seulement"), help: "Prépare la base sans comptes d'essai ni serveur web.")
        var prepareOnly = false

        @Option(name: .customLong("hote"), help: "Adresse d'écoute de la vue web.")
        var host = "127.0.0.1"

        @Option(name: .customLong("port"), help: "Port de la vue web (0 : un port libre).")
        var port = 8080

        /// Demo accounts: Corsica (2A) and the NOEMIE exception; Jean Martin is left without an
        /// account, to try the opening journey.
        static let demoAccounts: [(nir: String, name: String, birth: String, postalCode: String, code: String)] = [
            ("285032A004117", "Santoni", "17/03/1985", "20000", "48213957"),
            ("2880999109042", "Müller", "05/09/1988", "67000", "71946258"),
        ]

        func run() async throws {
            let directory = try CLI.runSync { try Self.locateSampleData(sampleDirectory) }
            let files = try FileManager.default.contentsOfDirectory(atPath: directory)
                .filter { $0.hasSuffix(".jsonl") || $0.hasSuffix(".csv") }.sorted()
                .map { directory + "/" + $0 }
            for suffix in ["", "-wal", "-shm", ".lock"] { try? FileManager.default.removeItem(atPath: path + suffix) }
            var settings = ReleveSettings.beside(
                base: path, publicURL: "http://\(host):\(port)",
                environment: ProcessInfo.processInfo.environment.filter { $0.key == "RELEVE_DOSSIER" })
            // FranceConnect, when the environment registers a provider (README, "FranceConnect").
            settings.federation = ReleveSettings.federation(
                environment: ProcessInfo.processInfo.environment, publicURL: settings.publicURL)
            let services = try await CLI.run { try await ReleveServices.build(settings) }
            defer { services.close() }
            try await CLI.run {
                for file in files { try await Importer.importOne(file, into: services.imports) }
                let stats = try await services.operations.statistics()
                print(
                    """

                    Base de démonstration prête : \(path)
                      \(stats.persons) assurés, \(CLI.number(stats.payments)) paiements, \(CLI.number(stats.paymentLines)) lignes (\(services.engineDescription)).
                    Essayez :
                      releve nir 1701275112034
                      RELEVE_BASE=\(path) releve importer \(files.first ?? "SampleData/echantillon.jsonl")   (déjà importé : rien à faire)
                    """)
            }
            guard !prepareOnly else { return }
            var accounts: [WebConfiguration.DemoAccount] = []
            try await CLI.run {
                for demo in Self.demoAccounts {
                    let name = try await services.accounts.openDemoAccount(
                        nir: demo.nir, lastName: demo.name, birthDate: demo.birth, postalCode: demo.postalCode,
                        personalCode: demo.code, email: "demo+\(demo.nir.suffix(4))@exemple.fr", now: Date())
                    accounts.append(.init(name: name, nir: demo.nir, code: demo.code))
                }
                let last = try await services.statements.lastPaymentMonth(before: CivilDate.today.calendarMonth)
                for offset in [2, 1, 0] {
                    guard let month = last?.adding(months: -offset) else { continue }
                    _ = try await services.statements.issue(month: month, today: CivilDate.today, now: Date())
                }
            }
            print("\nComptes d'essai (démonstration seulement) :")
            for account in accounts { print("  \(account.name) : NIR \(account.nir), code personnel \(account.code)") }
            print("Jean Martin (NIR 1701275112034, né le 03/12/1970, 75012) n'a pas de compte : essayez l'ouverture.")
            print("Courriers (codes provisoires) : RELEVE_BASE=\(path) releve admin courriers ; e-mails dans \(path).courriels")
            try await Servir.serve(
                services,
                .init(
                    host: host, port: port, metrics: nil, shutdownSeconds: Defaults.shutdownSeconds,
                    headSeconds: Defaults.headSeconds, perAddress: Defaults.connectionsPerAddress,
                    failuresPerAddress: Defaults.failuresPerAddress),
                configuration: WebConfiguration(demoAccounts: accounts))
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
