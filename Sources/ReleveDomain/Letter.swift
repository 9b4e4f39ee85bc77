/// A letter waiting in (or gone from) the postal outbox.
public struct Letter: Sendable, Equatable {
    public typealias ID = ReleveDomain.ID<Letter>

    public enum Kind: String, Sendable, CaseIterable {
        case provisionalCode = "code_provisoire"
        case monthlyStatement = "releve_mensuel"
        case duplicata
        case cancellation = "resiliation"
    }

    public enum Status: String, Sendable, CaseIterable {
        case pending, printed, posted
    }

    public var id: ID
    public var kind: Kind
    /// The address block, one line per line: name, address lines, postal code and city.
    public var recipient: String
    public var body: String
    public var status: Status
    public var createdAt: Int64
    public var nir: NIR?
    /// The statement this letter carries (monthly statement by post, duplicata).
    public var statementID: ArchivedStatement.ID?
    /// The print batch that printed it.
    public var batchID: PrintBatch.ID?
    public var printedAt: Int64?
    public var postedAt: Int64?

    public init(
        id: ID, kind: Kind, recipient: String, body: String, status: Status, createdAt: Int64, nir: NIR?,
        statementID: ArchivedStatement.ID?, batchID: PrintBatch.ID?, printedAt: Int64?, postedAt: Int64?
    ) {
        self.id = id
        self.kind = kind
        self.recipient = recipient
        self.body = body
        self.status = status
        self.createdAt = createdAt
        self.nir = nir
        self.statementID = statementID
        self.batchID = batchID
        self.printedAt = printedAt
        self.postedAt = postedAt
    }
}

/// A duplicata request, as the assuré follows it: demandé → imprimé → posté.
public struct DuplicataRequest: Sendable, Equatable {
    public var letterID: Letter.ID
    public var month: Month
    public var reference: String
    public var status: Letter.Status
    public var requestedAt: Int64
    public var printedAt: Int64?
    public var postedAt: Int64?

    public init(
        letterID: Letter.ID, month: Month, reference: String, status: Letter.Status, requestedAt: Int64, printedAt: Int64?,
        postedAt: Int64?
    ) {
        self.letterID = letterID
        self.month = month
        self.reference = reference
        self.status = status
        self.requestedAt = requestedAt
        self.printedAt = printedAt
        self.postedAt = postedAt
    }
}
