/// One imported file, keyed by the SHA-256 of its bytes.
public struct ImportLedgerEntry: Sendable, Equatable {
    public var sha256: String
    public var fileName: String
    /// UTC timestamp, ISO 8601.
    public var importedAt: String

    public init(sha256: String, fileName: String, importedAt: String) {
        self.sha256 = sha256
        self.fileName = fileName
        self.importedAt = importedAt
    }
}

/// What one import wrote.
public struct ImportCounts: Sendable, Equatable {
    public var personsInserted = 0
    public var personsUpdated = 0
    public var personsUnchanged = 0
    public var paymentsInserted = 0
    public var paymentsAlreadyPresent = 0
    public var linesInserted = 0

    public init() {}
}

/// How much the base holds.
public struct StoreStatistics: Sendable, Equatable {
    public var persons: Int
    public var beneficiaries: Int
    public var payments: Int
    public var paymentLines: Int
    public var importedFiles: Int

    public init(persons: Int, beneficiaries: Int, payments: Int, paymentLines: Int, importedFiles: Int) {
        self.persons = persons
        self.beneficiaries = beneficiaries
        self.payments = payments
        self.paymentLines = paymentLines
        self.importedFiles = importedFiles
    }
}
