import GRDB
import ReleveDomain

extension SQLiteStore: RetentionStore {
    public func retentionCandidates(paymentsBefore: Month, statementsBefore: Month) async throws -> RetentionCandidates {
        try await read { db in
            let first = paymentsBefore.firstDay.description
            var payments: [Month: PaymentMonth] = [:]
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT substr(payment_date, 1, 7) AS month, count(*) AS payments,
                           sum(NOT (\(Self.removable))) AS unstated
                    FROM payment p WHERE payment_date < ? AND \(Self.visible) GROUP BY 1
                    """, arguments: [first])
            {
                let month = try Month(parsing: row["month"])
                payments[month] = PaymentMonth(month: month, payments: row["payments"], lines: 0, unstated: row["unstated"])
            }
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT substr(p.payment_date, 1, 7) AS month, count(*) AS lines
                    FROM payment p JOIN payment_line l ON l.payment_id = p.id
                    WHERE p.payment_date < ? AND \(Self.removable) GROUP BY 1
                    """, arguments: [first])
            {
                let month = try Month(parsing: row["month"])
                payments[month]?.lines = row["lines"]
            }
            var statements: [StatementMonth] = []
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT month, count(*) AS statements, sum(size) AS bytes FROM statement s
                    WHERE month < ? AND \(Self.unheld(keeping: "?")) GROUP BY month ORDER BY month
                    """, arguments: [statementsBefore.description, first])
            {
                statements.append(
                    StatementMonth(month: try Month(parsing: row["month"]), statements: row["statements"], bytes: row["bytes"]))
            }
            var held: [HeldStatement] = []
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT reference, month,
                           EXISTS (SELECT 1 FROM letter l WHERE l.statement_id = s.id AND l.status = 'pending') AS letter
                    FROM statement s WHERE month < ? AND NOT (\(Self.unheld(keeping: "?"))) ORDER BY month, reference
                    """, arguments: [statementsBefore.description, first])
            {
                held.append(
                    HeldStatement(
                        reference: row["reference"], month: try Month(parsing: row["month"]),
                        reason: row["letter"] ? .pendingLetter : .paymentsOnline))
            }
            return RetentionCandidates(
                payments: payments.values.sorted { $0.month < $1.month }, statements: statements, heldStatements: held,
                unfinishedFiles: try Int.fetchOne(db, sql: "SELECT count(*) FROM retired_file") ?? 0)
        }
    }

    /// A payment a retention pass may remove (`p` aliases it): in a statement already, or of an
    /// assuré of another régime (no statement will ever take it). One that the next statement
    /// will take stays, whatever its age.
    static let removable = """
        (p.statement_id IS NOT NULL OR p.person_id NOT IN (SELECT id FROM person WHERE regime IN \(servedRegimes)))
        """

    /// A statement a retention pass may remove: no letter waits to be printed from it and no
    /// payment it covers is still in the base (`s` aliases the statement). For a plan, the
    /// payments that the same pass removes first do not count: only those paid on or after the
    /// day bound to `keeping` (the first day the payments' limit keeps).
    static func unheld(keeping: String? = nil) -> String {
        """
        NOT EXISTS (SELECT 1 FROM letter l WHERE l.statement_id = s.id AND l.status = 'pending')
        AND NOT EXISTS (SELECT 1 FROM payment p WHERE p.statement_id = s.id\(keeping.map { " AND p.payment_date >= \($0)" } ?? ""))
        """
    }

    /// Payment lines live in one table here: the steps of `removePayments` take them.
    public func dropPaymentMonths(_ months: [Month], audit: AuditEvent) async throws -> [Month: Int] { [:] }

    public func removePayments(ids: ClosedRange<Int64>, months: Set<Month>) async throws -> RemovedPayments {
        // Found under a read (no lock); removed under the write lock, checked again there.
        let found = try await read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT id, substr(payment_date, 1, 7) AS month FROM payment p
                    WHERE id BETWEEN ? AND ? AND \(Self.removable) AND \(Self.visible)
                    """, arguments: [ids.lowerBound, ids.upperBound]
            ).compactMap { row -> (Int64, Month)? in
                guard let month = Month(row["month"] as String), months.contains(month) else { return nil }
                return (row["id"], month)
            }
        }
        guard !found.isEmpty else { return RemovedPayments() }
        return try await write { db in
            var removed = RemovedPayments()
            let lines = try db.cachedStatement(sql: "DELETE FROM payment_line WHERE payment_id = ?")
            let payment = try db.cachedStatement(sql: "DELETE FROM payment WHERE id = ?")
            let still = try db.cachedStatement(sql: "SELECT 1 FROM payment p WHERE id = ? AND \(Self.removable)")
            for (id, month) in found {
                // Checked again under the lock; lines first (their foreign key names the payment).
                guard try Int.fetchOne(still, arguments: [id]) != nil else { continue }
                try lines.execute(arguments: [id])
                let removedLines = db.changesCount
                try payment.execute(arguments: [id])
                removed.add(RemovedPayments(byMonth: [month: (1, removedLines)]))
            }
            return removed
        }
    }

    public func retireStatements(month: Month, limit: Int, at: Int64) async throws -> [RetiredFile] {
        try await write { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT id, reference, file, sha256, size FROM statement s
                    WHERE month = ? AND \(Self.unheld()) ORDER BY id LIMIT ?
                    """, arguments: [month.description, limit])
            var retired: [RetiredFile] = []
            for row in rows {
                let id: Int64 = row["id"]
                try db.execute(sql: "UPDATE letter SET statement_id = NULL WHERE statement_id = ?", arguments: [id])
                try db.execute(sql: "DELETE FROM statement WHERE id = ?", arguments: [id])
                try db.execute(
                    sql: """
                        INSERT INTO retired_file (month, reference, file, sha256, size, retired_at) VALUES (?, ?, ?, ?, ?, ?)
                        """, arguments: [month.description, row["reference"], row["file"], row["sha256"], row["size"], at])
                retired.append(
                    RetiredFile(
                        id: db.lastInsertedRowID, month: month, reference: row["reference"], file: row["file"],
                        sha256: row["sha256"], size: row["size"]))
            }
            return retired
        }
    }

    public func retiredFiles(limit: Int) async throws -> [RetiredFile] {
        try await read { db in
            try Row.fetchAll(
                db, sql: "SELECT id, month, reference, file, sha256, size FROM retired_file ORDER BY id LIMIT ?",
                arguments: [limit]
            ).map { row in
                RetiredFile(
                    id: row["id"], month: try Month(parsing: row["month"]), reference: row["reference"], file: row["file"],
                    sha256: row["sha256"], size: row["size"])
            }
        }
    }

    public func forgetRetiredFiles(_ ids: [Int64]) async throws {
        guard !ids.isEmpty else { return }
        try await write { db in
            let statement = try db.cachedStatement(sql: "DELETE FROM retired_file WHERE id = ?")
            for id in ids { try statement.execute(arguments: [id]) }
        }
    }
}
