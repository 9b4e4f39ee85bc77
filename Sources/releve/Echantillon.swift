import ArgumentParser
import Foundation
import ReleveDomain
import ReleveService

extension Month: ExpressibleByArgument {}

extension Releve {
    struct Echantillon: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "echantillon",
            abstract: "Génère un flux de test réaliste et reproductible.",
            discussion: """
                Les premiers assurés sont les cas types de SampleData (Paris, Corse 2A et 2B, La Réunion, \
                né à l'étranger, famille, sans médecin traitant, ALD, complémentaire sans NOEMIE, autre \
                régime) ; les suivants sont tirés au hasard. Même graine, mêmes paramètres : mêmes octets. \
                En CSV, les paiements vont dans FICHIER et les assurés dans FICHIER.assures.jsonl, à \
                importer en premier.
                """)

        @Option(name: .customLong("assures"), help: "Nombre d'assurés.")
        var persons = 10

        @Option(name: .customLong("mois"), help: "Nombre de mois de paiements.")
        var months = 27

        @Option(
            name: .customLong("fin"),
            help: ArgumentHelp("Dernier mois (AAAA-MM ; par défaut le mois dernier).", valueName: "AAAA-MM"))
        var lastMonth: Month?

        @Option(name: .customLong("graine"), help: "Graine du tirage aléatoire.")
        var seed: UInt64 = 2010

        @Option(name: .customLong("format"), help: "jsonl ou csv.")
        var format: String = "jsonl"

        @Option(name: .customLong("sortie"), help: ArgumentHelp("Fichier à écrire.", valueName: "FICHIER"))
        var output: String

        func validate() throws {
            guard persons >= 1 && persons <= 100_000_000 else {
                throw ValidationError("--assures doit être compris entre 1 et 100 000 000.")
            }
            guard months >= 1 && months <= 240 else { throw ValidationError("--mois doit être compris entre 1 et 240.") }
            guard SampleFeed.Format(rawValue: format) != nil else { throw ValidationError("--format : « jsonl » ou « csv ».") }
        }

        func run() async throws {
            let end = lastMonth ?? CivilDate.today.calendarMonth.adding(months: -1)
            let generator = SampleGenerator(seed: seed, months: months, lastMonth: end)
            let display = ProgressDisplay(label: "échantillon")
            let total = persons
            let summary = try await CLI.run {
                try SampleFeed(generator: generator).write(
                    persons: persons, to: output, format: SampleFeed.Format(rawValue: format)!
                ) {
                    done in display.update(fraction: Double(done) / Double(total), count: done, unit: "assuré")
                }
            }
            display.finish()
            print(
                "Écrit \(summary.files.joined(separator: " et ")) : \(CLI.number(summary.persons)) assurés, "
                    + "\(CLI.number(summary.payments)) paiements, \(CLI.number(summary.lines)) lignes, "
                    + "\(generator.firstMonth.withDe) à \(generator.lastMonth.formatted).")
        }
    }
}

extension CivilDate {
    /// Today in UTC, for defaults only: rules always take the date as a parameter.
    static var today: CivilDate {
        CivilDate(daysSinceEpoch: Int((Date().timeIntervalSince1970 / 86_400).rounded(.down)))
    }
}
