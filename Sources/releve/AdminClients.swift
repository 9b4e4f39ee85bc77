import ArgumentParser
import Foundation
import ReleveDomain
import ReleveService

/// The complementary insurers' API clients: created with a secret shown once, renewed,
/// revoked, listed (docs in the README, "Complementary insurers' API").
extension Releve.Admin.Complementaires {
    struct Client: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "client",
            abstract: "Les accès des complémentaires à l'API (OAuth 2.0, identifiants client).",
            subcommands: [Creer.self, Renouveler.self, Revoquer.self, Lister.self], defaultSubcommand: Lister.self)
    }
}

extension Releve.Admin.Complementaires.Client {
    struct Creer: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "creer",
            abstract: "Crée l'accès d'une complémentaire ; son secret n'est affiché qu'une fois.")

        @OptionGroup var options: OperatorOptions

        @Argument(help: ArgumentHelp("Le code de l'organisme complémentaire (numéro AMC du flux).", valueName: "AMC"))
        var code: String

        @Option(name: .customLong("nom"), help: ArgumentHelp("Le nom de l'organisme.", valueName: "NOM"))
        var name: String

        func run() async throws {
            try await options.withServices { services in
                let (client, secret) = try await services.insurerAPI.createClient(insurer: code, name: name, now: Date())
                print("Accès créé pour \(client.name) (\(client.insurerCode)).")
                print("Identifiant client : \(client.clientID)")
                print("Secret (affiché une seule fois, à transmettre par un canal sûr) : \(secret)")
            }
        }
    }

    struct Renouveler: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "renouveler",
            abstract: "Donne un nouveau secret à un client ; l'ancien et ses jetons cessent de fonctionner.")

        @OptionGroup var options: OperatorOptions

        @Argument(help: ArgumentHelp("L'identifiant client.", valueName: "IDENTIFIANT"))
        var clientID: String

        func run() async throws {
            try await options.withServices { services in
                guard let secret = try await services.insurerAPI.rotate(clientID: clientID, now: Date()) else {
                    throw ServiceError.invalidValue(
                        .invalid(field: "client", reason: "« \(clientID.prefix(60)) » inconnu ou révoqué"))
                }
                print("Nouveau secret de \(clientID) (affiché une seule fois) : \(secret)")
            }
        }
    }

    struct Revoquer: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "revoquer", abstract: "Révoque un client : ses jetons et son secret cessent de fonctionner.")

        @OptionGroup var options: OperatorOptions

        @Argument(help: ArgumentHelp("L'identifiant client.", valueName: "IDENTIFIANT"))
        var clientID: String

        func run() async throws {
            try await options.withServices { services in
                if try await services.insurerAPI.revoke(clientID: clientID, now: Date()) {
                    print("Client \(clientID) révoqué.")
                } else {
                    print("Client \(clientID) inconnu ou déjà révoqué : rien à faire.")
                }
            }
        }
    }

    struct Lister: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "lister", abstract: "Liste les clients des complémentaires.")

        @OptionGroup var options: OperatorOptions

        func run() async throws {
            try await options.withServices { services in
                let clients = try await services.insurerAPI.clients()
                if clients.isEmpty { print("Aucun client : « releve admin complementaires client creer AMC --nom NOM ».") }
                for client in clients {
                    let state =
                        client.revokedAt.map { "révoqué le \(CivilDate(unixSeconds: $0).formatted)" }
                        ?? "actif depuis le \(CivilDate(unixSeconds: client.createdAt).formatted)"
                    print("\(client.clientID)  \(client.insurerCode)  \(client.name)  \(state)")
                }
            }
        }
    }
}
