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
