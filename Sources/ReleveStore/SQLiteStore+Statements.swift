import Foundation
import GRDB
import ReleveDomain

/// What one assuré's statement for a month is made of.
public struct StatementInput: Sendable {
    public var person: StoredPerson
    public var payments: [StoredPayment]
    /// Reimbursed per month of payment, for the 6 months ending with the statement's month.
    public var history: [(Month, Cents)]
    /// When the assuré's account was open, for the delivery rules.
    public var accountPeriods: [DeliveryRule.OpenPeriod]
    /// The account's e-mail, if the account is active and the address confirmed.
    public var noticeEmail: String?

    public init(
        person: StoredPerson, payments: [StoredPayment], history: [(Month, Cents)],
        accountPeriods: [DeliveryRule.OpenPeriod], noticeEmail: String?
    ) {
        self.person = person
        self.payments = payments
        self.history = history
        self.accountPeriods = accountPeriods
        self.noticeEmail = noticeEmail
    }
}

/// A rendered statement, its file already durable on disk, to be recorded.
@dynamicMemberLookup
public struct IssuedStatement: Sendable {
    public var statement: StatementFile
    public var paymentIDs: [Payment.ID]
    /// How it is delivered; nil leaves the column empty.
    public var delivery: DeliveryRule.Mode?
    /// The letter to put in the postal outbox, when it goes by post.
    public var postalLetter: NewLetter?
    /// Whether an e-mail notice is due.
    public var notice: Bool

    public init(
        _ statement: StatementFile, paymentIDs: [Payment.ID], delivery: DeliveryRule.Mode? = nil,
        postalLetter: NewLetter? = nil, notice: Bool = false
    ) {
        self.statement = statement
        self.paymentIDs = paymentIDs
        self.delivery = delivery
        self.postalLetter = postalLetter
        self.notice = notice
    }

    public subscript<T>(dynamicMember keyPath: KeyPath<StatementFile, T>) -> T { statement[keyPath: keyPath] }
}

extension SQLiteStore {
    static let eligibleCondition = """
        \(visible) AND p.statement_id IS NULL AND p.payment_date <= :last
        AND (p.payment_date >= :first
             OR substr(p.payment_date, 1, 7) IN (SELECT month FROM statement_run WHERE completed_at IS NOT NULL))
        """

    /// The régimes this caisse serves, as an SQL list: people of another régime (the MSA, the
    /// MGEN…) get their statements and their insurers' feed from their own scheme, never from
    /// here, even when a feed carries their payments (DOMAIN.md §2.1).
    static let servedRegimes =
        "(" + Regime.allCases.filter(\.isEligibleForAccount).map { "'\($0.rawValue)'" }.joined(separator: ", ") + ")"

    /// Marks the start of a month's batch (idempotent).
    public func beginStatementRun(month: Month, at: Int64) async throws {
        try await write { db in
            try db.execute(
                sql: "INSERT INTO statement_run (month, started_at) VALUES (?, ?) ON CONFLICT (month) DO NOTHING",
                arguments: [month.description, at])
            try db.execute(
                sql: """
                    INSERT INTO statement_work (month, person_id)
                    SELECT DISTINCT :month, p.person_id FROM payment p
                    WHERE \(Self.eligibleCondition)
                      AND NOT EXISTS (SELECT 1 FROM statement s WHERE s.person_id = p.person_id AND s.month = :month)
                      AND p.person_id IN (SELECT id FROM person WHERE regime IN \(Self.servedRegimes))
                    ON CONFLICT DO NOTHING
                    """,
                arguments: ["first": month.firstDay.description, "last": month.lastDay.description, "month": month.description])
        }
    }

    public func claimStatementWork(month: Month, owner: String, limit: Int, now: Int64, lease: Int64) async throws
        -> [InsuredPerson.ID]
    {
        try await write { db in
            try Int64.fetchAll(
                db,
                sql: """
                    UPDATE statement_work SET lease_owner = ?, lease_until = ?
                    WHERE month = ? AND person_id IN (
                        SELECT person_id FROM statement_work
                        WHERE month = ? AND (lease_until IS NULL OR lease_until < ?)
                        ORDER BY person_id LIMIT ?)
                    RETURNING person_id
                    """, arguments: [owner, now + lease, month.description, month.description, now, limit]
            ).sorted().map { InsuredPerson.ID($0) }
        }
    }

    public func statementLeaseOwners(month: Month, now: Int64) async throws -> [String] {
        try await read { db in
            try String.fetchAll(
                db, sql: "SELECT DISTINCT lease_owner FROM statement_work WHERE month = ? AND lease_until >= ?",
                arguments: [month.description, now])
        }
    }

    public func expireStatementLeases(month: Month, owner: String) async throws {
        try await write { db in
            try db.execute(
                sql: "UPDATE statement_work SET lease_owner = NULL, lease_until = NULL WHERE month = ? AND lease_owner = ?",
                arguments: [month.description, owner])
        }
    }

    public func statementWorkRemaining(month: Month) async throws -> Int {
        try await read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM statement_work WHERE month = ?", arguments: [month.description])
                ?? 0
        }
    }

    public func dropStatementWork(month: Month, persons: [InsuredPerson.ID]) async throws {
        try await write { db in
            for person in persons {
                try db.execute(
                    sql: "DELETE FROM statement_work WHERE month = ? AND person_id = ?",
                    arguments: [month.description, person.rawValue])
            }
        }
    }

    public func completeStatementRun(month: Month, at: Int64) async throws {
        try await write { db in
            try db.execute(
                sql: "UPDATE statement_run SET completed_at = coalesce(completed_at, ?) WHERE month = ?",
                arguments: [at, month.description])
        }
    }

    /// The assurés who get a statement for `month` and do not have it yet: those with payments
    /// dated in the month, or dated in an earlier, already issued month but in no statement.
    public func personsToState(month: Month) async throws -> [InsuredPerson.ID] {
        try await read { db in
            try Int64.fetchAll(
                db,
                sql: """
                    SELECT DISTINCT p.person_id FROM payment p
                    WHERE \(Self.eligibleCondition)
                      AND NOT EXISTS (SELECT 1 FROM statement s WHERE s.person_id = p.person_id AND s.month = :month)
                      AND p.person_id IN (SELECT id FROM person WHERE regime IN \(Self.servedRegimes))
                    ORDER BY p.person_id
                    """,
                arguments: ["first": month.firstDay.description, "last": month.lastDay.description, "month": month.description]
            ).map { InsuredPerson.ID($0) }
        }
    }

    /// Everything needed to render these assurés' statements for `month`.
    ///
    /// A person whose stored rows cannot make a statement (an amount beyond the maximum, a sum
    /// that leaves 64 bits) is returned in `unusable` with the reason, and the others go on.
    public func statementInputs(month: Month, persons: [InsuredPerson.ID]) async throws -> (
        inputs: [StatementInput], unusable: [(InsuredPerson.ID, String)]
    ) {
        try await read { db in
            var inputs: [StatementInput] = []
            var unusable: [(InsuredPerson.ID, String)] = []
            for id in persons {
                do {
                    if let input = try Self.statementInput(month: month, person: id, db: db) { inputs.append(input) }
                } catch let error as DomainError {
                    unusable.append((id, error.message))
                } catch let error as DatabaseError where error.resultCode == .SQLITE_ERROR {
                    // sum() over stored amounts that leave 64 bits: "integer overflow".
                    unusable.append((id, error.message ?? "erreur de calcul"))
                }
            }
            return (inputs, unusable)
        }
    }

    /// One assuré's statement data. The statements are cached (prepared once per connection):
    /// compiling them for every assuré ran GRDB's authorizer over every column, 5 % of an
    /// issuing run (perf, docs/BENCHMARKS.md).
    private static func statementInput(month: Month, person id: InsuredPerson.ID, db: Database) throws -> StatementInput? {
        guard
            let row = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT * FROM person WHERE id = ?"), arguments: [id.rawValue])
        else {
            return nil
        }
        let person = try Self.person(from: row, db: db)
        var reader = try BoundStatement(
            db,
            cached: """
                SELECT \(Self.paymentColumns)
                FROM payment p JOIN payment_line l ON l.payment_id = p.id
                WHERE p.person_id = :person AND \(Self.eligibleCondition)
                ORDER BY p.payment_date, p.id, l.position
                """)
        reader.int(id.rawValue, named: ":person")
        reader.text(month.firstDay.description, named: ":first")
        reader.text(month.lastDay.description, named: ":last")
        let payments = try Self.payments(reading: reader, nir: person.person.nir, db)
        let historyStart = month.adding(months: -5)
        let totals = try Row.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT substr(p.payment_date, 1, 7) AS month, sum(l.reimbursed) AS total
                    FROM payment p JOIN payment_line l ON l.payment_id = p.id
                    WHERE p.person_id = ? AND p.payment_date BETWEEN ? AND ? AND \(Self.visible)
                    GROUP BY 1
                    """), arguments: [id.rawValue, historyStart.firstDay.description, month.lastDay.description])
        var byMonth: [String: Int64] = [:]
        for total in totals { byMonth[total["month"]] = total["total"] }
        let history = (0..<6).map { offset -> (Month, Cents) in
            let m = historyStart.adding(months: offset)
            return (m, Cents(byMonth[m.description] ?? 0))
        }
        let email = try String.fetchOne(
            db.cachedStatement(
                sql: "SELECT email FROM account WHERE person_id = ? AND status = 'active' AND email_confirmed = 1"),
            arguments: [id.rawValue])
        return StatementInput(
            person: person, payments: payments, history: history,
            accountPeriods: try Self.accountPeriods(personID: id.rawValue, db: db), noticeEmail: email)
    }

    /// Records statements whose files are durable, ties their payments to them and puts the
    /// postal ones in the outbox, in one transaction. A statement already recorded for that
    /// (assuré, month) is left untouched.
    @discardableResult
    public func recordStatements(_ statements: [IssuedStatement], at: Int64) async throws -> Int {
        try await write { db in
            var recorded = 0
            for s in statements {
                // Cached statements, prepared once per connection (see `statementInput`).
                try db.cachedStatement(sql: "DELETE FROM statement_work WHERE month = ? AND person_id = ?").execute(
                    arguments: [s.month.description, s.personID.rawValue])
                try db.cachedStatement(
                    sql: """
                        INSERT INTO statement (person_id, month, reference, issued_on, file, sha256, fingerprint, size, pages, payments,
                            reimbursed, delivery, notice_pending)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING
                        """
                ).execute(
                    arguments: [
                        s.personID.rawValue, s.month.description, s.reference, s.issuedOn.description, s.file, s.sha256,
                        s.fingerprint,
                        s.size, s.pages, s.paymentIDs.count, s.reimbursed.rawValue, s.delivery?.code, s.notice,
                    ])
                guard db.changesCount == 1 else { continue }
                recorded += 1
                let id = db.lastInsertedRowID
                for paymentID in s.paymentIDs {
                    try db.cachedStatement(sql: "UPDATE payment SET statement_id = ? WHERE id = ? AND statement_id IS NULL")
                        .execute(arguments: [id, paymentID.rawValue])
                }
                if var letter = s.postalLetter {
                    letter.statementID = ArchivedStatement.ID(id)
                    try Self.insert(letter, personID: s.personID, at: at, db)
                }
            }
            return recorded
        }
    }

    /// The statements of one assuré, newest first.
    public func statements(of personID: InsuredPerson.ID) async throws -> [ArchivedStatement] {
        try await read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM statement WHERE person_id = ? ORDER BY month DESC", arguments: [personID.rawValue]
            )
            .map(Self.statement)
        }
    }

    public func statements(month: Month) async throws -> [ArchivedStatement] {
        try await read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM statement WHERE month = ? ORDER BY person_id", arguments: [month.description]
            )
            .map(Self.statement)
        }
    }

    /// The archive in id order, `limit` statements after `afterID` (for checks over the whole
    /// archive in bounded memory).
    public func archivedFiles(after afterID: ArchivedStatement.ID?, limit: Int) async throws -> [ArchivedStatement] {
        try await read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM statement WHERE id > ? ORDER BY id LIMIT ?",
                arguments: [afterID?.rawValue ?? 0, limit]
            ).map(Self.statement)
        }
    }

    static func statement(_ r: Row) throws -> ArchivedStatement {
        ArchivedStatement(
            id: ArchivedStatement.ID(r["id"]),
            statement: StatementFile(
                personID: InsuredPerson.ID(r["person_id"]), month: try Month(parsing: r["month"]), reference: r["reference"],
                issuedOn: try CivilDate(parsing: r["issued_on"]), file: r["file"], sha256: r["sha256"],
                fingerprint: r["fingerprint"], size: r["size"], pages: r["pages"], reimbursed: Cents(r["reimbursed"])),
            payments: r["payments"])
    }
}

extension SQLiteStore {
    /// The latest month before `month` with a payment (for the demo's statements).
    public func lastPaymentMonth(before month: Month) async throws -> Month? {
        try await read { db in
            try String.fetchOne(
                db, sql: "SELECT max(substr(payment_date, 1, 7)) FROM payment p WHERE payment_date < ? AND \(Self.visible)",
                arguments: [month.firstDay.description]
            ).map { try Month(parsing: $0) }
        }
    }
}
