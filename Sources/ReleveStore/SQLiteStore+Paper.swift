import Foundation
import GRDB
import ReleveDomain

public enum DuplicataOutcome: Sendable, Equatable {
    case created(Letter.ID)
    /// The same statement already has a request waiting to be printed.
    case alreadyPending(Letter.ID, since: Int64)
    /// `used` requests since the start of the quota window.
    case overQuota(used: Int)
}

/// A letter of the outbox with what printing it needs.
public struct PrintableLetter: Sendable {
    public var letter: Letter
    /// The archived statement the letter carries (relative to the archive directory).
    public var statementFile: String?
    public var statementSHA256: String?
    public var statementMonth: Month?
    public var statementReference: String?

    public init(
        letter: Letter, statementFile: String?, statementSHA256: String?, statementMonth: Month?, statementReference: String?
    ) {
        self.letter = letter
        self.statementFile = statementFile
        self.statementSHA256 = statementSHA256
        self.statementMonth = statementMonth
        self.statementReference = statementReference
    }
}

/// A statement whose e-mail notice ("your statement is online") is still to be sent.
public struct StatementNotice: Sendable {
    public var statementID: ArchivedStatement.ID
    public var month: Month
    public var reference: String
    /// Nil when the account is closed or its e-mail unconfirmed: nothing is sent.
    public var email: String?
    public var firstNames: String
    public var lastName: String

    public init(
        statementID: ArchivedStatement.ID, month: Month, reference: String, email: String?, firstNames: String,
        lastName: String
    ) {
        self.statementID = statementID
        self.month = month
        self.reference = reference
        self.email = email
        self.firstNames = firstNames
        self.lastName = lastName
    }
}

extension SQLiteStore {
    // MARK: Account periods and cancellation

    static func accountPeriods(personID: Int64, db: Database) throws -> [DeliveryRule.OpenPeriod] {
        try Row.fetchAll(
            db.cachedStatement(sql: "SELECT opened_at, closed_at FROM account_period WHERE person_id = ? ORDER BY opened_at"),
            arguments: [personID]
        ).map { row in
            let closed: Int64? = row["closed_at"]
            return DeliveryRule.OpenPeriod(
                from: CivilDate(unixSeconds: row["opened_at"]), until: closed.map { CivilDate(unixSeconds: $0) })
        }
    }

    /// The periods during which this assuré's account was open, oldest first.
    public func accountPeriods(of personID: InsuredPerson.ID) async throws -> [DeliveryRule.OpenPeriod] {
        try await read { db in try Self.accountPeriods(personID: personID.rawValue, db: db) }
    }

    /// Closes an active account: status, open period, every session, the postal confirmation,
    /// the audit row, in one transaction. Returns false if the account was not active.
    public func closeAccount(personID: InsuredPerson.ID, at: Int64, letter: NewLetter, audit: AuditEvent) async throws -> Bool {
        try await write { db in
            try db.execute(
                sql:
                    "UPDATE account SET status = 'closed', closed_at = ?, updated_at = ? WHERE person_id = ? AND status = 'active'",
                arguments: [at, at, personID.rawValue])
            guard db.changesCount == 1 else { return false }
            try db.execute(
                sql: "UPDATE account_period SET closed_at = ? WHERE person_id = ? AND closed_at IS NULL",
                arguments: [at, personID.rawValue])
            try db.execute(
                sql: "UPDATE session SET revoked_at = ? WHERE person_id = ? AND revoked_at IS NULL",
                arguments: [at, personID.rawValue])
            try Self.insert(letter, personID: personID, at: at, db)
            try Self.insert(audit, db)
            return true
        }
    }

    // MARK: Duplicatas

    /// Asks for a paper duplicata of a statement, in one transaction: a request already waiting
    /// for the same statement is returned as is; beyond `quota` requests since `windowStart`
    /// nothing is created. The audit row records the outcome.
    public func requestDuplicata(
        personID: InsuredPerson.ID, statementID: ArchivedStatement.ID, letter: NewLetter, at: Int64, windowStart: Int64,
        quota: Int,
        audit: AuditEvent
    ) async throws -> DuplicataOutcome {
        try await write { db in
            var event = audit
            if let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT id, created_at FROM letter
                    WHERE person_id = ? AND kind = 'duplicata' AND statement_id = ? AND status = 'pending'
                    """, arguments: [personID.rawValue, statementID])
            {
                event.outcome = "already_pending"
                try Self.insert(event, db)
                return .alreadyPending(Letter.ID(row["id"]), since: row["created_at"])
            }
            let used =
                try Int.fetchOne(
                    db,
                    sql: "SELECT count(*) FROM letter WHERE person_id = ? AND kind = 'duplicata' AND created_at >= ?",
                    arguments: [personID.rawValue, windowStart]) ?? 0
            guard used < quota else {
                event.outcome = "over_quota"
                try Self.insert(event, db)
                return .overQuota(used: used)
            }
            var letter = letter
            letter.statementID = statementID
            try Self.insert(letter, personID: personID, at: at, db)
            let id = db.lastInsertedRowID
            event.outcome = "requested"
            try Self.insert(event, db)
            return .created(Letter.ID(id))
        }
    }

    /// The assuré's duplicata requests, newest first.
    public func duplicatas(of personID: InsuredPerson.ID) async throws -> [DuplicataRequest] {
        try await read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT l.id, l.status, l.created_at, l.printed_at, l.posted_at, s.month, s.reference
                    FROM letter l JOIN statement s ON s.id = l.statement_id
                    WHERE l.person_id = ? AND l.kind = 'duplicata' ORDER BY l.created_at DESC, l.id DESC
                    """, arguments: [personID.rawValue]
            ).map { r in
                DuplicataRequest(
                    letterID: Letter.ID(r["id"]), month: try Month(parsing: r["month"]), reference: r["reference"],
                    status: try StoreError.decode(r["status"], column: "letter.status"), requestedAt: r["created_at"],
                    printedAt: r["printed_at"], postedAt: r["posted_at"])
            }
        }
    }

    // MARK: Statement notices

    /// Statements whose e-mail notice is still due, oldest first.
    public func pendingNotices(limit: Int) async throws -> [StatementNotice] {
        try await read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT s.id, s.month, s.reference, p.first_names, p.last_name,
                           CASE WHEN a.status = 'active' AND a.email_confirmed = 1 THEN a.email END AS email
                    FROM statement s JOIN person p ON p.id = s.person_id LEFT JOIN account a ON a.person_id = s.person_id
                    WHERE s.notice_pending = 1 ORDER BY s.id LIMIT ?
                    """, arguments: [limit]
            ).map { r in
                StatementNotice(
                    statementID: ArchivedStatement.ID(r["id"]), month: try Month(parsing: r["month"]), reference: r["reference"],
                    email: r["email"],
                    firstNames: r["first_names"], lastName: r["last_name"])
            }
        }
    }

    public func markNoticesSent(_ statementIDs: [ArchivedStatement.ID]) async throws {
        try await write { db in
            for id in statementIDs {
                try db.execute(sql: "UPDATE statement SET notice_pending = 0 WHERE id = ?", arguments: [id])
            }
        }
    }

    // MARK: Print batches

    /// Pending letters created before `before`, in outbox order.
    public func lettersToPrint(createdBefore before: Int64) async throws -> [PrintableLetter] {
        try await read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT l.*, p.nir, s.file AS s_file, s.sha256 AS s_sha256, s.month AS s_month, s.reference AS s_reference
                    FROM letter l LEFT JOIN person p ON p.id = l.person_id LEFT JOIN statement s ON s.id = l.statement_id
                    WHERE l.status = 'pending' AND l.created_at < ? ORDER BY l.id
                    """, arguments: [before]
            ).map(Self.printable)
        }
    }

    static func printable(_ r: Row) throws -> PrintableLetter {
        let month: String? = r["s_month"]
        return PrintableLetter(
            letter: try letter(r), statementFile: r["s_file"], statementSHA256: r["s_sha256"],
            statementMonth: try month.map { try Month(parsing: $0) }, statementReference: r["s_reference"])
    }

    public func printBatch(date: CivilDate) async throws -> PrintBatch? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM print_batch WHERE date = ?", arguments: [date.description]).map(Self.batch)
        }
    }

    public func printBatch(reference: String) async throws -> PrintBatch? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM print_batch WHERE reference = ?", arguments: [reference]).map(Self.batch)
        }
    }

    static func batch(_ r: Row) throws -> PrintBatch {
        PrintBatch(
            id: PrintBatch.ID(r["id"]), reference: r["reference"], date: try CivilDate(parsing: r["date"]), file: r["file"],
            volumes: r["volumes"], manifest: r["manifest"], sha256: r["sha256"], letters: r["letters"], pages: r["pages"],
            createdAt: r["created_at"],
            postedAt: r["posted_at"])
    }

    /// Records a finished batch (its files are durable) and marks its letters printed, in one
    /// transaction; the plaintext of provisional codes is wiped from the outbox at the same time.
    /// Fails, changing nothing, if any letter is no longer pending.
    public func recordPrintBatch(
        reference: String, date: CivilDate, file: String, volumes: Int, manifest: String, sha256: String, letterIDs: [Letter.ID],
        pages: Int,
        at: Int64, audit: AuditEvent
    ) async throws -> PrintBatch {
        try await write { db in
            try db.execute(
                sql: """
                    INSERT INTO print_batch (reference, date, file, volumes, manifest, sha256, letters, pages, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [reference, date.description, file, volumes, manifest, sha256, letterIDs.count, pages, at])
            let batchID = db.lastInsertedRowID
            for id in letterIDs {
                try db.execute(
                    sql: """
                        UPDATE letter SET status = 'printed', printed_at = ?, batch_id = ?,
                            body = CASE kind WHEN 'code_provisoire' THEN '(code provisoire effacé après impression)' ELSE body END
                        WHERE id = ? AND status = 'pending'
                        """, arguments: [at, batchID, id.rawValue])
                guard db.changesCount == 1 else { throw StoreError.database("letter \(id) is no longer pending") }
            }
            try Self.insert(audit, db)
            return try Row.fetchOne(db, sql: "SELECT * FROM print_batch WHERE id = ?", arguments: [batchID]).map(Self.batch)!
        }
    }

    /// Marks a printed batch, and its letters, posted. Returns nil if there is no such batch;
    /// a batch already posted is returned unchanged.
    public func markBatchPosted(reference: String, at: Int64, audit: AuditEvent) async throws -> PrintBatch? {
        try await write { db in
            guard
                let batch = try Row.fetchOne(db, sql: "SELECT * FROM print_batch WHERE reference = ?", arguments: [reference])
                    .map(Self.batch)
            else { return nil }
            guard batch.postedAt == nil else { return batch }
            try db.execute(sql: "UPDATE print_batch SET posted_at = ? WHERE id = ?", arguments: [at, batch.id])
            try db.execute(
                sql: "UPDATE letter SET status = 'posted', posted_at = ? WHERE batch_id = ? AND status = 'printed'",
                arguments: [at, batch.id])
            try Self.insert(audit, db)
            var posted = batch
            posted.postedAt = at
            return posted
        }
    }
}

extension SQLiteStore {
    // MARK: Settings

}
