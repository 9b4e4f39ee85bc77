import Foundation
import ReleveDomain

// The JSON shapes of an assuré's resources, one per resource, shared by the API (openapi.yaml)
// and the command line's `--format json`: the same keys on both faces. Property names become
// snake_case keys through the encoders (`emisLe` → `emis_le`).

/// An archived statement.
public struct StatementJSON: Encodable, Sendable {
    let mois: String
    let reference: String
    let emisLe: String
    let paiements: Int
    let rembourse: Int64
    let pages: Int
    let taille: Int
    let empreinte: String
    let sha256: String

    public init(_ statement: ArchivedStatement) {
        mois = statement.month.description
        reference = statement.reference
        emisLe = statement.issuedOn.description
        paiements = statement.payments
        rembourse = statement.reimbursed.rawValue
        pages = statement.pages
        taille = statement.size
        empreinte = statement.fingerprint
        sha256 = statement.sha256
    }
}

/// A duplicata request and where it stands.
public struct DuplicataJSON: Encodable, Sendable {
    let numero: Int64
    let mois: String
    let reference: String
    let statut: String
    let demandeLe: String
    let imprimeLe: String?
    let posteLe: String?

    public init(_ request: DuplicataRequest) {
        numero = request.letterID.rawValue
        mois = request.month.description
        reference = request.reference
        statut =
            switch request.status {
            case .pending: "demande"
            case .printed: "imprime"
            case .posted: "poste"
            }
        demandeLe = Self.date(request.requestedAt)
        imprimeLe = request.printedAt.map(Self.date)
        posteLe = request.postedAt.map(Self.date)
    }

    static func date(_ seconds: Int64) -> String {
        ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
    }
}

/// The logged-in assuré's account and how this month's statement is delivered.
public struct AccountJSON: Encodable, Sendable {
    struct Beneficiary: Encodable, Sendable {
        let rang: Int
        let prenom: String
        let complementaire: String?
        let noemie: Bool
    }
    let nir: String
    let nom: String
    let caisse: String
    let email: String
    let emailConfirme: Bool
    let medecinTraitant: String?
    let beneficiaires: [Beneficiary]
    let courrier: String
    let courrierExplication: String

    public init(_ user: AccountService.Authenticated, delivery mode: DeliveryRule.Mode) {
        let person = user.person.person
        nir = person.nir.formatted
        nom = person.fullName
        caisse = person.caisse.name
        email = user.email
        emailConfirme = user.emailConfirmed
        medecinTraitant = person.doctor.map { "\($0.name), depuis le \($0.since)" }
        beneficiaires = person.beneficiaries.map {
            Beneficiary(
                rang: $0.rank, prenom: $0.firstName, complementaire: $0.complementaire?.name,
                noemie: $0.complementaire?.noemieLinkActive ?? false)
        }
        courrier = mode.code
        courrierExplication = mode.explanation
    }
}
