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

    public init(
        personID: InsuredPerson.ID, status: Status, codeHash: String, question: Int, answerHash: String, email: String,
        emailConfirmed: Bool, createdAt: Int64, updatedAt: Int64, closedAt: Int64?
    ) {
        self.personID = personID
        self.status = status
        self.codeHash = codeHash
        self.question = question
        self.answerHash = answerHash
        self.email = email
        self.emailConfirmed = emailConfirmed
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.closedAt = closedAt
    }
}

/// An assuré and their account, if they have one.
public struct AccountContext: Sendable {
    public var person: StoredPerson
    public var account: StoredAccount?

    public init(person: StoredPerson, account: StoredAccount?) {
        self.person = person
        self.account = account
    }
}

public struct StoredProvisionalCode: Sendable, Equatable {
    public typealias ID = ReleveDomain.ID<StoredProvisionalCode>

    public var id: ID
    public var codeHash: String
    public var issuedAt: Int64
    public var expiresAt: Int64
    public var usedAt: Int64?
    public var attempts: Int

    public init(id: ID, codeHash: String, issuedAt: Int64, expiresAt: Int64, usedAt: Int64?, attempts: Int) {
        self.id = id
        self.codeHash = codeHash
        self.issuedAt = issuedAt
        self.expiresAt = expiresAt
        self.usedAt = usedAt
        self.attempts = attempts
    }
}

public struct StoredSession: Sendable, Equatable {
    public var personID: InsuredPerson.ID
    public var nir: NIR
    public var channel: String
    public var createdAt: Int64
    public var lastSeenAt: Int64
    public var revokedAt: Int64?
    /// "code", or the provider's name for a federated login.
    public var method: String = "code"
    /// The provider's ID token of a federated session (its logout needs it).
    public var idToken: String?
    /// The last fresh provider login of a federated session (sensitive actions).
    public var reauthenticatedAt: Int64?

    public init(
        personID: InsuredPerson.ID, nir: NIR, channel: String, createdAt: Int64, lastSeenAt: Int64, revokedAt: Int64?,
        method: String = "code", idToken: String? = nil, reauthenticatedAt: Int64? = nil
    ) {
        self.personID = personID
        self.nir = nir
        self.channel = channel
        self.createdAt = createdAt
        self.lastSeenAt = lastSeenAt
        self.revokedAt = revokedAt
        self.method = method
        self.idToken = idToken
        self.reauthenticatedAt = reauthenticatedAt
    }
}
