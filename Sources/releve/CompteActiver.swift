import ArgumentParser
import Foundation
import ReleveDomain
import ReleveService

extension Releve.Compte {
    struct Activer: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "activer",
            abstract: "Ouvre votre compte avec le code provisoire reçu par courrier (ou en retrouve l'accès).",
            discussion: """
                Étapes : code provisoire ; conditions d'utilisation (oui/non) ; code provisoire à nouveau ; \
                code personnel de 8 à 13 chiffres, deux fois ; question secrète (numéro) et réponse, deux fois ; \
                adresse e-mail. Pour un compte existant (code oublié, compte verrouillé), la question et la \
                réponse sont celles déjà choisies.
                Hors terminal, une réponse par ligne sur l'entrée standard, dans cet ordre : code provisoire, \
                oui ou non, code provisoire, code personnel, confirmation, numéro de question, réponse, \
                confirmation, e-mail.
                """)

        @OptionGroup var options: AssureOptions

        @Option(name: .customLong("nir"), help: ArgumentHelp("Numéro de sécurité sociale (13 caractères).", valueName: "NIR"))
        var nir: String?

        func run() async throws {
            try await options.withService { service in
                let nir = try self.nir ?? Input.line("Numéro de sécurité sociale (13 caractères)")
                let first = try Input.line("Code provisoire reçu par courrier (8 chiffres)", secret: true)
                let check = try await service.checkProvisionalCode(nir: nir, code: first, channel: .cli, now: Date())
                CLI.printError("\nÉtape 1/4 — Conditions d'utilisation (\(check.fullName))\n")
                CLI.printError(AccountService.termsOfUse + "\n")
                let accepted = try Input.line("Acceptez-vous les conditions d'utilisation ? (oui/non)").lowercased()
                    .trimmingCharacters(in: .whitespaces)
                let acceptedTerms = accepted == "oui" || accepted == "o"
                guard acceptedTerms else {
                    // A choice, not an error: nothing is opened, and the same code serves later.
                    print(
                        "Conditions d'utilisation non acceptées : votre compte n'est pas ouvert et rien n'a été modifié. Votre code provisoire reste valable : relancez « releve compte activer » quand vous le souhaitez."
                    )
                    return
                }
                CLI.printError("\nÉtape 2/4 — Votre code personnel")
                let again = try Input.line("Code provisoire, à nouveau", secret: true)
                let code = try Input.line("Code personnel de votre choix (8 à 13 chiffres)", secret: true)
                let confirmation = try Input.line("Confirmez votre code personnel", secret: true)
                CLI.printError("\nÉtape 3/4 — Votre question secrète")
                if let question = check.question {
                    CLI.printError(
                        "Compte existant : répondez à la question choisie à l'ouverture — \(question.rawValue). \(question.french)"
                    )
                } else {
                    for question in SecretQuestion.allCases { CLI.printError("  \(question.rawValue). \(question.french)") }
                }
                let number = try Input.line("Numéro de la question")
                let answer = try Input.line("Réponse", secret: true)
                let answerAgain = try Input.line("Confirmez la réponse", secret: true)
                CLI.printError("\nÉtape 4/4 — Votre adresse e-mail")
                let email = try Input.line("Adresse e-mail")
                let result = try await service.openAccount(
                    AccountService.OpeningRequest(
                        nir: nir, provisionalCode: again, acceptedTerms: acceptedTerms, personalCode: code,
                        personalCodeConfirmation: confirmation, question: Int(number.trimmingCharacters(in: .whitespaces)) ?? 0,
                        answer: answer, answerConfirmation: answerAgain, email: email), channel: .cli, now: Date())
                print(result.message)
                print(
                    result.confirmationSent
                        ? "\(result.nextStep) (En ligne de commande : releve compte confirmer-email.) Connectez-vous avec « releve connexion »."
                        : "\(result.nextStep) Connectez-vous avec « releve connexion »."
                )
            }
        }
    }

    struct ConfirmerEmail: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "confirmer-email",
            abstract: "Confirme votre adresse e-mail avec le lien reçu (collé sur l'entrée standard).")

        @OptionGroup var options: AssureOptions

        func run() async throws {
            try await options.withService { service in
                let link = try Input.line("Lien reçu par e-mail", secret: false)
                print(try await service.confirmEmail(linkOrToken: link, channel: .cli, now: Date()))
            }
        }
    }
}
