import ArgumentParser

/// The CLI is a table of contents (STYLE.md habit 9): each subcommand lives in its own file,
/// parses, calls ReleveService, prints.
@main
struct Releve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "releve",
        abstract: "Releve : vos remboursements d'assurance maladie et vos relevés mensuels.",
        discussion: """
            Codes de sortie : 0 succès, 64 commande mal formée, 65 donnée refusée, 66 fichier \
            introuvable, 69 service en maintenance, 70 erreur interne, 73 fichier impossible à \
            écrire, 74 base de données inutilisable, 75 trop de demandes (réessayez plus tard), \
            77 accès refusé (code incorrect, compte bloqué, session absente ou expirée).
            """,
        version: ReleveVersion.current,
        subcommands: [
            Connexion.self,
            Deconnexion.self,
            Compte.self,
            Paiements.self,
            MedecinTraitant.self,
            Releves.self,
            Duplicata.self,
            Importer.self,
            Echantillon.self,
            NirCommand.self,
            Demo.self,
            Servir.self,
            Admin.self,
        ]
    )
}

enum ReleveVersion {
    static let current = "0.1.0"
}
