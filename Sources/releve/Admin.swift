import ArgumentParser
import Foundation
import ReleveDomain
import ReleveService
import ReleveStore

extension Releve {
    struct Admin: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "admin",
            abstract: "Commandes de l'exploitant : maintenance, journal d'audit, courriers en attente.",
            subcommands: [Maintenance.self, Audit.self, Courriers.self, Releves.self])
    }
}

extension Releve.Admin {
    struct Maintenance: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "maintenance",
            abstract: "Suspend (on) ou rétablit (off) les opérations des assurés ; les commandes d'exploitation continuent.")

        @OptionGroup var options: AccountOptions

        @Argument(help: "on ou off.")
        var state: String

        @Option(name: .customLong("message"), help: "Message montré aux assurés (avec « on »).")
        var message = "Une opération de maintenance est en cours. Veuillez nous excuser pour la gêne occasionnée."

        func validate() throws {
            guard state == "on" || state == "off" else { throw ValidationError("Indiquez « on » ou « off ».") }
        }

        func run() async throws {
            try await options.withService { service in
                try await service.setMaintenance(state == "on" ? message : nil, now: Date())
                print(state == "on" ? "Maintenance activée : « \(message) »" : "Maintenance terminée : le service est rétabli.")
            }
        }
    }

    struct Audit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "audit", abstract: "Affiche le journal d'audit (UTC ; NIR masqués ; jamais de code ni de jeton).")

        @OptionGroup var store: StoreOptions

        @Option(name: .customLong("nombre"), help: "Nombre d'événements, les plus récents.")
        var count = 50

        func run() async throws {
            let store = try await self.store.open()
            defer { try? store.close() }
            try await CLI.run {
                let formatter = ISO8601DateFormatter()
                for event in try await store.auditEvents(limit: count) {
                    let when = formatter.string(from: Date(timeIntervalSince1970: TimeInterval(event.at)))
                    let fields = [
                        when, event.kind, event.outcome, event.subject ?? "-", event.channel ?? "-", event.detail ?? "",
                    ].map { $0.replacingOccurrences(of: "\n", with: "\\n").replacingOccurrences(of: "\r", with: "\\r") }
                    print(fields.joined(separator: "  "))
                }
            }
        }
    }

    struct Courriers: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "courriers",
            abstract: "Liste les courriers en attente d'impression, ou en affiche un (« afficher ID »).")

        @OptionGroup var store: StoreOptions

        @Argument(help: "« afficher » suivi du numéro d'un courrier.")
        var action: [String] = []

        @Flag(name: .customLong("tous"), help: "Inclure les courriers déjà imprimés ou postés.")
        var all = false

        func validate() throws {
            guard action.isEmpty || (action.count == 2 && action[0] == "afficher" && Int64(action[1]) != nil) else {
                throw ValidationError("Usage : releve admin courriers [afficher ID]")
            }
        }

        func run() async throws {
            let store = try await self.store.open()
            defer { try? store.close() }
            try await CLI.run {
                if action.count == 2, let id = Int64(action[1]) {
                    guard let letter = try await store.letter(id: Letter.ID(id)) else {
                        throw ServiceError.invalidValue(.invalid(field: "courrier", reason: "n°\(id) introuvable"))
                    }
                    print("Courrier n°\(letter.id) — \(letter.kind.french) — \(letter.status.rawValue)\n")
                    print(letter.recipient + "\n")
                    print(letter.body)
                    return
                }
                let letters = try await store.letters(all: all)
                if letters.isEmpty { print("Aucun courrier en attente.") }
                for letter in letters {
                    let firstLine = letter.recipient.split(separator: "\n").first ?? ""
                    print(
                        "n°\(letter.id)  \(letter.kind.french)  \(letter.status.rawValue)  \(firstLine)  \(letter.nir?.masked ?? "")"
                    )
                }
            }
        }
    }
}
