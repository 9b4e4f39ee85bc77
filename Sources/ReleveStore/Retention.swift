import ReleveDomain

/// What a retention pass may remove, month by month, and what it must keep.
public struct RetentionCandidates: Sendable, Equatable {
    /// Months before the payments' limit: payments and lines already in a statement (removable),
    /// and those in none yet (kept: the next statement takes them).
    public var payments: [PaymentMonth]
    /// Months before the statements' limit: statements and archive bytes removable.
    public var statements: [StatementMonth]
    /// Statements past the limit that stay, with the reason.
    public var heldStatements: [HeldStatement]
    /// Files of statements already removed from the base whose removal from the archive an
    /// interrupted pass left to finish.
    public var unfinishedFiles: Int

    public init(payments: [PaymentMonth], statements: [StatementMonth], heldStatements: [HeldStatement], unfinishedFiles: Int) {
        self.payments = payments
        self.statements = statements
        self.heldStatements = heldStatements
        self.unfinishedFiles = unfinishedFiles
    }
}

public struct PaymentMonth: Sendable, Equatable {
    public var month: Month
    public var payments: Int
    public var lines: Int
    /// Payments of the month no statement has taken yet: never removed.
    public var unstated: Int

    public init(month: Month, payments: Int, lines: Int, unstated: Int) {
        self.month = month
        self.payments = payments
        self.lines = lines
        self.unstated = unstated
    }
}

public struct StatementMonth: Sendable, Equatable {
    public var month: Month
    public var statements: Int
    public var bytes: Int64

    public init(month: Month, statements: Int, bytes: Int64) {
        self.month = month
        self.statements = statements
        self.bytes = bytes
    }
}

public struct HeldStatement: Sendable, Equatable {
    public enum Reason: String, Sendable {
        /// A letter (a duplicata, the postal statement) waits to be printed from it.
        case pendingLetter
        /// Payments it covers are still online.
        case paymentsOnline
    }

    public var reference: String
    public var month: Month
    public var reason: Reason

    public init(reference: String, month: Month, reason: Reason) {
        self.reference = reference
        self.month = month
        self.reason = reason
    }
}

/// A statement removed from the base whose archived files are being removed: recorded in the
/// same transaction as the removal, forgotten once the files are gone, so a pass killed in
/// between finishes the files on its next run.
public struct RetiredFile: Sendable, Equatable {
    public var id: Int64
    public var month: Month
    public var reference: String
    /// Relative to the archive (`AAAA-MM/REFERENCE.pdf`).
    public var file: String
    public var sha256: String
    public var size: Int64

    public init(id: Int64, month: Month, reference: String, file: String, sha256: String, size: Int64) {
        self.id = id
        self.month = month
        self.reference = reference
        self.file = file
        self.sha256 = sha256
        self.size = size
    }
}

/// Payments and lines a step removed, per month.
public struct RemovedPayments: Sendable, Equatable {
    public var byMonth: [Month: (payments: Int, lines: Int)]

    public init(byMonth: [Month: (payments: Int, lines: Int)] = [:]) { self.byMonth = byMonth }

    public mutating func add(_ other: RemovedPayments) {
        for (month, counts) in other.byMonth {
            let current = byMonth[month] ?? (0, 0)
            byMonth[month] = (current.payments + counts.payments, current.lines + counts.lines)
        }
    }

    public var payments: Int { byMonth.values.reduce(0) { $0 + $1.payments } }
    public var lines: Int { byMonth.values.reduce(0) { $0 + $1.lines } }

    public static func == (lhs: RemovedPayments, rhs: RemovedPayments) -> Bool {
        lhs.byMonth.keys == rhs.byMonth.keys
            && lhs.byMonth.allSatisfy { month, counts in
                rhs.byMonth[month].map { $0.payments == counts.payments && $0.lines == counts.lines } ?? false
            }
    }
}

/// Removing what is past the retention limits, in steps short enough never to hold the base
/// for long (a login waits at most one step).
public protocol RetentionStore: Sendable {
    /// What lies before each limit (months strictly before `paymentsBefore`, `statementsBefore`).
    func retentionCandidates(paymentsBefore: Month, statementsBefore: Month) async throws -> RetentionCandidates
    /// Whole months of payment lines at once where the engine stores them apart (PostgreSQL:
    /// a month's partition detached and dropped, when every payment of the month is in a
    /// statement); the lines dropped per month. Nothing on an engine without partitions.
    func dropPaymentMonths(_ months: [Month], audit: AuditEvent) async throws -> [Month: Int]
    /// One step: the payments with an id in `ids` dated in one of `months` and already in a
    /// statement, and their lines, in one transaction.
    func removePayments(ids: ClosedRange<Int64>, months: Set<Month>) async throws -> RemovedPayments
    /// One step: up to `limit` statements of `month` no pending letter and no payment still
    /// need, removed from the base and recorded as files to remove (`RetiredFile`).
    func retireStatements(month: Month, limit: Int, at: Int64) async throws -> [RetiredFile]
    /// Files recorded by `retireStatements` and not yet forgotten.
    func retiredFiles(limit: Int) async throws -> [RetiredFile]
    func forgetRetiredFiles(_ ids: [Int64]) async throws
}

/// What the engine holds on disk: its parts (the base, its log) and the payments per month,
/// for `admin stockage`.
public struct EngineStorage: Sendable, Equatable {
    public struct Part: Sendable, Equatable {
        /// In French, for the operator: "base", "journal (WAL)".
        public var name: String
        /// Nil when the engine does not say (a PostgreSQL role without pg_monitor, for the WAL).
        public var bytes: Int64?

        public init(name: String, bytes: Int64?) {
            self.name = name
            self.bytes = bytes
        }
    }

    public var parts: [Part]
    public var paymentsByMonth: [Month: Int]

    public init(parts: [Part], paymentsByMonth: [Month: Int]) {
        self.parts = parts
        self.paymentsByMonth = paymentsByMonth
    }
}

public protocol StorageStore: Sendable {
    func storage() async throws -> EngineStorage
}
