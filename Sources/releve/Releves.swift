import ArgumentParser
import Foundation
import Logging
import ReleveDomain
import ReleveService

extension Releve {
    struct Releves: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "releves",
            abstract: "Vos relevés mensuels : la liste, le téléchargement d'un PDF, la vérification d'un fichier.",
            subcommands: [Lister.self, Telecharger.self, Verifier.self], defaultSubcommand: Lister.self)
    }
}

extension Releve.Releves {
    struct Lister: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "lister", abstract: "Liste vos relevés, du plus récent au plus ancien.")

        @OptionGroup var options: AssureOptions
        @OptionGroup var output: FormatOptions

        func run() async throws {
            try await options.withUser { services, user in
                let statements = try await services.statements.statements(
                    of: user)
                if output.json {
                    try FormatOptions.print(statements.map(StatementJSON.init))
                    return
                }
                guard !statements.isEmpty else {
                    print(
                        "Aucun relevé émis pour l'instant. Un relevé est émis au début de chaque mois où vous avez eu des paiements."
                    )
                    return
                }
                print(
                    PaymentsTable.row(
                        ["Mois", "Paiements", "Remboursé", "Taille", "Empreinte"], [16, 9, 12, 8, 20], rightAligned: [1, 2, 3]))
                for s in statements {
                    print(
                        PaymentsTable.row(
                            [
                                s.month.formatted, String(s.payments), s.reimbursed.formatted, "\(max(1, s.size / 1024)) Ko",
                                String(s.fingerprint.prefix(16)) + "…",
                            ],
                            [16, 9, 12, 8, 20], rightAligned: [1, 2, 3]))
                }
            }
        }
    }

    struct Telecharger: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "telecharger", abstract: "Écrit le PDF d'un relevé (rien de partiel n'est laissé en cas d'erreur).")

        @OptionGroup var options: AssureOptions

        @Argument(help: ArgumentHelp("Le mois du relevé.", valueName: "AAAA-MM"))
        var month: Month

        @Option(name: .customLong("sortie"), help: ArgumentHelp("Fichier PDF à écrire.", valueName: "FICHIER"))
        var output: String

        func run() async throws {
            try await options.withUser { services, user in
                let (statement, bytes) = try await services.statements.download(
                    user, month: month, today: CivilDate.today)
                try AtomicFile.write(bytes, to: output)
                print(
                    "Relevé \(statement.month.withDe) écrit dans \(output) (\(French.number(bytes.count / 1024)) Ko, \(French.count(statement.pages, "page")))."
                )
            }
        }
    }

    struct Verifier: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verifier", abstract: "Vérifie qu'un fichier PDF est bien l'un de vos relevés, intact.")

        @OptionGroup var options: AssureOptions

        @Argument(help: ArgumentHelp("Le fichier PDF à vérifier.", valueName: "FICHIER"))
        var file: String

        func run() async throws {
            try await options.withUser { services, user in
                guard let data = FileManager.default.contents(atPath: file) else {
                    throw ServiceError.inputUnreadable(path: file, reason: "fichier introuvable ou illisible")
                }
                if let statement = try await services.statements.verify(
                    user, bytes: Array(data))
                {
                    print(
                        "Authentique : ce fichier est votre relevé \(statement.month.withDe), émis le \(statement.issuedOn.formatted), intact."
                    )
                } else {
                    throw ServiceError.invalidValue(
                        .invalid(
                            field: "fichier",
                            reason: "ne correspond à aucun de vos relevés (modifié, ou relevé d'un autre assuré)"))
                }
            }
        }
    }
}

extension Releve.Admin {
    struct Releves: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "releves", abstract: "Émission des relevés mensuels.", subcommands: [Emettre.self])
    }
}

extension Releve.Admin.Releves {
    struct Emettre: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "emettre",
            abstract:
                "Émet les relevés d'un mois clos pour tous les assurés ayant des paiements (reprend là où il s'était arrêté).",
            discussion: """
                Chaque relevé est émis une seule fois et n'est jamais réécrit. Un paiement arrivé après l'émission \
                de son mois figure dans le relevé suivant. Relancer la commande ne fait que ce qui manque.

                Sur PostgreSQL, la commande peut tourner sur plusieurs machines à la fois (même base, même dossier \
                --archives partagé) : elles se partagent les assurés par lots, et si l'une s'arrête, les autres \
                reprennent son lot à la fin de son bail (--bail).
                """)

        @OptionGroup var options: OperatorOptions

        @Option(name: .customLong("mois"), help: ArgumentHelp("Le mois à émettre.", valueName: "AAAA-MM"))
        var month: Month

        @Option(name: .customLong("travailleurs"), help: "Rendus en parallèle (par défaut le nombre de cœurs).")
        var workers = ProcessInfo.processInfo.activeProcessorCount

        @Flag(
            name: .customLong("vignettes"),
            help: "Produire aussi la vignette PNG de chaque page 1 pendant l'émission (sinon : à la première consultation).")
        var thumbnails = false

        @Option(
            name: .customLong("bail"),
            help: ArgumentHelp(
                "Durée du bail d'un lot de relevés, en secondes : si cette machine s'arrête, une autre reprend son lot passé ce délai.",
                valueName: "SECONDES"))
        var lease: Int64 = 120

        func validate() throws {
            guard (1...86_400).contains(lease) else {
                throw ValidationError("--bail : entre 1 et 86 400 secondes (\(lease) donné)")
            }
        }

        /// The default since the thumbnails are made on first view; still accepted.
        @Flag(name: .customLong("sans-vignettes"), help: .hidden)
        var noThumbnails = false

        func run() async throws {
            let display = ProgressDisplay(label: "relevés \(month)")
            let logger = Logger(label: "releve-emission")
            let started = Date()
            let (month, workers, thumbnails, lease) = (month, max(1, workers), thumbnails && !noThumbnails, lease)
            let (summary, archive) = try await options.withServices(check: true) { services in
                let summary = try await CLI.stoppable { stop in
                    try await services.statements.issue(
                        month: month, today: CivilDate.today, now: Date(), workers: workers, thumbnails: thumbnails,
                        lease: lease, stopRequested: { stop.requested }
                    ) { progress in
                        display.update(
                            fraction: progress.total > 0 ? Double(progress.done) / Double(progress.total) : 1,
                            count: progress.done, unit: "relevé")
                    }
                }
                return (summary, services.settings.archive)
            }
            display.finish()
            logger.info(
                summary.interrupted ? "émission interrompue" : "émission terminée",
                metadata: [
                    "month": .string(month.description), "statements": .string(String(summary.issued)),
                    "already_issued": .string(String(summary.alreadyIssued)), "by_post": .string(String(summary.byPost)),
                    "duration_ms": .string(String(Int(Date().timeIntervalSince(started) * 1000))),
                ])
            Observability.writeMetricsFile(logger: logger)
            if summary.interrupted {
                CLI.printError(
                    "Émission \(month.withDe) interrompue à la demande (SIGTERM ou Ctrl-C) : \(French.number(summary.issued)) relevés émis et enregistrés ; relancez la même commande pour émettre le reste."
                )
                throw ExitCode(75)
            }
            print(
                "Relevés \(month.withDe) : \(French.number(summary.issued)) émis (\(French.count(summary.pages, "page"))), \(French.number(summary.alreadyIssued)) déjà émis auparavant ; \(French.number(summary.byPost)) mis au courrier, \(French.count(summary.notices, "avis envoyé", "avis envoyés")) par e-mail. Archives : \(archive)"
            )
            if !summary.skipped.isEmpty {
                CLI.printError(
                    "\(CLI.number(summary.skipped.count)) relevé\(summary.skipped.count > 1 ? "s" : "") non émis : données enregistrées incohérentes (les autres relevés sont émis ; relancez après correction) :"
                )
                for skipped in summary.skipped { CLI.printError("  \(skipped.person) : \(skipped.reason)") }
                throw ExitCode(70)
            }
        }
    }
}
