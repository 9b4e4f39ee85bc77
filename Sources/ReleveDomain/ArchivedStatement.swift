/// A monthly statement in the archive: issued once, never rewritten.
public struct ArchivedStatement: Sendable, Equatable {
    public typealias ID = ReleveDomain.ID<ArchivedStatement>

    public var id: ID
    public var personID: InsuredPerson.ID
    public var month: Month
    public var reference: String
    public var issuedOn: CivilDate
    /// Path relative to the archive directory.
    public var file: String
    /// SHA-256 of the PDF bytes.
    public var sha256: String
    /// The content fingerprint printed in the footer.
    public var fingerprint: String
    public var size: Int
    public var pages: Int
    public var payments: Int
    public var reimbursed: Cents

    public init(
        id: ID, personID: InsuredPerson.ID, month: Month, reference: String, issuedOn: CivilDate, file: String, sha256: String,
        fingerprint: String, size: Int, pages: Int, payments: Int, reimbursed: Cents
    ) {
        self.id = id
        self.personID = personID
        self.month = month
        self.reference = reference
        self.issuedOn = issuedOn
        self.file = file
        self.sha256 = sha256
        self.fingerprint = fingerprint
        self.size = size
        self.pages = pages
        self.payments = payments
        self.reimbursed = reimbursed
    }
}
