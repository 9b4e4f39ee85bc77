import Foundation
import Logging
import PostgresNIO
import ReleveDomain
import ReleveStore

/// The import on PostgreSQL: one transaction per file on one connection of the pool. MVCC
/// gives what SQLite needs chunks, staging and a clean-up for: readers (and logins, which only
/// read the registry and write their own rows) never wait for it and see none of it until it
/// commits; a failure or a killed process rolls it all back. The ledger's unique `sha256`
/// makes a second import of the same file, in another process, wait for the first and then
/// find it there. Payment lines go in by `COPY … FROM STDIN` at the end of each batch, after
/// their months' partitions are made.
extension PostgresStore: PaymentStore {
    /// The ledger entry of a file already imported, by the SHA-256 of its bytes.
    public func importedFile(sha256: String) async throws -> ImportLedgerEntry? {
        for try await (sha, name, at) in try await client.query(
            "SELECT sha256, file_name, imported_at FROM import_ledger WHERE sha256 = \(sha256) AND state = 'done'",
            logger: logger
        ).decode((String, String, String).self) {
            return ImportLedgerEntry(sha256: sha, fileName: name, importedAt: at)
        }
        return nil
    }

    /// Runs `body` as one import (see the type's comment). `chunkSeconds` has no use here:
    /// other writers never wait for an import on this engine.
    public func importFile<T: Sendable>(
        _ entry: ImportLedgerEntry, chunkSeconds: Double = 0.1,
        _ body: @escaping @Sendable (any ImportSession) async throws -> T
    ) async throws -> (T, ImportCounts) {
        let logger = self.logger
        return try await client.withConnection { connection in
            try await connection.query("BEGIN", logger: logger)
            do {
                var ledgerID: Int64 = 0
                for try await id in try await connection.query(
                    """
                    INSERT INTO import_ledger (sha256, file_name, imported_at, persons, payments, lines, already_present,
                        state)
                    VALUES (\(entry.sha256), \(entry.fileName), \(entry.importedAt), 0, 0, 0, 0, 'pending') RETURNING id
                    """, logger: logger
                ).decode(Int64.self) {
                    ledgerID = id
                }
                let session = PostgresImportSession(connection: connection, ledgerID: ledgerID, logger: logger)
                let value = try await body(session)
                let counts = try await session.complete()
                try await connection.query("COMMIT", logger: logger)
                return (value, counts)
            } catch {
                _ = try? await connection.query("ROLLBACK", logger: logger)
                throw error
            }
        }
    }

    /// The payments of one assuré paid in `from...to`, newest first, with their lines: the
    /// payments by `payment_by_person_date`, the lines from the partitions of those months only.
    public func payments(of nir: NIR, from: CivilDate, to: CivilDate) async throws -> [StoredPayment] {
        var bindings = PostgresBindings()
        bindings.append(nir.body)
        bindings.append(from.description)
        bindings.append(to.description)
        let rows = try await client.query(
            PostgresQuery(
                unsafeSQL: """
                    SELECT \(Self.paymentColumns)
                    FROM person s JOIN payment p ON p.person_id = s.id
                    JOIN payment_line l ON l.person_id = p.person_id AND l.payment_id = p.id
                        AND l.payment_date BETWEEN $2::date AND $3::date
                    WHERE s.nir = $1 AND p.payment_date BETWEEN $2::date AND $3::date
                    ORDER BY p.payment_date DESC, p.id DESC, l.position
                    """, binds: bindings), logger: logger)
        return try await Self.payments(rows, nir: nir)
    }

    public func person(nir: NIR) async throws -> StoredPerson? {
        try await accountContext(nir: nir)?.person
    }

    public func paymentOwner(reference: String) async throws -> InsuredPerson.ID? {
        for try await id in try await client.query(
            "SELECT person_id FROM payment WHERE reference = \(reference)", logger: logger
        ).decode(Int64.self) {
            return InsuredPerson.ID(id)
        }
        return nil
    }

    public func lastPaymentID() async throws -> Payment.ID? {
        for try await id in try await client.query("SELECT max(id) FROM payment", logger: logger).decode(Int64?.self) {
            return id.map { Payment.ID($0) }
        }
        return nil
    }
}

/// One import's writes (see `PostgresStore.importFile`): an actor, since the importer awaits
/// each `write` but its state (counts, the assuré last seen) outlives a batch.
actor PostgresImportSession: ImportSession {
    let connection: PostgresConnection
    let ledgerID: Int64
    let logger: Logger
    private(set) var counts = ImportCounts()
    private var personCache: (nir: String, id: Int64, ranks: Set<Int>)?
    /// Lines of this batch's inserted payments, for one COPY.
    private var lines = ByteBuffer()
    private var months: Set<String> = []

    init(connection: PostgresConnection, ledgerID: Int64, logger: Logger) {
        self.connection = connection
        self.ledgerID = ledgerID
        self.logger = logger
    }

    func write(_ records: [ImportRecord]) async throws -> [ImportOutcome] {
        var outcomes: [ImportOutcome] = []
        outcomes.reserveCapacity(records.count)
        for record in records {
            switch record {
            case .person(let person): outcomes.append(.person(try await upsert(person)))
            case .payment(let payment): outcomes.append(.payment(try await insert(payment)))
            }
        }
        try await flushLines()
        return outcomes
    }

    /// Inserts or updates an assuré (the registry's newest record wins); beneficiaries replaced.
    func upsert(_ person: InsuredPerson) async throws -> PersonImportOutcome {
        let hash = ByteBuffer(bytes: ContentHash.of(person))
        var existing: (Int64, ByteBuffer)?
        for try await row in try await connection.query(
            "SELECT id, content_hash FROM person WHERE nir = \(person.nir.body) FOR UPDATE", logger: logger
        ).decode((Int64, ByteBuffer).self) {
            existing = row
        }
        let lines = person.address.lines.joined(separator: "\n")
        let doctorSince = person.doctor?.since.description
        let id: Int64
        let outcome: PersonImportOutcome
        if let existing {
            if existing.1 == hash {
                counts.personsUnchanged += 1
                return .unchanged
            }
            id = existing.0
            try await connection.query(
                """
                UPDATE person SET last_name = \(person.lastName), first_names = \(person.firstNames),
                    birth_date = \(person.birthDate.description)::date, address_lines = \(lines),
                    postal_code = \(person.address.postalCode), city = \(person.address.city),
                    regime = \(person.regime.rawValue), caisse_code = \(person.caisse.code),
                    caisse_name = \(person.caisse.name), doctor_name = \(person.doctor?.name),
                    doctor_since = \(doctorSince)::date, long_term_condition = \(person.longTermCondition),
                    content_hash = \(hash)
                WHERE id = \(id)
                """, logger: logger)
            try await connection.query("DELETE FROM beneficiary WHERE person_id = \(id)", logger: logger)
            counts.personsUpdated += 1
            outcome = .updated
        } else {
            var inserted: Int64 = 0
            for try await value in try await connection.query(
                """
                INSERT INTO person (nir, last_name, first_names, birth_date, address_lines, postal_code, city, regime,
                    caisse_code, caisse_name, doctor_name, doctor_since, long_term_condition, content_hash)
                VALUES (\(person.nir.body), \(person.lastName), \(person.firstNames), \(person.birthDate.description)::date,
                    \(lines), \(person.address.postalCode), \(person.address.city), \(person.regime.rawValue),
                    \(person.caisse.code), \(person.caisse.name), \(person.doctor?.name), \(doctorSince)::date,
                    \(person.longTermCondition), \(hash))
                RETURNING id
                """, logger: logger
            ).decode(Int64.self) {
                inserted = value
            }
            id = inserted
            counts.personsInserted += 1
            outcome = .inserted
        }
        for b in person.beneficiaries {
            try await connection.query(
                """
                INSERT INTO beneficiary (person_id, rank, first_name, birth_date, complementaire_code, complementaire_name,
                    noemie_active)
                VALUES (\(id), \(b.rank), \(b.firstName), \(b.birthDate.description)::date, \(b.complementaire?.code),
                    \(b.complementaire?.name), \(b.complementaire?.noemieLinkActive ?? false))
                """, logger: logger)
        }
        if personCache?.nir == person.nir.body { personCache = nil }
        return outcome
    }

    private func person(nir: String) async throws -> (id: Int64, ranks: Set<Int>)? {
        if let personCache, personCache.nir == nir { return (personCache.id, personCache.ranks) }
        var id: Int64?
        var ranks: Set<Int> = []
        for try await (personID, rank) in try await connection.query(
            """
            SELECT p.id, b.rank FROM person p LEFT JOIN beneficiary b ON b.person_id = p.id WHERE p.nir = \(nir)
            """, logger: logger
        ).decode((Int64, Int?).self) {
            id = personID
            if let rank { ranks.insert(rank) }
        }
        guard let id else { return nil }
        personCache = (nir, id, ranks)
        return (id, ranks)
    }

    /// Inserts a payment (its lines wait for the batch's COPY), unless its reference is there.
    func insert(_ payment: Payment) async throws -> PaymentImportOutcome {
        guard let person = try await person(nir: payment.nir.body) else { return .unknownPerson }
        for line in payment.lines where !person.ranks.contains(line.beneficiaryRank) {
            return .unknownBeneficiary(rank: line.beneficiaryRank)
        }
        let hash = ByteBuffer(bytes: ContentHash.of(payment))
        let (payeeKind, payeeName): (String, String?) =
            switch payment.payee {
            case .insured: ("assure", nil)
            case .professional(let name): ("professionnel", name)
            }
        var paymentID: Int64?
        for try await id in try await connection.query(
            """
            INSERT INTO payment (person_id, reference, payment_date, payee_kind, payee_name, kind, content_hash, import_id)
            VALUES (\(person.id), \(payment.reference), \(payment.date.description)::date, \(payeeKind), \(payeeName),
                \(payment.kind.rawValue), \(hash), \(ledgerID))
            ON CONFLICT (reference) DO NOTHING RETURNING id
            """, logger: logger
        ).decode(Int64.self) {
            paymentID = id
        }
        guard let paymentID else {
            for try await existing in try await connection.query(
                "SELECT content_hash FROM payment WHERE reference = \(payment.reference)", logger: logger
            ).decode(ByteBuffer.self) {
                if existing == hash {
                    counts.paymentsAlreadyPresent += 1
                    return .alreadyPresent
                }
            }
            return .conflict
        }
        let date = payment.date.description
        months.insert(String(date.prefix(7)))
        for (position, line) in payment.lines.enumerated() {
            let fields: [String] = [
                String(person.id), String(paymentID), date, String(position + 1), line.careDate.description,
                String(line.beneficiaryRank), line.kind.rawValue, line.actCode, line.label, line.professional ?? "\\N",
                String(line.quantity), String(line.paid.rawValue), String(line.base.rawValue),
                String(line.rate.basisPoints), String(line.reimbursed.rawValue), line.transmittedToComplementaire ? "t" : "f",
            ]
            lines.writeString(fields.map { $0 == "\\N" ? $0 : Self.copyEscaped($0) }.joined(separator: "\t"))
            lines.writeString("\n")
        }
        counts.paymentsInserted += 1
        counts.linesInserted += payment.lines.count
        return .inserted(lines: payment.lines.count)
    }

    /// COPY's text format: backslash, tab, newline and carriage return escaped.
    static func copyEscaped(_ text: String) -> String {
        guard text.contains(where: { $0 == "\\" || $0 == "\t" || $0 == "\n" || $0 == "\r" }) else { return text }
        return text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\t", with: "\\t")
            .replacingOccurrences(of: "\n", with: "\\n").replacingOccurrences(of: "\r", with: "\\r")
    }

    /// The batch's lines in one COPY, their months' partitions made first.
    private func flushLines() async throws {
        guard lines.readableBytes > 0 else { return }
        for month in months.sorted() {
            try await connection.query("SELECT releve_month_partition(\(month + "-01")::date)", logger: logger)
        }
        let batch = lines
        try await connection.copyFrom(
            table: "payment_line",
            columns: [
                "person_id", "payment_id", "payment_date", "position", "care_date", "beneficiary_rank", "kind", "act_code",
                "label", "professional", "quantity", "paid", "base", "rate_bp", "reimbursed", "transmitted",
            ], logger: logger
        ) { writer in
            try await writer.write(batch)
        }
        lines.clear()
        months.removeAll()
    }

    /// The ledger row `done` with its counts (the caller commits).
    func complete() async throws -> ImportCounts {
        try await flushLines()
        try await connection.query(
            """
            UPDATE import_ledger SET persons = \(counts.personsInserted + counts.personsUpdated),
                payments = \(counts.paymentsInserted), lines = \(counts.linesInserted),
                already_present = \(counts.paymentsAlreadyPresent), state = 'done'
            WHERE id = \(ledgerID)
            """, logger: logger)
        return counts
    }
}
