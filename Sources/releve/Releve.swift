import ArgumentParser

#if canImport(Glibc)
    import Glibc
#endif

/// The CLI is a table of contents (STYLE.md habit 9): each subcommand lives in its own file,
/// parses, calls ReleveService, prints.
@main
struct Releve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "releve",
        abstract: "Releve : vos remboursements d'assurance maladie et vos relevés mensuels.",
        discussion: """
            Codes de sortie : 0 succès (ou choix, ou rien à faire, expliqués), 64 commande mal formée, \
            65 donnée refusée, 66 fichier introuvable, 67 pas de compte ici (assuré d'un autre régime), \
            68 identité FranceConnect sans assuré correspondant (ou avec plusieurs), \
            69 service en maintenance ou FranceConnect indisponible, 70 erreur interne, 73 fichier impossible à \
            écrire, 74 base de données inutilisable, 75 trop de demandes (réessayez plus tard), \
            77 accès refusé (code incorrect, compte bloqué, session absente ou expirée, réponse de \
            FranceConnect refusée), 78 réglage manquant ou fichier de configuration refusé.

            Configuration : --configuration FICHIER (n'importe où sur la ligne), sinon la variable \
            RELEVE_CONFIGURATION, sinon ./releve.toml s'il existe. Ordre : option, puis variable \
            d'environnement, puis fichier, puis valeur par défaut ; « releve admin configuration » \
            affiche le résultat.
            """,
        version: ReleveVersion.current,
        subcommands: [
            Connexion.self,
            Deconnexion.self,
            Compte.self,
            Paiements.self,
            MedecinTraitant.self,
            Releves.self,
            Decompte.self,
            Recapitulatif.self,
            Duplicata.self,
            VerifierDocument.self,
            Importer.self,
            Echantillon.self,
            NirCommand.self,
            Demo.self,
            Servir.self,
            Admin.self,
        ],
        helpNames: [.short, .customLong("aide")]
    )

    /// Before any command: every file Releve creates is private (0600, folders 0700) whatever
    /// the umask it was started with, and a file size limit (`ulimit -f`) makes writes fail
    /// with EFBIG, reported as a full disk, instead of killing the process with SIGXFSZ.
    static func main() async {
        umask(0o077)
        signal(SIGXFSZ, SIG_IGN)
        // The configuration file first (its values are environment variables from here on),
        // then the log and metrics backends it configures.
        let arguments = Configuration.load(Array(CommandLine.arguments.dropFirst()))
        Observability.bootstrap(arguments: arguments)
        do {
            var command = try await asyncParseAsRoot(FrenchCLI.arguments(arguments))
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            FrenchCLI.fail(Self.self, with: error)
        }
    }
}

enum ReleveVersion {
    static let current = "0.1.0"
}
