import ArgumentParser
import Foundation
import ReleveDomain
import ReleveService

extension Releve.Compte {
    struct Resilier: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "resilier",
            abstract: "Résilie votre compte : vos relevés vous seront de nouveau envoyés par courrier.",
            discussion: """
                Ce qui change est affiché avant toute action. Votre code personnel est redemandé, puis une \
                confirmation explicite : tapez RESILIER. Hors terminal, une réponse par ligne sur l'entrée \
                standard : code personnel, puis RESILIER.
                """)

        @OptionGroup var options: AssureOptions

        func run() async throws {
            try await options.withService { service in
                let token = try SessionFile.read()
                let user = try await service.authenticate(token: token, now: Date())
                var lines = ["Résilier le compte de \(user.person.person.fullName) :"]
                lines += AccountService.cancellationConsequences.map { "  • " + $0 }
                FileHandle.standardError.write(Data((lines.joined(separator: "\n") + "\n").utf8))
                let code = try CurrentCode.ask(user, policy: service.policy, prompt: "Code personnel")
                let confirmation = try Input.line("Pour confirmer, tapez RESILIER")
                let message = try await service.cancelAccount(
                    token: token, code: code,
                    confirmed: confirmation.trimmingCharacters(in: .whitespaces) == "RESILIER", channel: .cli,
                    now: Date())
                SessionFile.remove()
                print(message)
            }
        }
    }

    struct Courrier: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "courrier", abstract: "Indique comment vous recevez vos relevés (en ligne, par courrier) et pourquoi.")

        @OptionGroup var options: AssureOptions

        func run() async throws {
            try await options.withUser { services, user in
                let service = services.accounts
                let (month, mode) = try await service.delivery(user, now: Date())
                print("Relevé \(month.withDe) (émis au début du mois suivant) : \(mode.explanation).")
                print(
                    """
                    Règles : titulaire d'un compte, vous recevez vos relevés en ligne, sans papier ; si l'un de vos \
                    bénéficiaires a une complémentaire qui ne reçoit pas vos remboursements par voie électronique \
                    (NOEMIE), le papier continue. Une ouverture ou une résiliation prend effet avec le relevé du mois \
                    suivant l'ouverture, ou avec le relevé du mois en cours pour une résiliation.
                    Duplicata papier d'un relevé : releve duplicata AAAA-MM.
                    """)
            }
        }
    }
}
