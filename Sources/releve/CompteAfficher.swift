import ArgumentParser
import Foundation
import ReleveDomain
import ReleveService

extension Releve.Compte {
    struct Afficher: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "afficher", abstract: "Affiche votre compte (nécessite d'être connecté).")

        @OptionGroup var options: AssureOptions
        @OptionGroup var output: FormatOptions

        func run() async throws {
            try await options.withUser { services, user in
                let person = user.person.person
                if output.json {
                    let (_, mode) = try await services.accounts.delivery(user, now: Date())
                    try FormatOptions.print(AccountJSON(user, delivery: mode))
                    return
                }
                var lines = [
                    person.fullName, "  NIR : \(person.nir.formatted)",
                    "  Caisse : \(person.caisse.name) — \(person.regime.name)",
                    "  Adresse : \(person.address.lines.joined(separator: ", ")), \(person.address.postalCode) \(person.address.city)",
                    "  E-mail : \(user.email)\(user.emailConfirmed ? " (confirmée)" : " (à confirmer : voir l'e-mail reçu)")",
                ]
                if let doctor = person.doctor {
                    lines.append("  Médecin traitant : \(doctor.name), déclaré le \(doctor.since.formatted)")
                } else {
                    lines.append(
                        "  Médecin traitant : aucun déclaré (consultations remboursées à \(TariffTable.standard.outsidePathwayRates(on: .today)))"
                    )
                }
                for beneficiary in person.beneficiaries {
                    let born = beneficiary.rank == 1 ? "" : " (naissance : \(beneficiary.birthDate.formatted))"
                    lines.append(
                        "  \(beneficiary.rank == 1 ? person.nir.sex.insuredLabel : "Bénéficiaire") : \(beneficiary.firstName)\(born) — complémentaire : \(beneficiary.complementaireFrench)"
                    )
                }
                let (month, mode) = try await services.accounts.delivery(user, now: Date())
                lines.append("  Relevé \(month.withDe) : \(mode.explanation).")
                print(lines.joined(separator: "\n"))
            }
        }
    }

    struct ChangerCode: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "code",
            abstract: "Change votre code personnel.",
            discussion: """
                Hors terminal, une réponse par ligne sur l'entrée standard : code actuel, nouveau code, \
                confirmation. Les autres connexions sont fermées ; un e-mail vous prévient.
                """)

        @OptionGroup var options: AssureOptions

        func run() async throws {
            try await options.withService { service in
                let token = try SessionFile.read()
                let user = try await service.authenticate(token: token, now: Date())
                let current = try CurrentCode.ask(user, policy: service.policy, prompt: "Code personnel actuel")
                let new = try Input.line("Nouveau code personnel (8 à 13 chiffres)", secret: true)
                let confirmation = try Input.line("Confirmez le nouveau code", secret: true)
                let session = try await service.changeCode(
                    token: token ?? "", current: current, new: new, confirmation: confirmation, channel: .cli, now: Date())
                try SessionFile.write(session.token)
                print("Code personnel changé. Les autres connexions ont été fermées ; un e-mail vous le confirme.")
            }
        }
    }

    struct ChangerEmail: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "email",
            abstract: "Change votre adresse e-mail (votre code personnel est demandé, sur l'entrée standard hors terminal).")

        @OptionGroup var options: AssureOptions

        @Option(name: .customLong("nouvelle"), help: ArgumentHelp("La nouvelle adresse.", valueName: "ADRESSE"))
        var email: String

        func run() async throws {
            try await options.withService { service in
                let token = try SessionFile.read()
                let user = try await service.authenticate(token: token, now: Date())
                let code = try CurrentCode.ask(user, policy: service.policy, prompt: "Code personnel")
                print(try await service.changeEmail(token: token ?? "", code: code, newEmail: email, channel: .cli, now: Date()))
            }
        }
    }
}
