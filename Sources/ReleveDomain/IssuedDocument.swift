/// A document generated on an assuré's request (a period of payments, one payment's décompte,
/// a yearly summary): archived like a monthly statement, so that whoever receives it can check
/// it is genuine.
public struct IssuedDocument: Sendable, Hashable {
    public typealias ID = ReleveDomain.ID<IssuedDocument>

    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case period = "periode"
        case payment = "decompte"
        case yearly = "annuel"
    }

    public var kind: Kind
    public var personID: InsuredPerson.ID
    /// Derived from the content: the same data asked for the same day gives the same reference.
    public var reference: String
    /// The period covered (a payment's décompte: its payment date twice).
    public var from: CivilDate
    public var to: CivilDate
    public var issuedOn: CivilDate
    /// Path relative to the archive directory.
    public var file: String
    /// SHA-256 of the PDF bytes.
    public var sha256: String
    /// The content fingerprint printed in the footer.
    public var fingerprint: String
    public var size: Int
    public var pages: Int

    public init(
        kind: Kind, personID: InsuredPerson.ID, reference: String, from: CivilDate, to: CivilDate, issuedOn: CivilDate,
        file: String, sha256: String, fingerprint: String, size: Int, pages: Int
    ) {
        self.kind = kind
        self.personID = personID
        self.reference = reference
        self.from = from
        self.to = to
        self.issuedOn = issuedOn
        self.file = file
        self.sha256 = sha256
        self.fingerprint = fingerprint
        self.size = size
        self.pages = pages
    }
}

/// What the public check may say about a genuine document, and nothing more: no name, no
/// amount, no NIR. Statements and requested documents alike.
public struct VerifiableRecord: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable {
        case monthlyStatement = "releve"
        case period = "periode"
        case payment = "decompte"
        case yearly = "annuel"
    }

    public var kind: Kind
    public var reference: String
    public var sha256: String
    public var fingerprint: String
    public var issuedOn: CivilDate
    public var from: CivilDate
    public var to: CivilDate
    /// The caisse that issued it (its name).
    public var caisse: String

    public init(
        kind: Kind, reference: String, sha256: String, fingerprint: String, issuedOn: CivilDate, from: CivilDate,
        to: CivilDate, caisse: String
    ) {
        self.kind = kind
        self.reference = reference
        self.sha256 = sha256
        self.fingerprint = fingerprint
        self.issuedOn = issuedOn
        self.from = from
        self.to = to
        self.caisse = caisse
    }

    /// `relevé mensuel d'octobre 2026`, `relevé des paiements du 01/06/2026 au 30/11/2026`…
    public var french: String {
        switch kind {
        case .monthlyStatement: "relevé mensuel \(from.calendarMonth.withDe)"
        case .period: "relevé des paiements du \(from.formatted) au \(to.formatted)"
        case .payment: "décompte d'un paiement du \(from.formatted)"
        case .yearly: "récapitulatif annuel \(from.year) des remboursements"
        }
    }
}
