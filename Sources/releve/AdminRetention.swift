import ArgumentParser
import Foundation
import ReleveDomain
import ReleveService

extension Releve.Admin {
    struct Retention: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "retention",
            abstract: "Retire ce qui dépasse la durée de conservation : paiements de la base, relevés de l'archive.",
            discussion: """
                Sans argument (ou avec --simuler) : dit ce qui serait retiré, sans rien changer. Avec « appliquer » : \
                retire, mois par mois et par petits lots (une connexion n'attend jamais plus d'un lot), avec une ligne \
                d'audit par mois et un manifeste de ce qui est retiré dans ARCHIVES/retention/. Relancer ne retire \
                que ce qui reste ; une exécution interrompue (même kill -9) est terminée par la suivante.

                Durées (releve admin reglages) : paiements en ligne 27 mois par défaut (jamais moins : c'est la durée \
                promise), relevés dans l'archive 60 mois (jamais moins que les paiements). Ne sont jamais retirés : \
                un paiement qu'aucun relevé n'a encore repris, un relevé dont un courrier (duplicata, envoi postal) \
                attend l'impression, un relevé dont des paiements sont encore en ligne.
                """)

        enum Action: String, ExpressibleByArgument, CaseIterable {
            case appliquer
        }

        @OptionGroup var options: OperatorOptions
        @OptionGroup var output: FormatOptions

        @Argument(help: ArgumentHelp("« appliquer » pour retirer ; sans argument, simulation.", valueName: "appliquer"))
        var action: Action?

        @Flag(name: .customLong("simuler"), help: "Dit ce qui serait retiré, sans rien changer (par défaut).")
        var simulate = false

        @Option(
            name: .customLong("date"),
            help: ArgumentHelp("Date de référence des durées (par défaut aujourd'hui).", valueName: "AAAA-MM-JJ"))
        var date: CivilDate?

        @Option(name: .customLong("lot"), help: "Paiements ou relevés retirés par transaction (1 à 100 000).")
        var step = 1000

        func validate() throws {
            if simulate && action != nil {
                throw ValidationError("Choisissez : --simuler (rien n'est changé) ou « appliquer ».")
            }
            guard (1...100_000).contains(step) else { throw ValidationError("--lot : entre 1 et 100 000 (\(step) donné).") }
        }

        func run() async throws {
            let today = date ?? CivilDate.today
            if action == .appliquer {
                let display = ProgressDisplay(label: "rétention")
                let report = try await options.withServices(check: true) { services in
                    try await services.retention.apply(today: today, now: Date(), step: step) { progress in
                        display.update(
                            fraction: progress.total > 0 ? Double(progress.done) / Double(progress.total) : nil,
                            count: progress.done,
                            unit: progress.stage == .payments ? "paiement" : "relevé")
                    }
                }
                display.finish()
                if output.json { return try FormatOptions.print(Applied(report)) }
                print(Self.describe(report))
            } else {
                let plan = try await options.withServices { services in try await services.retention.plan(today: today) }
                if output.json { return try FormatOptions.print(Planned(plan)) }
                print(Self.describe(plan))
            }
        }

        static func describe(_ plan: RetentionService.Plan) -> String {
            var lines = [
                "Durées : paiements en ligne \(plan.policy.paymentMonths) mois (retirés : avant \(plan.paymentsBefore.formatted)), relevés archivés \(plan.policy.statementMonths) mois (retirés : avant \(plan.statementsBefore.formatted))."
            ]
            let payments = plan.candidates.payments.filter { $0.payments > 0 }
            if payments.isEmpty {
                lines.append("Paiements : aucun avant \(plan.paymentsBefore.formatted).")
            } else {
                lines.append(
                    "Paiements à retirer : \(French.number(plan.removablePayments)) (\(French.count(plan.removableLines, "ligne")))"
                        + (plan.keptUnstated > 0
                            ? " ; \(French.count(plan.keptUnstated, "paiement", "paiements")) sans relevé \(French.plural(plan.keptUnstated, "conservé", "conservés"))"
                            : "") + ".")
                for month in payments {
                    var line =
                        "  \(month.month.formatted) : \(French.count(month.payments - month.unstated, "paiement")), \(French.count(month.lines, "ligne"))"
                    if month.unstated > 0 { line += " ; \(French.number(month.unstated)) sans relevé, conservés" }
                    lines.append(line)
                }
            }
            if plan.candidates.statements.isEmpty {
                lines.append("Relevés : aucun à retirer avant \(plan.statementsBefore.formatted).")
            } else {
                lines.append(
                    "Relevés à retirer de l'archive : \(French.number(plan.removableStatements)) (\(French.bytes(plan.removableBytes)))."
                )
                for month in plan.candidates.statements {
                    lines.append(
                        "  \(month.month.formatted) : \(French.count(month.statements, "relevé")) (\(French.bytes(month.bytes)))")
                }
            }
            let held = plan.candidates.heldStatements
            if !held.isEmpty {
                let letters = held.filter { $0.reason == .pendingLetter }.count
                lines.append(
                    "Relevés conservés malgré leur âge : \(French.number(held.count)) (courrier en attente d'impression : \(French.number(letters)) ; paiements encore en ligne : \(French.number(held.count - letters)))."
                )
            }
            if plan.candidates.unfinishedFiles > 0 {
                lines.append(
                    "Une exécution interrompue a laissé \(French.count(plan.candidates.unfinishedFiles, "fichier")) à retirer de l'archive : la prochaine les retire."
                )
            }
            lines.append(
                plan.isEmpty
                    ? "Rien à retirer."
                    : "Simulation : rien n'a été retiré. Pour retirer : releve admin retention appliquer")
            return lines.joined(separator: "\n")
        }

        static func describe(_ report: RetentionService.Report) -> String {
            let statements = report.statements.values.reduce(0) { $0 + $1.count }
            let bytes = report.statements.values.reduce(0) { $0 + $1.bytes }
            var lines = [
                "Rétention appliquée : \(French.count(report.payments.payments, "paiement")) et \(French.count(report.payments.lines, "ligne")) \(French.plural(report.payments.payments + report.payments.lines, "retiré", "retirés")) de la base (avant \(report.plan.paymentsBefore.formatted)), \(French.count(statements, "relevé")) de l'archive (\(French.bytes(bytes)), avant \(report.plan.statementsBefore.formatted))."
            ]
            if report.finishedFiles > 0 {
                lines.append("Fichiers laissés par une exécution interrompue, retirés : \(French.number(report.finishedFiles)).")
            }
            if report.plan.keptUnstated > 0 {
                lines.append("Paiements sans relevé conservés : \(French.number(report.plan.keptUnstated)).")
            }
            if !report.plan.candidates.heldStatements.isEmpty {
                lines.append(
                    "Relevés conservés (courrier en attente ou paiements en ligne) : \(French.number(report.plan.candidates.heldStatements.count))."
                )
            }
            if let manifest = report.manifest {
                lines.append("Manifeste : \(manifest) (dans le dossier des archives).")
            } else {
                lines = [
                    "Rien à retirer : paiements avant \(report.plan.paymentsBefore.formatted), relevés avant \(report.plan.statementsBefore.formatted)."
                ]
                if report.plan.keptUnstated > 0 {
                    lines.append("Paiements sans relevé conservés : \(French.number(report.plan.keptUnstated)).")
                }
            }
            return lines.joined(separator: "\n")
        }

        struct Month: Encodable {
            var month: String
            var payments: Int?
            var lines: Int?
            var kept: Int?
            var statements: Int?
            var bytes: Int64?

            enum CodingKeys: String, CodingKey {
                case month = "mois"
                case payments = "paiements"
                case lines = "lignes"
                case kept = "conserves"
                case statements = "releves"
                case bytes = "octets"
            }
        }

        struct Planned: Encodable {
            var policy: RetentionPolicy
            var paymentsBefore: String
            var statementsBefore: String
            var payments: [Month]
            var statements: [Month]
            var held: [[String: String]]
            var unfinishedFiles: Int

            init(_ plan: RetentionService.Plan) {
                policy = plan.policy
                paymentsBefore = plan.paymentsBefore.description
                statementsBefore = plan.statementsBefore.description
                payments = plan.candidates.payments.map {
                    Month(month: $0.month.description, payments: $0.payments - $0.unstated, lines: $0.lines, kept: $0.unstated)
                }
                statements = plan.candidates.statements.map {
                    Month(month: $0.month.description, statements: $0.statements, bytes: $0.bytes)
                }
                held = plan.candidates.heldStatements.map {
                    [
                        "reference": $0.reference, "mois": $0.month.description,
                        "raison": $0.reason == .pendingLetter ? "courrier_en_attente" : "paiements_en_ligne",
                    ]
                }
                unfinishedFiles = plan.candidates.unfinishedFiles
            }

            enum CodingKeys: String, CodingKey {
                case policy = "duree"
                case paymentsBefore = "paiements_avant"
                case statementsBefore = "releves_avant"
                case payments = "paiements"
                case statements = "releves"
                case held = "releves_conserves"
                case unfinishedFiles = "fichiers_a_terminer"
            }
        }

        struct Applied: Encodable {
            var plan: Planned
            var payments: [Month]
            var statements: [Month]
            var finishedFiles: Int
            var manifest: String?

            init(_ report: RetentionService.Report) {
                plan = Planned(report.plan)
                payments = report.payments.byMonth.keys.sorted().map { month in
                    let counts = report.payments.byMonth[month]!
                    return Month(month: month.description, payments: counts.payments, lines: counts.lines)
                }
                statements = report.statements.keys.sorted().map { month in
                    let counts = report.statements[month]!
                    return Month(month: month.description, statements: counts.count, bytes: counts.bytes)
                }
                finishedFiles = report.finishedFiles
                manifest = report.manifest
            }

            enum CodingKeys: String, CodingKey {
                case plan = "prevu"
                case payments = "paiements_retires"
                case statements = "releves_retires"
                case finishedFiles = "fichiers_termines"
                case manifest = "manifeste"
            }
        }
    }
}
