import Foundation
import Logging
import PostgresNIO
import ReleveDomain
import ReleveStore

/// Retention on PostgreSQL: a month's payment lines go as a whole partition (detached, then
/// dropped) when every payment of the month is in a statement; the payments themselves, and
/// lines that landed in the default partition, go in short steps like on SQLite.
extension PostgresStore: RetentionStore {
    public func retentionCandidates(paymentsBefore: Month, statementsBefore: Month) async throws -> RetentionCandidates {
        let first = paymentsBefore.firstDay.description
        var payments: [Month: PaymentMonth] = [:]
        for try await (month, count, unstated) in try await client.query(
            """
            SELECT to_char(payment_date, 'YYYY-MM'), count(*), count(*) FILTER (WHERE NOT \(unescaped: Self.removable))
            FROM payment p WHERE payment_date < \(first)::date
              AND import_id NOT IN (SELECT id FROM import_ledger WHERE state = 'pending')
            GROUP BY 1
            """, logger: logger
        ).decode((String, Int, Int).self) {
            let month = try Month(parsing: month)
            payments[month] = PaymentMonth(month: month, payments: count, lines: 0, unstated: unstated)
        }
        for try await (month, lines) in try await client.query(
            """
            SELECT to_char(l.payment_date, 'YYYY-MM'), count(*) FROM payment_line l
            JOIN payment p ON p.person_id = l.person_id AND p.id = l.payment_id
            WHERE l.payment_date < \(first)::date AND \(unescaped: Self.removable) GROUP BY 1
            """, logger: logger
        ).decode((String, Int).self) {
            payments[try Month(parsing: month)]?.lines = lines
        }
        var statements: [StatementMonth] = []
        for try await (month, count, bytes) in try await client.query(
            PostgresQuery(
                unsafeSQL: """
                    SELECT month, count(*), sum(size)::bigint FROM statement s
                    WHERE month < $1 AND \(Self.unheld(keeping: "$2::date")) GROUP BY month ORDER BY month
                    """, binds: Self.binds(statementsBefore.description, first)), logger: logger
        ).decode((String, Int, Int64).self) {
            statements.append(StatementMonth(month: try Month(parsing: month), statements: count, bytes: bytes))
        }
        var held: [HeldStatement] = []
        for try await (reference, month, letter) in try await client.query(
            PostgresQuery(
                unsafeSQL: """
                    SELECT reference, month,
                           EXISTS (SELECT 1 FROM letter l WHERE l.statement_id = s.id AND l.status = 'pending')
                    FROM statement s WHERE month < $1 AND NOT (\(Self.unheld(keeping: "$2::date"))) ORDER BY month, reference
                    """, binds: Self.binds(statementsBefore.description, first)), logger: logger
        ).decode((String, String, Bool).self) {
            held.append(
                HeldStatement(
                    reference: reference, month: try Month(parsing: month), reason: letter ? .pendingLetter : .paymentsOnline))
        }
        return RetentionCandidates(
            payments: payments.values.sorted { $0.month < $1.month }, statements: statements, heldStatements: held,
            unfinishedFiles: try await count("SELECT count(*) FROM retired_file"))
    }

    /// See `SQLiteStore.removable`.
    static let removable = """
        (p.statement_id IS NOT NULL OR p.person_id NOT IN (SELECT id FROM person WHERE regime IN \(servedRegimes)))
        """

    /// See `SQLiteStore.unheld`.
    static func unheld(keeping: String? = nil) -> String {
        """
        NOT EXISTS (SELECT 1 FROM letter l WHERE l.statement_id = s.id AND l.status = 'pending')
        AND NOT EXISTS (SELECT 1 FROM payment p WHERE p.statement_id = s.id\(keeping.map { " AND p.payment_date >= \($0)" } ?? ""))
        """
    }

    /// Each month whose payments are all in a statement loses its lines' partition in one short
    /// transaction (`DETACH PARTITION` takes the parent's lock: `lock_timeout` keeps a login's
    /// wait short, and a month that cannot get it is left to the steps).
    public func dropPaymentMonths(_ months: [Month], audit: AuditEvent) async throws -> [Month: Int] {
        var dropped: [Month: Int] = [:]
        for month in months {
            let name = "payment_line_" + month.description.replacingOccurrences(of: "-", with: "_")
            let lines: Int? = try await client.withTransaction(logger: logger) { connection in
                let exists =
                    try await connection.query(
                        "SELECT to_regclass(\(name)) IS NOT NULL", logger: logger
                    ).collect().first?.decode(Bool.self) ?? false
                guard exists else { return nil }
                let unstated =
                    try await connection.query(
                        """
                        SELECT count(*) FROM payment p
                        WHERE NOT \(unescaped: Self.removable) AND payment_date >= \(month.firstDay.description)::date
                          AND payment_date <= \(month.lastDay.description)::date
                        """, logger: logger
                    ).collect().first?.decode(Int.self) ?? 1
                guard unstated == 0 else { return nil }
                try await connection.query("SET LOCAL lock_timeout = '5s'", logger: logger)
                try await connection.query(
                    PostgresQuery(unsafeSQL: "ALTER TABLE payment_line DETACH PARTITION \"\(name)\""), logger: logger)
                let lines =
                    try await connection.query(
                        PostgresQuery(unsafeSQL: "SELECT count(*) FROM \"\(name)\""), logger: logger
                    ).collect().first?.decode(Int.self) ?? 0
                try await connection.query(PostgresQuery(unsafeSQL: "DROP TABLE \"\(name)\""), logger: logger)
                var event = audit
                event.outcome = "lignes_mois"
                event.detail = "\(month) : \(lines) lignes (partition \(name) détachée et supprimée)"
                try await Self.insert(event, connection, logger: logger)
                return lines
            }
            if let lines { dropped[month] = lines }
        }
        return dropped
    }

    public func removePayments(ids: ClosedRange<Int64>, months: Set<Month>) async throws -> RemovedPayments {
        let wanted = months.map(\.description)
        return try await client.withTransaction(logger: logger) { connection in
            var found: [(Int64, Int64, String)] = []
            for try await row in try await connection.query(
                """
                SELECT person_id, id, to_char(payment_date, 'YYYY-MM') FROM payment p
                WHERE id BETWEEN \(ids.lowerBound) AND \(ids.upperBound) AND \(unescaped: Self.removable)
                  AND import_id NOT IN (SELECT id FROM import_ledger WHERE state = 'pending')
                  AND to_char(payment_date, 'YYYY-MM') = ANY(\(wanted))
                FOR UPDATE
                """, logger: logger
            ).decode((Int64, Int64, String).self) {
                found.append(row)
            }
            guard !found.isEmpty else { return RemovedPayments() }
            let persons = found.map(\.0)
            let payments = found.map(\.1)
            var lines: [Int64: Int] = [:]
            for try await (payment, count) in try await connection.query(
                """
                WITH gone AS (
                    DELETE FROM payment_line WHERE (person_id, payment_id) IN (SELECT * FROM unnest(\(persons)::bigint[], \(payments)::bigint[]))
                    RETURNING payment_id)
                SELECT payment_id, count(*) FROM gone GROUP BY payment_id
                """, logger: logger
            ).decode((Int64, Int).self) {
                lines[payment] = count
            }
            try await connection.query(
                "DELETE FROM payment WHERE (person_id, id) IN (SELECT * FROM unnest(\(persons)::bigint[], \(payments)::bigint[]))",
                logger: logger)
            var removed = RemovedPayments()
            for (_, id, month) in found {
                removed.add(RemovedPayments(byMonth: [try Month(parsing: month): (1, lines[id] ?? 0)]))
            }
            return removed
        }
    }

    public func retireStatements(month: Month, limit: Int, at: Int64) async throws -> [RetiredFile] {
        try await client.withTransaction(logger: logger) { connection in
            var retired: [RetiredFile] = []
            for try await (id, reference, file, sha256, size) in try await connection.query(
                PostgresQuery(
                    unsafeSQL: """
                        WITH chosen AS (
                            SELECT id FROM statement s WHERE month = $1 AND \(Self.unheld()) ORDER BY id LIMIT \(limit) FOR UPDATE),
                        unlinked AS (UPDATE letter SET statement_id = NULL WHERE statement_id IN (SELECT id FROM chosen)),
                        gone AS (DELETE FROM statement WHERE id IN (SELECT id FROM chosen) RETURNING reference, file, sha256, size)
                        INSERT INTO retired_file (month, reference, file, sha256, size, retired_at)
                        SELECT $1, reference, file, sha256, size, \(at) FROM gone
                        RETURNING id, reference, file, sha256, size
                        """, binds: Self.binds(month.description)), logger: logger
            ).decode((Int64, String, String, String, Int64).self) {
                retired.append(RetiredFile(id: id, month: month, reference: reference, file: file, sha256: sha256, size: size))
            }
            return retired.sorted { $0.id < $1.id }
        }
    }

    public func retiredFiles(limit: Int) async throws -> [RetiredFile] {
        var files: [RetiredFile] = []
        for try await (id, month, reference, file, sha256, size) in try await client.query(
            "SELECT id, month, reference, file, sha256, size FROM retired_file ORDER BY id LIMIT \(limit)", logger: logger
        ).decode((Int64, String, String, String, String, Int64).self) {
            files.append(
                RetiredFile(
                    id: id, month: try Month(parsing: month), reference: reference, file: file, sha256: sha256, size: size))
        }
        return files
    }

    public func forgetRetiredFiles(_ ids: [Int64]) async throws {
        guard !ids.isEmpty else { return }
        try await client.query("DELETE FROM retired_file WHERE id = ANY(\(ids))", logger: logger)
    }
}

extension PostgresStore: StorageStore {
    /// The database's size, the server's WAL when this role may list it (pg_monitor), and the
    /// payments per month.
    public func storage() async throws -> EngineStorage {
        var months: [Month: Int] = [:]
        for try await (month, count) in try await client.query(
            "SELECT to_char(payment_date, 'YYYY-MM'), count(*) FROM payment GROUP BY 1", logger: logger
        ).decode((String, Int).self) {
            if let month = Month(month) { months[month] = count }
        }
        var database: Int64?
        for try await size in try await client.query("SELECT pg_database_size(current_database())", logger: logger)
            .decode(Int64.self)
        {
            database = size
        }
        var wal: Int64?
        do {
            for try await size in try await client.query(
                "SELECT coalesce(sum(size), 0)::bigint FROM pg_ls_waldir()", logger: logger
            )
            .decode(Int64.self) {
                wal = size
            }
        } catch {
            wal = nil
        }
        return EngineStorage(
            parts: [.init(name: "base", bytes: database), .init(name: "journal (WAL) du serveur", bytes: wal)],
            paymentsByMonth: months)
    }
}
