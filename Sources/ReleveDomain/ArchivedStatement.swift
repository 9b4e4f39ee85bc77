/// What a monthly statement is once rendered: whose, which month, which file, how big.
public struct StatementFile: Sendable, Equatable {
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
    public var reimbursed: Cents

    public init(
        personID: InsuredPerson.ID, month: Month, reference: String, issuedOn: CivilDate, file: String, sha256: String,
        fingerprint: String, size: Int, pages: Int, reimbursed: Cents
    ) {
        self.personID = personID
        self.month = month
        self.reference = reference
        self.issuedOn = issuedOn
        self.file = file
        self.sha256 = sha256
        self.fingerprint = fingerprint
        self.size = size
        self.pages = pages
        self.reimbursed = reimbursed
    }
}

/// A monthly statement in the archive: issued once, never rewritten. Its file's facts read
/// as its own (`archived.month`).
@dynamicMemberLookup
public struct ArchivedStatement: Sendable, Equatable {
    public typealias ID = ReleveDomain.ID<ArchivedStatement>

    public var id: ID
    public var statement: StatementFile
    /// How many payments it covers.
    public var payments: Int

    public init(id: ID, statement: StatementFile, payments: Int) {
        self.id = id
        self.statement = statement
        self.payments = payments
    }

    public subscript<T>(dynamicMember keyPath: KeyPath<StatementFile, T>) -> T { statement[keyPath: keyPath] }
}
