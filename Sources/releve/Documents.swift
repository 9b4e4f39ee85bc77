import ArgumentParser
import Foundation
import ReleveDomain
import ReleveService

/// Documents an assuré can hand to anyone (a payment's décompte, a yearly summary; a period is
/// `paiements --format pdf`), and the check anyone can run on a Releve document.
extension Releve {
    struct Decompte: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "decompte",
            abstract: "Écrit le décompte PDF d'un de vos paiements (27 derniers mois), vérifiable par qui le reçoit.")

        @OptionGroup var options: AssureOptions

        @Argument(
            help: ArgumentHelp(
                "La référence du paiement (colonne « Référence » de « paiements --format csv »).", valueName: "REFERENCE"))
        var reference: String

        @Option(name: .customLong("sortie"), help: ArgumentHelp("Fichier PDF à écrire.", valueName: "FICHIER"))
        var output: String

        func run() async throws {
            try await options.withUser { services, user in
                guard
                    let document = try await services.documents.payment(
                        user, reference: reference, today: CivilDate.today, now: Date())
                else {
                    throw ServiceError.invalidValue(
                        .invalid(
                            field: "paiement",
                            reason:
                                "« \(reference.prefix(40)) » ne fait pas partie de vos paiements des \(PaymentsService.maxMonths) derniers mois"
                        ))
                }
                try Documents.write(document, to: output, what: "Décompte du paiement \(reference)")
            }
        }
    }

    struct Recapitulatif: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "recapitulatif",
            abstract: "Écrit le récapitulatif annuel PDF de vos remboursements d'une année close.",
            discussion: """
                Totaux par bénéficiaire, par nature de soins et par mois. Une année close seulement, encore \
                consultable (les paiements des 27 derniers mois).
                """)

        @OptionGroup var options: AssureOptions

        @Argument(help: ArgumentHelp("L'année.", valueName: "AAAA"))
        var year: Int

        @Option(name: .customLong("sortie"), help: ArgumentHelp("Fichier PDF à écrire.", valueName: "FICHIER"))
        var output: String

        func run() async throws {
            try await options.withUser { services, user in
                let document = try await services.documents.yearly(user, year: year, today: CivilDate.today, now: Date())
                try Documents.write(document, to: output, what: "Récapitulatif \(year)")
            }
        }
    }

    struct VerifierDocument: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verifier-document",
            abstract: "Vérifie qu'un document Releve (relevé, décompte, récapitulatif…) est authentique. Sans connexion.",
            discussion: """
                Donnez le fichier PDF, ou la référence et l'empreinte imprimées en bas de ses pages. La réponse \
                dit seulement si le document est authentique, ce qu'il est, quand et par quelle caisse il a été \
                émis : ni nom, ni montant, ni numéro de sécurité sociale. Code de sortie 0 : authentique ; 65 : \
                inconnu ou modifié.
                """)

        @OptionGroup var options: AssureOptions

        @Argument(help: ArgumentHelp("Le fichier PDF reçu.", valueName: "FICHIER"))
        var file: String?

        @Option(
            name: .customLong("reference"), help: ArgumentHelp("La référence imprimée sur le document.", valueName: "REFERENCE"))
        var reference: String?

        @Option(
            name: .customLong("empreinte"),
            help: ArgumentHelp("L'empreinte SHA-256 imprimée sur le document.", valueName: "EMPREINTE"))
        var fingerprint: String?

        func validate() throws {
            guard (file != nil) != (reference != nil || fingerprint != nil) else {
                throw ValidationError("Donnez le fichier PDF, ou --reference et --empreinte (pas les deux).")
            }
            guard file != nil || (reference != nil && fingerprint != nil) else {
                throw ValidationError("--reference et --empreinte vont ensemble.")
            }
        }

        func run() async throws {
            try await options.withServices { services in
                let answer: DocumentService.CheckAnswer
                if let file {
                    let bytes = try CLI.runSync { try Documents.read(file) }
                    answer = try await services.documents.check(pdf: bytes, channel: "cli", now: Date())
                } else {
                    answer = try await services.documents.check(
                        reference: reference ?? "", fingerprint: fingerprint ?? "", channel: "cli", now: Date())
                }
                print(answer.french)
                if answer == .unknownOrAltered { throw ExitCode(65) }
            }
        }
    }
}

enum Documents {
    /// Writes a generated document all or nothing, and says what and where.
    static func write(_ document: DocumentService.Generated, to output: String, what: String) throws {
        try AtomicFile.write(document.bytes, to: output)
        print(
            "\(what) écrit dans \(output) (\(French.number(max(document.bytes.count / 1024, 1))) Ko, \(French.count(document.record.pages, "page")))."
        )
        print("Référence \(document.record.reference) ; empreinte \(document.record.fingerprint).")
        print("Qui le reçoit peut le vérifier : releve verifier-document, ou la page /verifier du site.")
    }

    /// A file to check, read whole only when it is small enough to be a Releve document.
    static func read(_ path: String) throws -> [UInt8] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw ServiceError.inputUnreadable(path: path, reason: "fichier introuvable, ou c'est un dossier")
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        guard size <= DocumentService.maxUpload else {
            throw ServiceError.invalidValue(
                .invalid(
                    field: "fichier",
                    reason: "plus de \(DocumentService.maxUpload / 1024 / 1024) Mo : ce n'est pas un document Releve"))
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ServiceError.inputUnreadable(path: path, reason: "fichier illisible")
        }
        return Array(data)
    }
}
