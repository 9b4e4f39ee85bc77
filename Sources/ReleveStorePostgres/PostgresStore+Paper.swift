import Foundation
import Logging
import PostgresNIO
import ReleveDomain
import ReleveStore

/// Paper on PostgreSQL: the postal outbox, duplicatas (the quota decided under a lock on the
/// assuré's row, so two requests at once never pass it together), statement notices, print
/// batches (a letter printed once: the batch fails, changing nothing, if one is no longer
/// pending) and the insurers' exports.
extension PostgresStore: PaperStore {
    static let letterColumns = """
        l.id, l.kind, l.recipient, l.body, l.status, l.created_at, p.nir, l.statement_id, l.batch_id, l.printed_at,
        l.posted_at
        """
    typealias LetterRow = (Int64, String, String, String, String, Int64, String?, Int64?, Int64?, Int64?, Int64?)

    static func letter(_ r: LetterRow) throws -> Letter {
        Letter(
            id: Letter.ID(r.0), kind: try StoreError.decode(r.1, column: "letter.kind"), recipient: r.2, body: r.3,
            status: try StoreError.decode(r.4, column: "letter.status"), createdAt: r.5,
            nir: try r.6.map { try NIR(parsing: $0) }, statementID: r.7.map(ArchivedStatement.ID.init),
            batchID: r.8.map(PrintBatch.ID.init), printedAt: r.9, postedAt: r.10)
    }

    public func letters(all: Bool) async throws -> [Letter] {
        var letters: [Letter] = []
        for try await row in try await client.query(
            PostgresQuery(
                unsafeSQL: """
                    SELECT \(Self.letterColumns) FROM letter l LEFT JOIN person p ON p.id = l.person_id
                    \(all ? "" : "WHERE l.status = 'pending'") ORDER BY l.id
                    """), logger: logger
        ).decode(LetterRow.self) {
            letters.append(try Self.letter(row))
        }
        return letters
    }

    public func letter(id: Letter.ID) async throws -> Letter? {
        var bindings = PostgresBindings()
        bindings.append(id.rawValue)
        for try await row in try await client.query(
            PostgresQuery(
                unsafeSQL: "SELECT \(Self.letterColumns) FROM letter l LEFT JOIN person p ON p.id = l.person_id WHERE l.id = $1",
                binds: bindings), logger: logger
        ).decode(LetterRow.self) {
            return try Self.letter(row)
        }
        return nil
    }

    public func requestDuplicata(
        personID: InsuredPerson.ID, statementID: ArchivedStatement.ID, letter: NewLetter, at: Int64, windowStart: Int64,
        quota: Int, audit: AuditEvent
    ) async throws -> DuplicataOutcome {
        try await client.withTransaction(logger: logger) { connection in
            try await connection.query("SELECT 1 FROM person WHERE id = \(personID.rawValue) FOR UPDATE", logger: logger)
            var event = audit
            for try await (id, created) in try await connection.query(
                """
                SELECT id, created_at FROM letter WHERE person_id = \(personID.rawValue) AND kind = 'duplicata'
                    AND statement_id = \(statementID.rawValue) AND status = 'pending'
                """, logger: logger
            ).decode((Int64, Int64).self) {
                event.outcome = "already_pending"
                try await Self.insert(event, connection, logger: logger)
                return .alreadyPending(Letter.ID(id), since: created)
            }
            var used = 0
            for try await count in try await connection.query(
                """
                SELECT count(*) FROM letter WHERE person_id = \(personID.rawValue) AND kind = 'duplicata'
                    AND created_at >= \(windowStart)
                """, logger: logger
            ).decode(Int.self) {
                used = count
            }
            guard used < quota else {
                event.outcome = "over_quota"
                try await Self.insert(event, connection, logger: logger)
                return .overQuota(used: used)
            }
            var letter = letter
            letter.statementID = statementID
            let id = try await Self.insert(letter, personID: personID, at: at, connection, logger: logger)
            event.outcome = "requested"
            try await Self.insert(event, connection, logger: logger)
            return .created(Letter.ID(id))
        }
    }

    public func duplicatas(of personID: InsuredPerson.ID) async throws -> [DuplicataRequest] {
        var requests: [DuplicataRequest] = []
        for try await r in try await client.query(
            """
            SELECT l.id, l.status, l.created_at, l.printed_at, l.posted_at, s.month, s.reference
            FROM letter l JOIN statement s ON s.id = l.statement_id
            WHERE l.person_id = \(personID.rawValue) AND l.kind = 'duplicata' ORDER BY l.created_at DESC, l.id DESC
            """, logger: logger
        ).decode((Int64, String, Int64, Int64?, Int64?, String, String).self) {
            requests.append(
                DuplicataRequest(
                    letterID: Letter.ID(r.0), month: try Month(parsing: r.5), reference: r.6,
                    status: try StoreError.decode(r.1, column: "letter.status"), requestedAt: r.2, printedAt: r.3,
                    postedAt: r.4))
        }
        return requests
    }

    public func pendingNotices(limit: Int) async throws -> [StatementNotice] {
        var notices: [StatementNotice] = []
        for try await r in try await client.query(
            """
            SELECT s.id, s.month, s.reference, p.first_names, p.last_name,
                   CASE WHEN a.status = 'active' AND a.email_confirmed THEN a.email END
            FROM statement s JOIN person p ON p.id = s.person_id LEFT JOIN account a ON a.person_id = s.person_id
            WHERE s.notice_pending ORDER BY s.id LIMIT \(limit)
            """, logger: logger
        ).decode((Int64, String, String, String, String, String?).self) {
            notices.append(
                StatementNotice(
                    statementID: ArchivedStatement.ID(r.0), month: try Month(parsing: r.1), reference: r.2, email: r.5,
                    firstNames: r.3, lastName: r.4))
        }
        return notices
    }

    public func markNoticesSent(_ statementIDs: [ArchivedStatement.ID]) async throws {
        let ids = statementIDs.map(\.rawValue)
        try await client.query("UPDATE statement SET notice_pending = false WHERE id = ANY(\(ids))", logger: logger)
    }

    public func lettersToPrint(createdBefore before: Int64) async throws -> [PrintableLetter] {
        var letters: [PrintableLetter] = []
        for try await r in try await client.query(
            PostgresQuery(
                unsafeSQL: """
                    SELECT \(Self.letterColumns), s.file, s.sha256, s.month, s.reference
                    FROM letter l LEFT JOIN person p ON p.id = l.person_id LEFT JOIN statement s ON s.id = l.statement_id
                    WHERE l.status = 'pending' AND l.created_at < $1 ORDER BY l.id
                    """,
                binds: {
                    var b = PostgresBindings()
                    b.append(before)
                    return b
                }()), logger: logger
        ).decode(
            (
                Int64, String, String, String, String, Int64, String?, Int64?, Int64?, Int64?, Int64?, String?, String?,
                String?, String?
            ).self)
        {
            let letter = try Self.letter((r.0, r.1, r.2, r.3, r.4, r.5, r.6, r.7, r.8, r.9, r.10))
            letters.append(
                PrintableLetter(
                    letter: letter, statementFile: r.11, statementSHA256: r.12,
                    statementMonth: try r.13.map { try Month(parsing: $0) }, statementReference: r.14))
        }
        return letters
    }

    static let batchColumns =
        "id, reference, date::text, file, volumes, manifest, sha256, letters, pages, created_at, posted_at"

    func batch(where condition: String, _ value: String, _ connection: PostgresConnection? = nil) async throws -> PrintBatch? {
        var bindings = PostgresBindings()
        bindings.append(value)
        let query = PostgresQuery(
            unsafeSQL: "SELECT \(Self.batchColumns) FROM print_batch WHERE \(condition)", binds: bindings)
        let rows =
            if let connection { try await connection.query(query, logger: logger) } else {
                try await client.query(query, logger: logger)
            }
        for try await r in rows.decode((Int64, String, String, String, Int, String, String, Int, Int, Int64, Int64?).self) {
            return PrintBatch(
                id: PrintBatch.ID(r.0), reference: r.1, date: try CivilDate(parsing: r.2), file: r.3, volumes: r.4,
                manifest: r.5, sha256: r.6, letters: r.7, pages: r.8, createdAt: r.9, postedAt: r.10)
        }
        return nil
    }

    public func printBatch(date: CivilDate) async throws -> PrintBatch? {
        try await batch(where: "date = $1::date", date.description)
    }

    public func printBatch(reference: String) async throws -> PrintBatch? {
        try await batch(where: "reference = $1", reference)
    }

    public func recordPrintBatch(
        reference: String, date: CivilDate, file: String, volumes: Int, manifest: String, sha256: String,
        letterIDs: [Letter.ID], pages: Int, at: Int64, audit: AuditEvent
    ) async throws -> PrintBatch {
        try await client.withTransaction(logger: logger) { connection in
            var batchID: Int64 = 0
            for try await id in try await connection.query(
                """
                INSERT INTO print_batch (reference, date, file, volumes, manifest, sha256, letters, pages, created_at)
                VALUES (\(reference), \(date.description)::date, \(file), \(volumes), \(manifest), \(sha256),
                    \(letterIDs.count), \(pages), \(at))
                RETURNING id
                """, logger: logger
            ).decode(Int64.self) {
                batchID = id
            }
            let ids = letterIDs.map(\.rawValue)
            var printed = 0
            for try await count in try await connection.query(
                """
                WITH printed AS (
                    UPDATE letter SET status = 'printed', printed_at = \(at), batch_id = \(batchID),
                        body = CASE kind WHEN 'code_provisoire' THEN '(code provisoire effacé après impression)' ELSE body END
                    WHERE id = ANY(\(ids)) AND status = 'pending' RETURNING id)
                SELECT count(*) FROM printed
                """, logger: logger
            ).decode(Int.self) {
                printed = count
            }
            guard printed == Set(ids).count else {
                throw StoreError.database("\(ids.count - printed) courrier(s) du lot ne sont plus en attente")
            }
            try await Self.insert(audit, connection, logger: logger)
            guard let batch = try await batch(where: "reference = $1", reference, connection) else {
                throw StoreError.database("lot \(reference) absent après son enregistrement")
            }
            return batch
        }
    }

    public func markBatchPosted(reference: String, at: Int64, audit: AuditEvent) async throws -> PrintBatch? {
        try await client.withTransaction(logger: logger) { connection in
            guard var batch = try await batch(where: "reference = $1 FOR UPDATE", reference, connection) else { return nil }
            guard batch.postedAt == nil else { return batch }
            try await connection.query(
                "UPDATE print_batch SET posted_at = \(at) WHERE id = \(batch.id.rawValue)", logger: logger)
            try await connection.query(
                "UPDATE letter SET status = 'posted', posted_at = \(at) WHERE batch_id = \(batch.id.rawValue) AND status = 'printed'",
                logger: logger)
            try await Self.insert(audit, connection, logger: logger)
            batch.postedAt = at
            return batch
        }
    }

    // MARK: Insurer exports

    public func linkedInsurers() async throws -> [LinkedInsurer] {
        var insurers: [LinkedInsurer] = []
        for try await (code, name) in try await client.query(
            """
            SELECT complementaire_code, min(complementaire_name) FROM beneficiary
            WHERE noemie_active AND complementaire_code IS NOT NULL GROUP BY complementaire_code ORDER BY 1
            """, logger: logger
        ).decode((String, String).self) {
            insurers.append(LinkedInsurer(code: code, name: name))
        }
        return insurers
    }

    public func lastExportedPaymentID(insurer code: String) async throws -> Payment.ID? {
        for try await value in try await client.query(
            """
            SELECT max(last_payment_id) FROM (
                SELECT last_payment_id FROM insurer_export WHERE complementaire_code = \(code)
                UNION ALL SELECT last_payment_id FROM insurer_ack WHERE complementaire_code = \(code)) watermarks
            """, logger: logger
        ).decode(Int64?.self) {
            return value.map(Payment.ID.init)
        }
        return nil
    }

    public func insurerExports(date: CivilDate) async throws -> [InsurerExport] {
        var exports: [InsurerExport] = []
        for try await r in try await client.query(
            """
            SELECT complementaire_code, date::text, file, sha256, lines, first_payment_id, last_payment_id, created_at
            FROM insurer_export WHERE date = \(date.description)::date ORDER BY complementaire_code
            """, logger: logger
        ).decode((String, String, String, String, Int, Int64, Int64, Int64).self) {
            exports.append(
                InsurerExport(
                    code: r.0, date: try CivilDate(parsing: r.1), file: r.2, sha256: r.3, lines: r.4,
                    firstPaymentID: Payment.ID(r.5), lastPaymentID: Payment.ID(r.6), createdAt: r.7))
        }
        return exports
    }

    public func exportLines(insurer code: String, after: Payment.ID?, through: Payment.ID, limit: Int) async throws -> (
        lines: [ExportLine], lastPaymentID: Payment.ID?
    ) {
        var ids: [Int64] = []
        for try await id in try await client.query(
            """
            SELECT id FROM payment WHERE id > \(after?.rawValue ?? 0) AND id <= \(through.rawValue) ORDER BY id LIMIT \(limit)
            """, logger: logger
        ).decode(Int64.self) {
            ids.append(id)
        }
        guard let first = ids.first, let last = ids.last else { return ([], nil) }
        var lines: [ExportLine] = []
        for try await r in try await client.query(
            PostgresQuery(
                unsafeSQL: """
                    SELECT p.id, p.reference, p.payment_date::text, pe.nir, l.beneficiary_rank, b.first_name,
                        l.care_date::text, l.kind, l.act_code, l.label, l.professional, l.quantity, l.paid, l.base,
                        l.rate_bp, l.reimbursed, s.reference
                    FROM payment p
                    LEFT JOIN statement s ON s.id = p.statement_id
                    JOIN payment_line l ON l.person_id = p.person_id AND l.payment_id = p.id
                        AND l.payment_date = p.payment_date
                    JOIN person pe ON pe.id = p.person_id
                    JOIN beneficiary b ON b.person_id = p.person_id AND b.rank = l.beneficiary_rank
                    WHERE p.id BETWEEN $1 AND $2 AND l.transmitted
                      AND b.complementaire_code = $3 AND b.noemie_active
                      AND pe.regime IN \(Self.servedRegimes)
                    ORDER BY p.id, l.position
                    """,
                binds: {
                    var b = PostgresBindings()
                    b.append(first)
                    b.append(last)
                    b.append(code)
                    return b
                }()), logger: logger
        ).decode(
            (
                Int64, String, String, String, Int, String, String, String, String, String, String?, Int, Int64, Int64,
                Int, Int64, String?
            ).self)
        {
            lines.append(
                ExportLine(
                    paymentID: Payment.ID(r.0), paymentReference: r.1, paymentDate: try CivilDate(parsing: r.2), nir: r.3,
                    beneficiaryFirstName: r.5,
                    line: try PaymentLine(
                        careDate: try CivilDate(parsing: r.6), beneficiaryRank: r.4,
                        kind: try StoreError.decode(r.7, column: "payment_line.kind"), actCode: r.8, label: r.9,
                        professional: r.10, quantity: r.11, paid: Cents(r.12), base: Cents(r.13),
                        rate: try Rate(basisPoints: r.14), reimbursed: Cents(r.15), transmittedToComplementaire: true),
                    statementReference: r.16))
        }
        return (lines, Payment.ID(last))
    }

    public func recordInsurerExport(_ export: InsurerExport, audit: AuditEvent) async throws {
        try await client.withTransaction(logger: logger) { connection in
            try await connection.query(
                """
                INSERT INTO insurer_export (complementaire_code, date, file, sha256, lines, first_payment_id,
                    last_payment_id, created_at)
                VALUES (\(export.code), \(export.date.description)::date, \(export.file), \(export.sha256), \(export.lines),
                    \(export.firstPaymentID.rawValue), \(export.lastPaymentID.rawValue), \(export.createdAt))
                """, logger: logger)
            try await Self.insert(audit, connection, logger: logger)
        }
    }
}
