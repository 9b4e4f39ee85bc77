import ArgumentParser
import Foundation
import ReleveDomain
import ReleveService

extension Releve.Compte {
    struct CodeProvisoire: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "code-provisoire",
            abstract: "Commande un code provisoire, envoyé par courrier (pour ouvrir un compte ou en retrouver l'accès).",
            discussion: """
                Les informations doivent correspondre à celles de votre caisse. Par confidentialité, la \
                réponse est la même qu'elles correspondent ou non. Le code arrive par courrier sous \
                \(AccessPolicy.postalDelay), vaut \(AccessPolicy.standard.provisionalCodeValidity) et ne sert qu'une fois. Sans option, les informations sont demandées.
                """)

        @OptionGroup var options: AssureOptions

        @Option(name: .customLong("nir"), help: ArgumentHelp("Numéro de sécurité sociale (13 caractères).", valueName: "NIR"))
        var nir: String?
        @Option(name: .customLong("nom"), help: "Nom de famille.")
        var lastName: String?
        @Option(name: .customLong("naissance"), help: ArgumentHelp("Date de naissance.", valueName: "JJ/MM/AAAA"))
        var birthDate: String?
        @Option(name: .customLong("code-postal"), help: "Code postal de votre domicile.")
        var postalCode: String?

        func run() async throws {
            try await options.withService { service in
                let answer = try await service.requestProvisionalCode(
                    nir: try nir ?? Input.line("Numéro de sécurité sociale (13 caractères)"),
                    lastName: try lastName ?? Input.line("Nom de famille"),
                    birthDate: try birthDate ?? Input.line("Date de naissance (JJ/MM/AAAA)"),
                    postalCode: try postalCode ?? Input.line("Code postal de votre domicile"), channel: .cli, now: Date())
                print(answer.message(service.policy))
                // No account here for another régime: its own exit code, documented.
                if case .otherRegime = answer { throw ExitCode(67) }
            }
        }
    }
}
