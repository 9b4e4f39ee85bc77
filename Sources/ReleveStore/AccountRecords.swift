import ReleveDomain

/// The account of an assuré, as stored. Hashes are self-describing strings
/// (`pbkdf2-sha256$rounds$salt$hash`), so parameters can be raised later.
public struct StoredAccount: Sendable, Equatable {
    public enum Status: String, Sendable {
        case active, closed
    }

    public var personID: InsuredPerson.ID
    public var status: Status
    public var codeHash: String
    public var question: Int
    public var answerHash: String
    public var email: String
    public var emailConfirmed: Bool
    public var createdAt: Int64
    public var updatedAt: Int64
    public var closedAt: Int64?
}

/// An assuré and their account, if they have one.
public struct AccountContext: Sendable {
    public var person: StoredPerson
    public var account: StoredAccount?
}

public struct StoredProvisionalCode: Sendable, Equatable {
    public var id: Int64
    public var codeHash: String
    public var issuedAt: Int64
    public var expiresAt: Int64
    public var usedAt: Int64?
    public var attempts: Int
}

public struct StoredSession: Sendable, Equatable {
    public var personID: InsuredPerson.ID
    public var nir: NIR
    public var channel: String
    public var createdAt: Int64
    public var lastSeenAt: Int64
    public var revokedAt: Int64?
}

/// A letter waiting in (or gone from) the postal outbox.
public struct Letter: Sendable, Equatable {
    public typealias ID = ReleveDomain.ID<Letter>

    public enum Kind: String, Sendable, CaseIterable {
        case provisionalCode = "code_provisoire"
        case monthlyStatement = "releve_mensuel"
        case duplicata
        case cancellation = "resiliation"

        public var french: String {
            switch self {
            case .provisionalCode: "code provisoire"
            case .monthlyStatement: "relevé mensuel"
            case .duplicata: "duplicata"
            case .cancellation: "confirmation de résiliation"
            }
        }
    }

    public enum Status: String, Sendable {
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
    public var statementID: Int64?
    /// The print batch that printed it.
    public var batchID: Int64?
    public var printedAt: Int64?
    public var postedAt: Int64?
}

/// One audited event: what happened, to whom (masked NIR), through which channel, with what outcome.
public struct AuditEvent: Sendable, Equatable {
    public var at: Int64
    public var kind: String
    public var outcome: String
    public var subject: String?
    public var channel: String?
    public var detail: String?

    public init(at: Int64, kind: String, outcome: String, subject: String? = nil, channel: String? = nil, detail: String? = nil) {
        self.at = at
        self.kind = kind
        self.outcome = outcome
        self.subject = subject
        self.channel = channel
        self.detail = detail
    }
}
