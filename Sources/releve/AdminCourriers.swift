import ArgumentParser
import CoreMetrics
import Foundation
import Logging
import ReleveDomain
import ReleveService

extension Releve.Admin {
    struct Courriers: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "courriers",
            abstract: "Courriers postaux : liste, détail, lots d'impression, remise à La Poste.",
            subcommands: [Lister.self, Afficher.self, Lot.self, Poste.self],
            defaultSubcommand: Lister.self,
            aliases: ["courrier"])
    }
}

/// The directory of print batches: `--lots`, or BASE.lots.
struct BatchOptions: ParsableArguments {
    @Option(
        name: .customLong("lots"),
        help: ArgumentHelp("Dossier des lots d'impression ; par défaut BASE.lots.", valueName: "DOSSIER"))
    var directory: String?

    /// `--lots` over the installation's default.
    func settings(_ options: OperatorOptions) throws -> ReleveSettings {
        var settings = try options.settings()
        if let directory { settings.printBatches = directory }
        return settings
    }
}

extension Releve.Admin.Courriers {
    struct Lister: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "lister", abstract: "Liste les courriers en attente d'impression (ou tous avec --tous).")

        @OptionGroup var store: StoreOptions

        @Flag(name: .customLong("tous"), help: "Inclure les courriers déjà imprimés ou postés.")
        var all = false

        @OptionGroup var output: FormatOptions

        struct Entry: Encodable {
            let numero: Int64
            let type: String
            let statut: String
            let destinataire: [String]
            let nirMasque: String?
            let creeLe: Int64
            let releve: Int64?
            let lot: Int64?
        }

        func run() async throws {
            try await store.withServices { services in
                let letters = try await services.printing.letters(all: all)
                if output.json {
                    try FormatOptions.print(
                        letters.map {
                            Entry(
                                numero: $0.id.rawValue, type: $0.kind.rawValue, statut: $0.status.rawValue,
                                destinataire: $0.recipient.components(separatedBy: "\n"), nirMasque: $0.nir?.masked,
                                creeLe: $0.createdAt, releve: $0.statementID?.rawValue, lot: $0.batchID?.rawValue)
                        })
                    return
                }
                if letters.isEmpty { print("Aucun courrier en attente.") }
                for letter in letters {
                    let firstLine = letter.recipient.split(separator: "\n").first ?? ""
                    print(
                        "n°\(letter.id)  \(letter.kind.french)  \(letter.status.french)  \(firstLine)  \(letter.nir?.masked ?? "")"
                    )
                }
            }
        }
    }

    struct Afficher: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "afficher", abstract: "Affiche un courrier.")

        @OptionGroup var store: StoreOptions

        @Argument(help: ArgumentHelp("Le numéro du courrier.", valueName: "NUMERO"))
        var id: Int64

        func run() async throws {
            try await store.withServices { services in
                let letter = try await services.printing.letter(id: Letter.ID(id))
                print("Courrier n°\(letter.id) — \(letter.kind.french) — \(letter.status.french)\n")
                print(letter.recipient + "\n")
                print(letter.body)
            }
        }
    }

    struct Lot: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "lot",
            abstract: "Imprime en un PDF (et son manifeste CSV) tous les courriers en attente à la fin de la date donnée.",
            discussion: """
                Codes provisoires, relevés postaux, duplicatas, confirmations de résiliation : A4, adresse dans la \
                fenêtre de l'enveloppe, chaque courrier commence sur un recto. Les courriers sont marqués imprimés \
                en une seule transaction, une fois le lot écrit sur disque. Relancer la même date redonne le même \
                lot. Une adresse qui ne tient pas dans la fenêtre laisse son courrier en attente, avec la raison.
                """)

        @OptionGroup var options: OperatorOptions
        @OptionGroup var batches: BatchOptions

        @Option(name: .customLong("date"), help: ArgumentHelp("Date du lot (par défaut aujourd'hui).", valueName: "AAAA-MM-JJ"))
        var date: CivilDate?

        func run() async throws {
            var settings = try CLI.runSync { try batches.settings(options) }
            settings.checkOnOpen = true
            let date = self.date ?? CivilDate.today
            let display = ProgressDisplay(label: "lot \(date)")
            let result = try await CLI.open(settings) { services in
                try await services.printing.makeBatch(date: date, now: Date()) { done, total in
                    display.update(fraction: Double(done) / Double(max(total, 1)), count: done, unit: "courrier")
                }
            }
            display.finish()
            let directory = settings.printBatches
            switch result {
            case .created(let batch, let skipped, let abridged):
                print(
                    "Lot \(batch.reference) : \(batch.letters) courrier\(batch.letters > 1 ? "s" : ""), \(batch.pages) pages, \(batch.volumes) fichier\(batch.volumes > 1 ? "s" : "") PDF (\(batch.volumeFiles.first!)…) et le manifeste \(batch.manifest), dans \(directory)."
                )
                report(skipped)
                for item in abridged {
                    FileHandle.standardError.write(Data("Courrier n°\(item.letter) : \(item.reason).\n".utf8))
                }
            case .existing(let batch):
                print(
                    "Le lot \(batch.reference) du \(batch.date.formattedLong) existe déjà (\(French.count(batch.letters, "courrier")), \(French.count(batch.pages, "page")), \(French.count(batch.volumes, "fichier")) dans \(directory)), vérifié. Rien de nouveau n'a été imprimé."
                )
            case .empty(let skipped):
                print("Aucun courrier à imprimer au \(date.formattedLong) : pas de lot produit.")
                report(skipped)
            }
            let logger = Logger(label: "releve-courriers")
            var metadata: Logger.Metadata = ["date": .string(date.description)]
            if case .created(let batch, _, _) = result {
                metadata["batch"] = .string(batch.reference)
                metadata["letters"] = .string(String(batch.letters))
            }
            logger.info("lot d'impression terminé", metadata: metadata)
            Observability.writeMetricsFile(logger: logger)
        }

        func report(_ skipped: [PrintService.Skipped]) {
            for item in skipped {
                FileHandle.standardError.write(Data("Courrier n°\(item.letter) laissé en attente : \(item.reason)\n".utf8))
            }
        }
    }

    struct Poste: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "poste", abstract: "Marque un lot remis à La Poste : ses courriers passent à « posté ».")

        @OptionGroup var options: OperatorOptions
        @OptionGroup var batches: BatchOptions

        @Argument(help: ArgumentHelp("La référence du lot.", valueName: "LOT-AAAAMMJJ"))
        var reference: String

        func run() async throws {
            try await CLI.open(try CLI.runSync { try batches.settings(options) }) { services in
                let (batch, already) = try await services.printing.markPosted(reference: reference, now: Date())
                print(
                    already
                        ? "Le lot \(batch.reference) était déjà marqué posté."
                        : "Lot \(batch.reference) marqué posté : \(batch.letters) courrier\(batch.letters > 1 ? "s" : "")."
                )
            }
        }
    }
}

extension Releve.Admin {
    struct Complementaires: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "complementaires",
            abstract: "Exports vers les complémentaires reliées par NOEMIE, et leurs accès à l'API (clients).",
            subcommands: [Exporter.self, Client.self])
    }

    struct Reglages: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "reglages", abstract: "Affiche ou change les réglages d'exploitation.")

        @OptionGroup var options: OperatorOptions

        @Option(name: .customLong("duplicatas-par-mois"), help: "Duplicatas qu'un assuré peut demander par mois (0 à 100).")
        var duplicataQuota: Int?

        @Option(
            name: .customLong("paiements-mois"),
            help: "Mois de paiements gardés en ligne (27 à 1 200 ; 27 par défaut) ; au-delà, releve admin retention les retire.")
        var paymentMonths: Int?

        @Option(
            name: .customLong("releves-mois"),
            help: "Mois de relevés gardés dans l'archive (au moins les mois de paiements ; 60 par défaut).")
        var statementMonths: Int?

        func run() async throws {
            try await options.withServices { services in
                let service = services.accounts
                if let duplicataQuota { try await service.setDuplicataQuota(duplicataQuota, now: Date()) }
                let policy =
                    paymentMonths == nil && statementMonths == nil
                    ? try await services.retention.policy()
                    : try await services.retention.setPolicy(
                        paymentMonths: paymentMonths, statementMonths: statementMonths, now: Date())
                print("Duplicatas par assuré et par mois : \(try await service.duplicataQuota())")
                print("Paiements gardés en ligne : \(policy.paymentMonths) mois")
                print("Relevés gardés dans l'archive : \(policy.statementMonths) mois")
            }
        }
    }
}

extension Releve.Admin.Complementaires {
    struct Exporter: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "exporter",
            abstract: "Écrit, pour chaque complémentaire reliée, les lignes qui lui sont transmises depuis son export précédent.",
            discussion:
                "Format : docs/complementaire-export.md. Relancer la même date ne réécrit rien ; chaque ligne n'est exportée qu'une fois."
        )

        @OptionGroup var store: StoreOptions

        @Option(
            name: .customLong("date"), help: ArgumentHelp("Date de l'export (par défaut aujourd'hui).", valueName: "AAAA-MM-JJ"))
        var date: CivilDate?

        @Option(
            name: .customLong("dossier"),
            help: ArgumentHelp("Dossier des exports ; par défaut BASE.exports.", valueName: "DOSSIER"))
        var directory: String?

        func run() async throws {
            var settings = store.settings()
            if let directory { settings.insurerExports = directory }
            settings.checkOnOpen = true
            let directory = settings.insurerExports
            try await CLI.open(settings) { services in
                let outcomes = try await services.insurerExports.export(
                    date: date ?? CivilDate.today, now: Date())
                if outcomes.isEmpty {
                    print("Aucune complémentaire n'a de liaison NOEMIE active : aucun fichier produit.")
                }
                for outcome in outcomes {
                    let lines = "\(CLI.number(outcome.export.lines)) ligne\(outcome.export.lines > 1 ? "s" : "")"
                    print(
                        outcome.new
                            ? "\(outcome.insurer.name) (\(outcome.insurer.code)) : \(lines) → \(directory)/\(outcome.export.file)"
                            : "\(outcome.insurer.name) (\(outcome.insurer.code)) : export du \(outcome.export.date) déjà fait (\(lines)), inchangé."
                    )
                    Counter(label: "releve_insurer_export_lines_total", dimensions: [("insurer", outcome.insurer.code)])
                        .increment(by: outcome.new ? outcome.export.lines : 0)
                }
                let logger = Logger(label: "releve-exports")
                logger.info(
                    "exports des complémentaires terminés",
                    metadata: [
                        "files": .string(String(outcomes.filter(\.new).count)),
                        "lines": .string(String(outcomes.filter(\.new).reduce(0) { $0 + $1.export.lines })),
                    ])
                Observability.writeMetricsFile(logger: logger)
            }
        }
    }
}
