import ArgumentParser
import Foundation
import ReleveDomain
import ReleveService

extension Releve {
    struct Duplicata: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "duplicata",
            abstract: "Demande un duplicata papier d'un relevé archivé, ou suit vos demandes (--suivi).",
            discussion: """
                Le duplicata est imprimé depuis l'archive, marqué « DUPLICATA », et posté à l'adresse connue de \
                votre caisse. Demander deux fois le même relevé avant son impression ne crée qu'une demande.
                """)

        @OptionGroup var options: AssureOptions

        @Argument(help: ArgumentHelp("Le mois du relevé.", valueName: "AAAA-MM"))
        var month: Month?

        @Flag(name: .customLong("suivi"), help: "Affiche vos demandes : demandé, imprimé, posté.")
        var follow = false

        @OptionGroup var output: FormatOptions

        func validate() throws {
            guard (month == nil) == follow else {
                throw ValidationError("Indiquez un mois (releve duplicata 2026-11) ou --suivi.")
            }
        }

        func run() async throws {
            try await options.withUser { services, user in
                let service = services.accounts
                if let month {
                    print(try await service.requestDuplicata(user, month: month, channel: .cli, now: Date()).message)
                    return
                }
                let requests = try await service.duplicatas(user)
                if output.json {
                    try FormatOptions.print(requests.map(DuplicataJSON.init))
                    return
                }
                if requests.isEmpty { print("Aucune demande de duplicata.") }
                for request in requests {
                    print("n°\(request.letterID)  relevé \(request.month.withDe)  \(request.statusText)")
                }
            }
        }
    }
}
