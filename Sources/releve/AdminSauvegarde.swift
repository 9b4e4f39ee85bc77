import ArgumentParser
import Foundation
import ReleveService

extension Releve.Admin {
    struct Sauvegarde: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "sauvegarde",
            abstract: "Sauvegarde la base dans un fichier neuf, cohérent même pendant un import ou le service web.",
            discussion: """
                API de sauvegarde de SQLite dans une seule transaction de lecture (un instantané), copie relue \
                (integrity_check) puis synchronisée, droits 0600. À côté : FICHIER.manifeste.csv, la liste des \
                relevés archivés (référence, fichier, SHA-256), pour vérifier les archives que l'on sauvegarde \
                avec la base (dossier BASE.archives). Restauration : releve admin restaurer.
                """)

        @OptionGroup var options: OperatorOptions

        @Option(
            name: .customLong("vers"),
            help: ArgumentHelp("Fichier de sauvegarde à créer (ne doit pas exister).", valueName: "FICHIER"))
        var destination: String

        func run() async throws {
            try await options.withServices(check: true) { services in
                let report = try await services.operations.backup(to: destination)
                print(
                    """
                    Sauvegarde écrite : \(destination) (\(CLI.number(report.bytes / 1024)) Kio, droits 0600)
                      \(CLI.number(report.persons)) assurés, \(CLI.number(report.payments)) paiements, \(CLI.number(report.paymentLines)) lignes, \(CLI.number(report.statements)) relevés
                      empreinte du contenu : \(report.contentDigest)
                    Manifeste des archives : \(destination).manifeste.csv (sauvegardez aussi le dossier \(services.settings.archive))
                    """)
            }
        }
    }

    struct Restaurer: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "restaurer",
            abstract: "Restaure une sauvegarde vers un emplacement vide, puis la vérifie.",
            discussion: """
                La sauvegarde est vérifiée (integrity_check), copiée vers la nouvelle base, ouverte comme une base \
                Releve (réglages, migrations), puis ses comptes et son empreinte de contenu sont comparés à ceux de \
                la sauvegarde. Rien n'est écrasé : la base cible ne doit pas exister.
                """)

        @Option(name: .customLong("depuis"), help: ArgumentHelp("Fichier de sauvegarde.", valueName: "FICHIER"))
        var source: String

        @Option(
            name: .customLong("base"), help: ArgumentHelp("Nouvelle base à créer (ne doit pas exister).", valueName: "CHEMIN"))
        var destination: String

        func run() async throws {
            try await CLI.run {
                let (backup, restored) = try await OperationsService.restore(from: source, to: destination)
                print(
                    """
                    Base restaurée : \(destination)
                      \(CLI.number(restored.persons)) assurés, \(CLI.number(restored.payments)) paiements, \(CLI.number(restored.paymentLines)) lignes, \(CLI.number(restored.statements)) relevés : identiques à la sauvegarde
                      empreinte du contenu : \(restored.contentDigest) (sauvegarde : \(backup.contentDigest))
                    Vérifiez les archives avec : releve admin verifier --base \(destination) --archives DOSSIER
                    """)
            }
        }
    }
}
