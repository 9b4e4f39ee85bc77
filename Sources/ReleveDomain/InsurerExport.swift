/// A complementary insurer with an active NOEMIE link for at least one beneficiary.
public struct LinkedInsurer: Sendable, Equatable {
    public var code: String
    public var name: String

    public init(code: String, name: String) {
        self.code = code
        self.name = name
    }
}

/// A finished export file for one complementary insurer: the payments in
/// `firstPaymentID...lastPaymentID` that carry lines transmitted to it.
public struct InsurerExport: Sendable, Equatable {
    public var code: String
    public var date: CivilDate
    public var file: String
    public var sha256: String
    public var lines: Int
    public var firstPaymentID: Payment.ID
    public var lastPaymentID: Payment.ID
    public var createdAt: Int64

    public init(
        code: String, date: CivilDate, file: String, sha256: String, lines: Int, firstPaymentID: Payment.ID,
        lastPaymentID: Payment.ID, createdAt: Int64
    ) {
        self.code = code
        self.date = date
        self.file = file
        self.sha256 = sha256
        self.lines = lines
        self.firstPaymentID = firstPaymentID
        self.lastPaymentID = lastPaymentID
        self.createdAt = createdAt
    }
}

/// A complementary insurer's machine client (the pull feed, OAuth 2.0 client credentials).
public struct InsurerClient: Sendable, Hashable {
    public var clientID: String
    /// The insurer's code (AMC number) in the feed: whose lines it may pull.
    public var insurerCode: String
    public var name: String
    public var createdAt: Int64
    public var rotatedAt: Int64?
    public var revokedAt: Int64?

    public init(clientID: String, insurerCode: String, name: String, createdAt: Int64, rotatedAt: Int64?, revokedAt: Int64?) {
        self.clientID = clientID
        self.insurerCode = insurerCode
        self.name = name
        self.createdAt = createdAt
        self.rotatedAt = rotatedAt
        self.revokedAt = revokedAt
    }
}
