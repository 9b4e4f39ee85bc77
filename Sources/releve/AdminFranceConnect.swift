import ArgumentParser
import Foundation
import ReleveService

extension Releve.Admin {
    struct Franceconnect: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "franceconnect",
            abstract: "Connexion avec FranceConnect (ou un autre fournisseur OpenID Connect) : vérification des réglages.",
            discussion: """
                Les réglages viennent de l'environnement de « releve servir » et des commandes : \
                RELEVE_FC_EMETTEUR (émetteur du fournisseur), RELEVE_FC_CLIENT (identifiant client), \
                RELEVE_FC_SECRET_FICHIER (fichier du secret client, droits 0600) ou RELEVE_FC_SECRET, \
                RELEVE_FC_RETOUR et RELEVE_FC_APRES_DECONNEXION (par défaut sous l'adresse publique), \
                RELEVE_FC_ACR (niveaux acceptés, séparés par des virgules ; eidas1 par défaut), RELEVE_FC_NOM. \
                Le secret n'est jamais accepté en argument.
                """,
            subcommands: [Verifier.self])

        struct Verifier: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "verifier",
                abstract: "Lit la découverte et le jeu de clés du fournisseur et dit en français ce qui ne va pas.",
                discussion: """
                    Code de sortie 0 si tout est prêt, 78 si un réglage manque (émetteur, client, secret), \
                    69 si le fournisseur ne répond pas ou répond mal.
                    """)

            @OptionGroup var options: OperatorOptions

            func run() async throws {
                try await options.withServices { services in
                    guard let settings = services.federation.settings else {
                        print(
                            "FranceConnect n'est pas configuré : définissez au moins RELEVE_FC_EMETTEUR et RELEVE_FC_CLIENT, et le secret dans le fichier RELEVE_FC_SECRET_FICHIER."
                        )
                        throw ExitCode(78)
                    }
                    print("Fournisseur : \(settings.name)")
                    print("Émetteur : \(settings.issuer)")
                    print("Identifiant client : \(settings.clientID)")
                    print(
                        settings.clientSecret.isEmpty
                            ? "Secret client : ABSENT (RELEVE_FC_SECRET_FICHIER illisible ou vide, et RELEVE_FC_SECRET non défini)"
                            : "Secret client : présent (\(settings.clientSecret.count) caractères, non affiché)")
                    print("Adresse de retour : \(settings.redirectURI)")
                    print("Adresse après déconnexion : \(settings.postLogoutRedirectURI)")
                    print(
                        "Niveaux acceptés (acr) : \(settings.acceptedACR.isEmpty ? "aucun exigé" : settings.acceptedACR.joined(separator: ", "))"
                    )
                    let findings = try await services.federation.diagnose()
                    for finding in findings { print("\(finding.ok ? "✓" : "✗") \(finding.text)") }
                    if settings.clientSecret.isEmpty || settings.clientID.isEmpty { throw ExitCode(78) }
                    if findings.contains(where: { !$0.ok }) { throw ExitCode(69) }
                    print("Tout est prêt.")
                }
            }
        }
    }
}
