import ArgumentParser
import Foundation
import ReleveDomain
import ReleveService

extension Releve {
    struct Connexion: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "connexion",
            abstract: "Se connecter avec son numéro de sécurité sociale et son code personnel.",
            discussion: """
                Le code personnel est lu sans écho sur un terminal, ou sur la première ligne de l'entrée \
                standard. La session dure \(AccessPolicy.standard.sessionLimits) ; elle est gardée \
                dans $XDG_CONFIG_HOME/releve/session (droits 0600).
                """)

        @OptionGroup var options: AssureOptions

        @Option(name: .customLong("nir"), help: ArgumentHelp("Numéro de sécurité sociale (13 caractères).", valueName: "NIR"))
        var nir: String?

        func run() async throws {
            try await options.withService { service in
                let nir = try self.nir ?? Input.line("Numéro de sécurité sociale (13 caractères)")
                let code = try Input.line("Code personnel", secret: true)
                // The current session ends only once the new one is open: a typo, a lockout or
                // maintenance leave the assuré logged in as before.
                let previous = try SessionFile.read()
                let session = try await service.login(nir: nir, code: code, channel: .cli, now: Date())
                try SessionFile.write(session.token)
                if let previous, previous != session.token {
                    try? await service.logout(token: previous, channel: .cli, now: Date())
                }
                print("Bienvenue, \(session.fullName). Votre session est ouverte.")
            }
        }
    }

    struct Deconnexion: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "deconnexion", abstract: "Se déconnecter (ferme la session).")

        @OptionGroup var options: AssureOptions

        func run() async throws {
            try await options.withService { service in
                guard let token = try SessionFile.read() else {
                    print("Aucune session n'était ouverte : rien à fermer.")
                    return
                }
                try await service.logout(token: token, channel: .cli, now: Date())
                SessionFile.remove()
                print("Session fermée. À bientôt.")
            }
        }
    }
}
