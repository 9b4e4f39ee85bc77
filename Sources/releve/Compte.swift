import ArgumentParser

extension Releve {
    struct Compte: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "compte",
            abstract: "Votre compte : code provisoire, ouverture, e-mail, code personnel, courrier, résiliation.",
            discussion: """
                Vous n'avez pas de compte : commandez un code provisoire (« releve compte code-provisoire »), \
                vous le recevrez par courrier, puis ouvrez votre compte (« releve compte activer »).
                Problème d'accès (code oublié, jamais reçu, compte verrouillé) : commandez un nouveau code \
                provisoire ; il vous permettra de choisir un nouveau code personnel et débloquera votre compte.
                """,
            subcommands: [
                Afficher.self, CodeProvisoire.self, Activer.self, ConfirmerEmail.self, ChangerCode.self, ChangerEmail.self,
                Courrier.self, Resilier.self,
            ],
            defaultSubcommand: Afficher.self)
    }
}
