import ArgumentParser
import Foundation
import ReleveDomain
import ReleveService

extension Releve {
    struct Admin: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "admin",
            abstract:
                "Commandes de l'exploitant : maintenance, audit, courriers et lots d'impression, relevés, exports, réglages.",
            subcommands: [
                Maintenance.self, Audit.self, Courriers.self, Releves.self, Complementaires.self, Reglages.self, Verifier.self,
                Sauvegarde.self, Restaurer.self, Migrer.self, Retention.self, Stockage.self, Franceconnect.self,
                ConfigurationCommand.self,
            ])
    }
}

extension Releve.Admin {
    struct Maintenance: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "maintenance",
            abstract: "Suspend (on) ou rétablit (off) les opérations des assurés ; les commandes d'exploitation continuent.",
            discussion: "Sans argument : affiche l'état actuel.")

        @OptionGroup var options: OperatorOptions

        @Argument(help: ArgumentHelp("on ou off ; sans argument, l'état actuel est affiché.", valueName: "ETAT"))
        var state: String?

        @Option(name: .customLong("message"), help: "Message montré aux assurés (avec « on »).")
        var message = "Une opération de maintenance est en cours. Veuillez nous excuser pour la gêne occasionnée."

        func validate() throws {
            guard state == nil || state == "on" || state == "off" else {
                throw ValidationError("Indiquez « on » ou « off » (ou rien, pour voir l'état actuel).")
            }
        }

        func run() async throws {
            try await options.withService { service in
                guard let state else {
                    if let current = try await service.maintenanceMessage() {
                        print("Maintenance en cours : « \(current) »")
                    } else {
                        print("Pas de maintenance : le service est ouvert aux assurés.")
                    }
                    return
                }
                try await service.setMaintenance(state == "on" ? message : nil, now: Date())
                print(state == "on" ? "Maintenance activée : « \(message) »" : "Maintenance terminée : le service est rétabli.")
            }
        }
    }

    struct Audit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "audit", abstract: "Affiche le journal d'audit (UTC ; NIR masqués ; jamais de code ni de jeton).",
            discussion: """
                Une ligne par événement, du plus ancien au plus récent : date, événement, résultat, NIR masqué, canal, \
                détail. Avec --format json, un objet JSON par ligne avec les clés stables du journal (at en secondes \
                Unix, kind, outcome, subject, channel, detail).
                """)

        @OptionGroup var store: StoreOptions

        @Option(name: .customLong("nombre"), help: "Nombre d'événements, les plus récents.")
        var count = 50

        @Option(name: .customLong("format"), help: "texte ou json.")
        var format = "texte"

        func validate() throws {
            guard format == "texte" || format == "json" else { throw ValidationError("Format attendu : texte ou json.") }
        }

        struct Line: Encodable {
            let at: Int64
            let kind: String
            let outcome: String
            let subject: String?
            let channel: String?
            let detail: String?
        }

        func run() async throws {
            try await store.withServices(check: true) { services in
                let formatter = ISO8601DateFormatter()
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
                for event in try await services.accounts.auditTrail(limit: count) {
                    if format == "json" {
                        let line = Line(
                            at: event.at, kind: event.kind, outcome: event.outcome, subject: event.subject,
                            channel: event.channel, detail: event.detail)
                        print(String(decoding: try encoder.encode(line), as: UTF8.self))
                        continue
                    }
                    let when = formatter.string(from: Date(timeIntervalSince1970: TimeInterval(event.at)))
                    let fields = [
                        when, event.frenchKind, event.frenchOutcome, event.subject ?? "-", event.channel ?? "-",
                        event.detail ?? "",
                    ].map { $0.replacingOccurrences(of: "\n", with: "\\n").replacingOccurrences(of: "\r", with: "\\r") }
                    print(fields.joined(separator: "  "))
                }
            }
        }
    }
}
