import ReleveDomain

// The store interface, by concern (STYLE.md, "The house plan"): what ReleveService may ask of
// any engine. Every method is async and names an intent; no GRDB, SQLite or PostgreSQL type
// appears here. `SQLiteStore` is the embedded engine; a second engine conforms to the same
// protocols and runs the same conformance suite (Tests/ReleveTestSupport/StoreConformance).
// Times are Unix seconds (`at`, `now`), always given by the caller.

/// Every concern at once: what the composition root hands to the services.
public typealias Store = AccountStore & AuditStore & DocumentStore & FederationStore & InsurerClientStore & OperationsStore
    & PaperStore
    & PaymentStore & RetentionStore & SettingsStore & StatementStore & StorageStore & ThrottleStore

/// Assurés' accounts, provisional codes, failed-attempt counters, sessions and e-mail links.
public protocol AccountStore: Sendable {
    /// The assuré of this NIR (settled imports only) and their account, if any.
    func accountContext(nir: NIR) async throws -> AccountContext?
    func loginFailures(nir: NIR) async throws -> (failures: Int, last: Int64)?
    /// Provisional codes issued to this NIR since `since`.
    func provisionalCodeRequests(nir: NIR, since: Int64) async throws -> Int
    func activeProvisionalCode(personID: InsuredPerson.ID, now: Int64) async throws -> StoredProvisionalCode?
    func session(tokenHash: [UInt8]) async throws -> StoredSession?
    /// The maintenance message, the session and its assuré, in one read.
    func sessionContext(tokenHash: [UInt8]) async throws -> (
        maintenance: String?, session: StoredSession?, context: AccountContext?
    )
    /// The same, and the payments of the session's assuré paid between `from` and `to` (nil
    /// when there is no session or assuré): a page's whole read in one transaction where the
    /// engine can (the payments must then come from the primary, not a read replica).
    func sessionContext(tokenHash: [UInt8], paymentsFrom from: CivilDate, to: CivilDate) async throws -> (
        maintenance: String?, session: StoredSession?, context: AccountContext?, payments: [StoredPayment]?
    )
    /// Records a request (and, with `issue`, the code and its letter) with its audit row.
    func recordProvisionalCodeRequest(
        nir: NIR, at: Int64, issue: (personID: InsuredPerson.ID, codeHash: String, expiresAt: Int64, letter: NewLetter)?,
        audit: AuditEvent
    ) async throws
    /// Spends the provisional code and opens (or reopens, or recovers) the account; the code's
    /// letter, if still waiting to be printed, is withdrawn.
    func openAccount(_ opening: AccountOpening, audit: AuditEvent) async throws -> AccountOpeningOutcome
    func confirmEmail(tokenHash: [UInt8], at: Int64, channel: String) async throws -> EmailConfirmation
    /// Counts an attempt before its check, unless `refuse` says the NIR is locked.
    func reserveCodeAttempt(
        nir: NIR, at: Int64, refuse: @escaping @Sendable (_ failures: Int, _ lastFailure: Int64) -> Bool
    ) async throws -> AttemptReservation
    func refundCodeAttempt(nir: NIR) async throws
    func reserveProvisionalCodeAttempt(id: StoredProvisionalCode.ID, maximum: Int) async throws -> Bool
    func refundProvisionalCodeAttempt(id: StoredProvisionalCode.ID) async throws
    func recordLogin(
        nir: NIR, personID: InsuredPerson.ID, tokenHash: [UInt8], channel: String, at: Int64, audit: AuditEvent
    ) async throws
    func touchSession(tokenHash: [UInt8], at: Int64) async throws
    func revokeSessions(tokenHash: [UInt8]?, allOf personID: InsuredPerson.ID?, at: Int64, audit: AuditEvent?) async throws
    func changeCode(personID: InsuredPerson.ID, codeHash: String, keepSession: [UInt8], at: Int64, audit: AuditEvent)
        async throws
    func changeEmail(
        personID: InsuredPerson.ID, email: String, token: (hash: [UInt8], expiresAt: Int64), at: Int64, audit: AuditEvent
    ) async throws
    /// When the assuré's account was open (for the delivery rules).
    func accountPeriods(of personID: InsuredPerson.ID) async throws -> [DeliveryRule.OpenPeriod]
    /// Closes the account, revokes its sessions and queues the confirmation letter; false if
    /// there was no active account.
    func closeAccount(personID: InsuredPerson.ID, at: Int64, letter: NewLetter, audit: AuditEvent) async throws -> Bool
}

extension AccountStore where Self: PaymentReader {
    /// Two reads: the session, then the payments.
    public func sessionContext(tokenHash: [UInt8], paymentsFrom from: CivilDate, to: CivilDate) async throws -> (
        maintenance: String?, session: StoredSession?, context: AccountContext?, payments: [StoredPayment]?
    ) {
        let found = try await sessionContext(tokenHash: tokenHash)
        guard found.maintenance == nil, let person = found.context?.person.person else {
            return (found.maintenance, found.session, found.context, nil)
        }
        return (found.maintenance, found.session, found.context, try await payments(of: person.nir, from: from, to: to))
    }
}

/// The audit trail: append-only.
public protocol AuditStore: Sendable {
    func appendAudit(_ events: [AuditEvent]) async throws
    /// The `limit` most recent events, in the order they happened.
    func auditEvents(limit: Int) async throws -> [AuditEvent]
}

/// The read the pages and the API make most, which a read replica may serve.
public protocol PaymentReader: Sendable {
    /// Payments of a settled import, paid between the two dates (inclusive).
    func payments(of nir: NIR, from: CivilDate, to: CivilDate) async throws -> [StoredPayment]
}

/// The registry of assurés, their payments, and the import of feeds.
public protocol PaymentStore: PaymentReader {
    func person(nir: NIR) async throws -> StoredPerson?
    func paymentOwner(reference: String) async throws -> InsuredPerson.ID?
    func importedFile(sha256: String) async throws -> ImportLedgerEntry?
    /// Runs `body` as one import, all or nothing for readers and for a crash; the session writes
    /// in batches committed in chunks of about `chunkSeconds`, so that other writers wait for
    /// one chunk at most.
    func importFile<T: Sendable>(
        _ entry: ImportLedgerEntry, chunkSeconds: Double, _ body: @escaping @Sendable (any ImportSession) async throws -> T
    ) async throws -> (T, ImportCounts)
    /// The highest payment id (the insurer exports' horizon).
    func lastPaymentID() async throws -> Payment.ID?
}

/// Monthly statements: runs, inputs, the archive.
public protocol StatementStore: Sendable {
    /// Notes the run and puts every assuré of `personsToState` on the month's work list (those
    /// already there keep their lease), so that workers on several machines share it.
    func beginStatementRun(month: Month, at: Int64) async throws
    func completeStatementRun(month: Month, at: Int64) async throws
    func personsToState(month: Month) async throws -> [InsuredPerson.ID]
    /// What each statement is made of; assurés whose stored data cannot be used are set apart.
    func statementInputs(month: Month, persons: [InsuredPerson.ID]) async throws -> (
        inputs: [StatementInput], unusable: [(InsuredPerson.ID, String)]
    )
    /// Records the statements (each once: one already there is left alone) and takes their
    /// assurés off the month's work list, in one transaction; how many were new.
    @discardableResult func recordStatements(_ statements: [IssuedStatement], at: Int64) async throws -> Int
    /// Leases up to `limit` assurés of the month's work list (filled by `beginStatementRun` from
    /// `personsToState`) to `owner` until `now + lease` seconds: rows nobody holds, or whose
    /// lease ran out (a worker that died). Concurrent workers never get the same row while a
    /// lease is alive (`FOR UPDATE SKIP LOCKED` on PostgreSQL, the single writer on SQLite).
    func claimStatementWork(month: Month, owner: String, limit: Int, now: Int64, lease: Int64) async throws
        -> [InsuredPerson.ID]
    /// The owners of the month's leases still running at `now`.
    func statementLeaseOwners(month: Month, now: Int64) async throws -> [String]
    /// Ends `owner`'s leases on the month's work list (a worker known to be dead).
    func expireStatementLeases(month: Month, owner: String) async throws
    /// Rows left on the month's work list, leased or not.
    func statementWorkRemaining(month: Month) async throws -> Int
    /// Takes assurés off the work list without a statement (their data cannot make one: the next
    /// run's `beginStatementRun` puts them back).
    func dropStatementWork(month: Month, persons: [InsuredPerson.ID]) async throws
    func statements(of personID: InsuredPerson.ID) async throws -> [ArchivedStatement]
    func statements(month: Month) async throws -> [ArchivedStatement]
    /// The archive in id order, a page at a time (for verification).
    func archivedFiles(after: ArchivedStatement.ID?, limit: Int) async throws -> [ArchivedStatement]
    func statementCount() async throws -> Int
    func lastPaymentMonth(before month: Month) async throws -> Month?
}

/// Documents issued on request, and what the public check may read of every archived document.
public protocol DocumentStore: Sendable {
    /// Records a document whose file is durable; the same reference twice keeps the first row
    /// (same data, same bytes) and returns it.
    func recordDocument(_ document: IssuedDocument, at: Int64) async throws -> IssuedDocument
    func documents(of personID: InsuredPerson.ID) async throws -> [IssuedDocument]
    /// Every document, by reference, a page at a time (for the archive check).
    func documentFiles(after reference: String?, limit: Int) async throws -> [IssuedDocument]
    /// A statement or a document by its reference, or by the SHA-256 of its PDF.
    func verifiableRecord(reference: String) async throws -> VerifiableRecord?
    func verifiableRecord(sha256: String) async throws -> VerifiableRecord?
}

/// Complementary insurers' machine access: clients (secret hashed), short-lived tokens
/// (hashed), and the pull feed's acknowledgements, which move the same watermark as the file
/// exports.
public protocol InsurerClientStore: Sendable {
    func createInsurerClient(_ client: InsurerClient, secretHash: String, audit: AuditEvent) async throws
    func insurerClients() async throws -> [InsurerClient]
    /// The client and its secret's hash (revoked clients too; the caller refuses them).
    func insurerClient(id: String) async throws -> (client: InsurerClient, secretHash: String)?
    func rotateInsurerSecret(id: String, secretHash: String, at: Int64, audit: AuditEvent) async throws -> Bool
    /// Revokes the client and deletes its tokens.
    func revokeInsurerClient(id: String, at: Int64, audit: AuditEvent) async throws -> Bool
    func storeInsurerToken(hash: String, clientID: String, expiresAt: Int64) async throws
    /// The active client of an unexpired token.
    func insurerClient(tokenHash: String, now: Int64) async throws -> InsurerClient?
    /// Moves the insurer's watermark to `through` (never back); false when it was already there.
    func acknowledge(insurer code: String, clientID: String, through: Payment.ID, at: Int64, audit: AuditEvent) async throws
        -> Bool
}

/// Paper: the postal outbox, duplicatas, print batches, e-mail notices, insurer exports.
public protocol PaperStore: Sendable {
    func letters(all: Bool) async throws -> [Letter]
    func letter(id: Letter.ID) async throws -> Letter?
    func requestDuplicata(
        personID: InsuredPerson.ID, statementID: ArchivedStatement.ID, letter: NewLetter, at: Int64, windowStart: Int64,
        quota: Int, audit: AuditEvent
    ) async throws -> DuplicataOutcome
    func duplicatas(of personID: InsuredPerson.ID) async throws -> [DuplicataRequest]
    func pendingNotices(limit: Int) async throws -> [StatementNotice]
    func markNoticesSent(_ statementIDs: [ArchivedStatement.ID]) async throws
    func lettersToPrint(createdBefore before: Int64) async throws -> [PrintableLetter]
    func printBatch(date: CivilDate) async throws -> PrintBatch?
    func printBatch(reference: String) async throws -> PrintBatch?
    func recordPrintBatch(
        reference: String, date: CivilDate, file: String, volumes: Int, manifest: String, sha256: String,
        letterIDs: [Letter.ID], pages: Int, at: Int64, audit: AuditEvent
    ) async throws -> PrintBatch
    func markBatchPosted(reference: String, at: Int64, audit: AuditEvent) async throws -> PrintBatch?
    func linkedInsurers() async throws -> [LinkedInsurer]
    func lastExportedPaymentID(insurer code: String) async throws -> Payment.ID?
    func insurerExports(date: CivilDate) async throws -> [InsurerExport]
    /// Lines transmitted to the insurer in payments after `after` up to `through`, at most
    /// `limit` payments; `lastPaymentID` is the last payment looked at.
    func exportLines(insurer code: String, after: Payment.ID?, through: Payment.ID, limit: Int) async throws -> (
        lines: [ExportLine], lastPaymentID: Payment.ID?
    )
    func recordInsurerExport(_ export: InsurerExport, audit: AuditEvent) async throws
}

/// Operator settings: the maintenance switch and named values.
public protocol SettingsStore: Sendable {
    func maintenanceMessage() async throws -> String?
    func setMaintenance(_ message: String?, audit: AuditEvent) async throws
    func setting(_ key: String) async throws -> String?
    func setSetting(_ key: String, _ value: String, audit: AuditEvent) async throws
}

/// Per-address throttles shared by every process on the base (several web nodes count together).
public protocol ThrottleStore: Sendable {
    /// Counts one event for `key` (a hash: keys hold client addresses) if fewer than `limit` were
    /// counted after `now - window` (milliseconds), in one step across every process: N parallel
    /// reservations on any number of nodes never get more than `limit` through. The event's id,
    /// nil when the limit is reached (nothing counted).
    func reserveThrottle(key: [UInt8], limit: Int, window: Int64, now: Int64) async throws -> Int64?
    /// Gives back an event `reserveThrottle` counted.
    func releaseThrottle(id: Int64) async throws
}

/// The engine itself: checks, copies, figures.
public protocol OperationsStore: Sendable {
    /// Which engine, which version, where (for the operator's log).
    var engineDescription: String { get }
    func statistics() async throws -> StoreStatistics
    /// A fast structural check; throws `StoreError.corrupt` when damaged.
    func quickCheck() async throws
    /// Rows that break the model's invariants (empty when sound).
    func integrityProblems() async throws -> [String]
    /// A digest of the content that does not depend on the engine's layout.
    func contentDigest() async throws -> String
    func backup(to destination: String) async throws -> BackupReport
    /// Gives back the disk a big command's log took (SQLite's write-ahead log, truncated);
    /// an engine that recycles its own log does nothing.
    func truncateLog() async throws -> LogTruncation
    func close() throws
}

extension AuditStore {
    public func appendAudit(_ event: AuditEvent) async throws { try await appendAudit([event]) }
}

extension PaperStore {
    public func letters() async throws -> [Letter] { try await letters(all: false) }
}

extension PaymentStore {
    public func importFile<T: Sendable>(
        _ entry: ImportLedgerEntry, _ body: @escaping @Sendable (any ImportSession) async throws -> T
    ) async throws -> (T, ImportCounts) {
        try await importFile(entry, chunkSeconds: 0.1, body)
    }
}

/// What opening an account did.
public enum AccountOpeningOutcome: Sendable, Equatable {
    case opened
    /// The provisional code was spent by a concurrent opening: nothing was written.
    case provisionalCodeAlreadyUsed
}

public enum EmailConfirmation: Sendable, Equatable {
    case confirmed(personID: InsuredPerson.ID, email: String)
    case unknown, expired, alreadyUsed
    /// The account's address changed since this link was sent: it confirms nothing.
    case superseded
}

public enum AttemptReservation: Sendable, Equatable {
    /// The attempt is counted as a failure before the code is checked (a success clears it):
    /// `failures` now, this attempt included.
    case reserved(failures: Int)
    /// `refuse` said no: nothing was counted.
    case refused(failures: Int, lastFailure: Int64)
}

public struct BackupReport: Sendable {
    public var path: String
    public var bytes: Int64
    public var statistics: StoreStatistics
    public var statements: Int
    public var contentDigest: String

    public init(path: String, bytes: Int64, statistics: StoreStatistics, statements: Int, contentDigest: String) {
        self.path = path
        self.bytes = bytes
        self.statistics = statistics
        self.statements = statements
        self.contentDigest = contentDigest
    }
}
