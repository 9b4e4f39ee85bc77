import Foundation
import Logging
import PostgresNIO
import ReleveDomain
import ReleveStore

/// Monthly statements on PostgreSQL: the same inputs and recording as on SQLite. A statement is
/// recorded once per (assuré, month) by its unique key, so two batches on two machines that
/// render the same statement record it once (the second's `ON CONFLICT DO NOTHING`).
extension PostgresStore: StatementStore {
    /// The régimes this caisse serves, as an SQL list (see `SQLiteStore.servedRegimes`).
    static let servedRegimes =
        "(" + Regime.allCases.filter(\.isEligibleForAccount).map { "'\($0.rawValue)'" }.joined(separator: ", ") + ")"

    /// Payments not yet in a statement, paid up to the month's last day ($2), and either in
    /// the month (from its first day, $1) or in an earlier month already issued.
    static let eligibleCondition = """
        p.statement_id IS NULL AND p.payment_date <= $2::date
        AND (p.payment_date >= $1::date
             OR to_char(p.payment_date, 'YYYY-MM') IN (SELECT month FROM statement_run WHERE completed_at IS NOT NULL))
        """

    public func beginStatementRun(month: Month, at: Int64) async throws {
        try await client.withTransaction(logger: logger) { connection in
            try await connection.query(
                "INSERT INTO statement_run (month, started_at) VALUES (\(month.description), \(at)) ON CONFLICT (month) DO NOTHING",
                logger: logger)
            var bindings = PostgresBindings()
            bindings.append(month.firstDay.description)
            bindings.append(month.lastDay.description)
            bindings.append(month.description)
            try await connection.query(
                PostgresQuery(
                    unsafeSQL: """
                        INSERT INTO statement_work (person_id, month)
                        SELECT DISTINCT p.person_id, $3 FROM payment p
                        WHERE \(Self.eligibleCondition)
                          AND NOT EXISTS (SELECT 1 FROM statement s WHERE s.person_id = p.person_id AND s.month = $3)
                          AND p.person_id IN (SELECT id FROM person WHERE regime IN \(Self.servedRegimes))
                        ON CONFLICT DO NOTHING
                        """, binds: bindings), logger: logger)
        }
    }

    /// `FOR UPDATE SKIP LOCKED`: two workers claiming at once each lock different free rows
    /// (neither waits on the other's), then lease them in the same statement.
    public func claimStatementWork(month: Month, owner: String, limit: Int, now: Int64, lease: Int64) async throws
        -> [InsuredPerson.ID]
    {
        var persons: [Int64] = []
        for try await id in try await client.query(
            """
            UPDATE statement_work w SET lease_owner = \(owner), lease_until = \(now + lease)
            FROM (SELECT person_id FROM statement_work
                  WHERE month = \(month.description) AND (lease_until IS NULL OR lease_until < \(now))
                  ORDER BY person_id LIMIT \(limit) FOR UPDATE SKIP LOCKED) free
            WHERE w.month = \(month.description) AND w.person_id = free.person_id
            RETURNING w.person_id
            """, logger: logger
        ).decode(Int64.self) {
            persons.append(id)
        }
        return persons.sorted().map { InsuredPerson.ID($0) }
    }

    public func statementLeaseOwners(month: Month, now: Int64) async throws -> [String] {
        var owners: [String] = []
        for try await owner in try await client.query(
            "SELECT DISTINCT lease_owner FROM statement_work WHERE month = \(month.description) AND lease_until >= \(now)",
            logger: logger
        ).decode(String.self) {
            owners.append(owner)
        }
        return owners
    }

    public func expireStatementLeases(month: Month, owner: String) async throws {
        try await client.query(
            """
            UPDATE statement_work SET lease_owner = NULL, lease_until = NULL
            WHERE month = \(month.description) AND lease_owner = \(owner)
            """, logger: logger)
    }

    public func statementWorkRemaining(month: Month) async throws -> Int {
        for try await count in try await client.query(
            "SELECT count(*) FROM statement_work WHERE month = \(month.description)", logger: logger
        ).decode(Int.self) {
            return count
        }
        return 0
    }

    public func dropStatementWork(month: Month, persons: [InsuredPerson.ID]) async throws {
        try await client.query(
            "DELETE FROM statement_work WHERE month = \(month.description) AND person_id = ANY(\(persons.map(\.rawValue)))",
            logger: logger)
    }

    public func completeStatementRun(month: Month, at: Int64) async throws {
        try await client.query(
            "UPDATE statement_run SET completed_at = coalesce(completed_at, \(at)) WHERE month = \(month.description)",
            logger: logger)
    }

    public func personsToState(month: Month) async throws -> [InsuredPerson.ID] {
        var bindings = PostgresBindings()
        bindings.append(month.firstDay.description)
        bindings.append(month.lastDay.description)
        bindings.append(month.description)
        var persons: [InsuredPerson.ID] = []
        for try await id in try await client.query(
            PostgresQuery(
                unsafeSQL: """
                    SELECT DISTINCT p.person_id FROM payment p
                    WHERE \(Self.eligibleCondition)
                      AND NOT EXISTS (SELECT 1 FROM statement s WHERE s.person_id = p.person_id AND s.month = $3)
                      AND p.person_id IN (SELECT id FROM person WHERE regime IN \(Self.servedRegimes))
                    ORDER BY p.person_id
                    """, binds: bindings), logger: logger
        ).decode(Int64.self) {
            persons.append(InsuredPerson.ID(id))
        }
        return persons
    }

    public func statementInputs(month: Month, persons: [InsuredPerson.ID]) async throws -> (
        inputs: [StatementInput], unusable: [(InsuredPerson.ID, String)]
    ) {
        var inputs: [StatementInput] = []
        var unusable: [(InsuredPerson.ID, String)] = []
        for id in persons {
            do {
                if let input = try await statementInput(month: month, person: id) { inputs.append(input) }
            } catch let error as DomainError {
                unusable.append((id, error.message))
            } catch let error as PSQLError where error.serverInfo?[.sqlState] == "22003" {
                // sum() of stored amounts beyond 64 bits: "bigint out of range".
                unusable.append((id, error.serverInfo?[.message] ?? "erreur de calcul"))
            }
        }
        return (inputs, unusable)
    }

    private func statementInput(month: Month, person id: InsuredPerson.ID) async throws -> StatementInput? {
        guard let context = try await accountContext(personID: id) else { return nil }
        let nir = context.person.person.nir
        var bindings = PostgresBindings()
        bindings.append(month.firstDay.description)
        bindings.append(month.lastDay.description)
        bindings.append(id.rawValue)
        let rows = try await client.query(
            PostgresQuery(
                unsafeSQL: """
                    SELECT \(Self.paymentColumns)
                    FROM payment p JOIN payment_line l ON l.person_id = p.person_id AND l.payment_id = p.id
                        AND l.payment_date = p.payment_date
                    WHERE p.person_id = $3 AND \(Self.eligibleCondition)
                    ORDER BY p.payment_date, p.id, l.position
                    """, binds: bindings), logger: logger)
        let payments = try await Self.payments(rows, nir: nir)
        let historyStart = month.adding(months: -5)
        var byMonth: [String: Int64] = [:]
        for try await (m, total) in try await client.query(
            """
            SELECT to_char(payment_date, 'YYYY-MM'), sum(reimbursed)::bigint FROM payment_line
            WHERE person_id = \(id.rawValue) AND payment_date BETWEEN \(historyStart.firstDay.description)::date
                AND \(month.lastDay.description)::date
            GROUP BY 1
            """, logger: logger
        ).decode((String, Int64).self) {
            byMonth[m] = total
        }
        let history = (0..<6).map { offset -> (Month, Cents) in
            let m = historyStart.adding(months: offset)
            return (m, Cents(byMonth[m.description] ?? 0))
        }
        let email =
            context.account.flatMap { $0.status == .active && $0.emailConfirmed ? $0.email : nil }
        return StatementInput(
            person: context.person, payments: payments, history: history,
            accountPeriods: try await accountPeriods(of: id), noticeEmail: email)
    }

    /// What `payments(_:nir:)` decodes, by position: the payment, then one of its lines.
    static let paymentColumns = """
        p.id, p.reference, p.payment_date::text, p.payee_kind, p.payee_name, p.kind, l.care_date::text,
        l.beneficiary_rank, l.kind, l.act_code, l.label, l.professional, l.quantity, l.paid, l.base, l.rate_bp,
        l.reimbursed, l.transmitted
        """

    /// Payments from rows of `paymentColumns`, ordered by payment then line.
    static func payments<Rows: AsyncSequence>(_ rows: Rows, nir: NIR) async throws -> [StoredPayment]
    where Rows.Element == PostgresRow {
        var result: [StoredPayment] = []
        var current: (id: Int64, reference: String, date: String, payeeKind: String, payee: String?, kind: String)?
        var lines: [PaymentLine] = []
        func close() throws {
            guard let c = current else { return }
            let payment = try Payment(
                reference: c.reference, nir: nir, date: CivilDate(parsing: c.date),
                payee: c.payeeKind == "assure" ? .insured : .professional(c.payee ?? ""),
                kind: try StoreError.decode(c.kind, column: "payment.kind"), lines: lines)
            result.append(StoredPayment(id: Payment.ID(c.id), payment: payment))
            lines = []
        }
        for try await row in rows {
            let r = try row.decode(
                (
                    Int64, String, String, String, String?, String, String, Int, String, String, String, String?, Int, Int64,
                    Int64, Int, Int64, Bool
                ).self)
            if current?.id != r.0 {
                try close()
                current = (r.0, r.1, r.2, r.3, r.4, r.5)
            }
            lines.append(
                try PaymentLine(
                    careDate: CivilDate(parsing: r.6), beneficiaryRank: r.7,
                    kind: try StoreError.decode(r.8, column: "payment_line.kind"), actCode: r.9, label: r.10,
                    professional: r.11, quantity: r.12, paid: Cents(r.13), base: Cents(r.14), rate: Rate(basisPoints: r.15),
                    reimbursed: Cents(r.16), transmittedToComplementaire: r.17))
        }
        try close()
        return result
    }

    @discardableResult
    public func recordStatements(_ statements: [IssuedStatement], at: Int64) async throws -> Int {
        try await client.withTransaction(logger: logger) { connection in
            var recorded = 0
            for s in statements {
                try await connection.query(
                    "DELETE FROM statement_work WHERE month = \(s.month.description) AND person_id = \(s.personID.rawValue)",
                    logger: logger)
                var id: Int64?
                for try await value in try await connection.query(
                    """
                    INSERT INTO statement (person_id, month, reference, issued_on, file, sha256, fingerprint, size, pages,
                        payments, reimbursed, delivery, notice_pending)
                    VALUES (\(s.personID.rawValue), \(s.month.description), \(s.reference), \(s.issuedOn.description)::date,
                        \(s.file), \(s.sha256), \(s.fingerprint), \(Int64(s.size)), \(s.pages), \(s.paymentIDs.count),
                        \(s.reimbursed.rawValue), \(s.delivery?.code), \(s.notice))
                    ON CONFLICT DO NOTHING RETURNING id
                    """, logger: logger
                ).decode(Int64.self) {
                    id = value
                }
                guard let id else { continue }
                recorded += 1
                let ids = s.paymentIDs.map(\.rawValue)
                try await connection.query(
                    """
                    UPDATE payment SET statement_id = \(id)
                    WHERE person_id = \(s.personID.rawValue) AND id = ANY(\(ids)) AND statement_id IS NULL
                    """, logger: logger)
                if var letter = s.postalLetter {
                    letter.statementID = ArchivedStatement.ID(id)
                    try await Self.insert(letter, personID: s.personID, at: at, connection, logger: logger)
                }
            }
            return recorded
        }
    }

    static let statementColumns = """
        id, person_id, month, reference, issued_on::text, file, sha256, fingerprint, size, pages, reimbursed, payments
        """

    func archived(_ sql: String, _ bindings: PostgresBindings) async throws -> [ArchivedStatement] {
        var statements: [ArchivedStatement] = []
        for try await r in try await client.query(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: logger).decode(
            (Int64, Int64, String, String, String, String, String, String, Int64, Int, Int64, Int).self)
        {
            statements.append(
                ArchivedStatement(
                    id: ArchivedStatement.ID(r.0),
                    statement: StatementFile(
                        personID: InsuredPerson.ID(r.1), month: try Month(parsing: r.2), reference: r.3,
                        issuedOn: try CivilDate(parsing: r.4), file: r.5, sha256: r.6, fingerprint: r.7, size: Int(r.8),
                        pages: r.9, reimbursed: Cents(r.10)),
                    payments: r.11))
        }
        return statements
    }

    public func statements(of personID: InsuredPerson.ID) async throws -> [ArchivedStatement] {
        var bindings = PostgresBindings()
        bindings.append(personID.rawValue)
        return try await archived(
            "SELECT \(Self.statementColumns) FROM statement WHERE person_id = $1 ORDER BY month DESC", bindings)
    }

    public func statements(month: Month) async throws -> [ArchivedStatement] {
        var bindings = PostgresBindings()
        bindings.append(month.description)
        return try await archived(
            "SELECT \(Self.statementColumns) FROM statement WHERE month = $1 ORDER BY person_id", bindings)
    }

    public func archivedFiles(after afterID: ArchivedStatement.ID?, limit: Int) async throws -> [ArchivedStatement] {
        var bindings = PostgresBindings()
        bindings.append(afterID?.rawValue ?? 0)
        bindings.append(limit)
        return try await archived(
            "SELECT \(Self.statementColumns) FROM statement WHERE id > $1 ORDER BY id LIMIT $2", bindings)
    }

    public func statementCount() async throws -> Int {
        for try await count in try await client.query("SELECT count(*) FROM statement", logger: logger).decode(Int.self) {
            return count
        }
        return 0
    }

    public func lastPaymentMonth(before month: Month) async throws -> Month? {
        for try await value in try await client.query(
            "SELECT max(to_char(payment_date, 'YYYY-MM')) FROM payment WHERE payment_date < \(month.firstDay.description)::date",
            logger: logger
        ).decode(String?.self) {
            return try value.map { try Month(parsing: $0) }
        }
        return nil
    }
}
