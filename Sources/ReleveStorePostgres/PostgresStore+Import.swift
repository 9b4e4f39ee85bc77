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
    /// payments by `payment_by_person_date`, the lines from the partitions of those months only
    /// (a line carries its payment's date). A named prepared statement (`PaymentsOfAssure`),
    /// prepared once per connection: the page's most frequent query is not planned again each
    /// time (planning the partitioned join cost more than running it).
    public func payments(of nir: NIR, from: CivilDate, to: CivilDate) async throws -> [StoredPayment] {
        let rows = try await client.execute(
            PaymentsOfAssure(nir: nir.body, from: from.description, to: to.description), logger: logger)
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
/// each `write` but its state (counts) outlives a batch.
///
/// Set-based: a batch of up to 1 024 records costs a fixed number of round trips whatever its
/// size — one read of every assuré it names (locked `FOR UPDATE`), one multi-row insert and one
/// update of the assurés (`unnest` of arrays), one of their beneficiaries, one insert of the
/// payments (`ON CONFLICT (reference) DO NOTHING`), one read of the references that were
/// already there, and one COPY of the lines. The outcomes are those of writing the records one
/// by one, in order: a payment sees its assuré as the records before it left them.
actor PostgresImportSession: ImportSession {
    let connection: PostgresConnection
    let ledgerID: Int64
    let logger: Logger
    private(set) var counts = ImportCounts()
    /// Lines of this batch's inserted payments, for one COPY.
    private var lines = ByteBuffer()
    private var months: Set<String> = []
    /// Months whose partition this import has made sure of.
    private var partitioned: Set<String> = []

    init(connection: PostgresConnection, ledgerID: Int64, logger: Logger) {
        self.connection = connection
        self.ledgerID = ledgerID
        self.logger = logger
    }

    /// An assuré as the batch sees them at one point: stored (id known) or inserted by this
    /// batch (id known once the insert ran), with their content hash and beneficiary ranks.
    struct Known {
        var id: Int64?
        var hash: [UInt8]
        var ranks: Set<Int>
    }

    func write(_ records: [ImportRecord]) async throws -> [ImportOutcome] {
        // 1. Every assuré the batch names, as stored before it: those it writes locked (two
        //    imports updating one assuré serialise), those its payments only name read plainly
        //    (an assuré is never deleted, and each payment's foreign key holds theirs).
        var written: Set<String> = []
        var named: Set<String> = []
        for record in records {
            switch record {
            case .person(let person): written.insert(person.nir.body)
            case .payment(let payment, _): named.insert(payment.nir.body)
            }
        }
        named.subtract(written)
        var stored: [String: Known] = [:]
        for (nirs, lock) in [(written, " FOR UPDATE OF p"), (named, "")] where !nirs.isEmpty {
            var bindings = PostgresBindings()
            bindings.append(Array(nirs))
            for try await (id, nir, hash, rank) in try await connection.query(
                PostgresQuery(
                    unsafeSQL: """
                        SELECT p.id, p.nir, p.content_hash, b.rank FROM person p LEFT JOIN beneficiary b ON b.person_id = p.id
                        WHERE p.nir = ANY($1) ORDER BY p.id\(lock)
                        """, binds: bindings), logger: logger
            ).decode((Int64, String, ByteBuffer, Int?).self) {
                var known = stored[nir] ?? Known(id: id, hash: Array(buffer: hash), ranks: [])
                if let rank { known.ranks.insert(rank) }
                stored[nir] = known
            }
        }

        // 2. The records in order, in memory: each outcome, and the assurés' final versions.
        var current = stored
        var outcomes: [ImportOutcome?] = Array(repeating: nil, count: records.count)
        var finalPerson: [String: InsuredPerson] = [:]
        /// Payments still to insert: (record index, payment, the assuré's NIR).
        var pending: [(index: Int, payment: Payment, hash: [UInt8])] = []
        var batchReferences: [String: [UInt8]] = [:]
        for (index, record) in records.enumerated() {
            switch record {
            case .person(let person):
                let hash = ContentHash.of(person)
                let nir = person.nir.body
                let ranks = Set(person.beneficiaries.map(\.rank))
                if let known = current[nir] {
                    if known.hash == hash {
                        counts.personsUnchanged += 1
                        outcomes[index] = .person(.unchanged)
                        continue
                    }
                    counts.personsUpdated += 1
                    outcomes[index] = .person(.updated)
                    current[nir] = Known(id: known.id, hash: hash, ranks: ranks)
                } else {
                    counts.personsInserted += 1
                    outcomes[index] = .person(.inserted)
                    current[nir] = Known(id: nil, hash: hash, ranks: ranks)
                }
                finalPerson[nir] = person
            case .payment(let payment, let hash):
                guard let known = current[payment.nir.body] else {
                    outcomes[index] = .payment(.unknownPerson)
                    continue
                }
                if let rank = payment.lines.first(where: { !known.ranks.contains($0.beneficiaryRank) })?.beneficiaryRank {
                    outcomes[index] = .payment(.unknownBeneficiary(rank: rank))
                    continue
                }
                if let earlier = batchReferences[payment.reference] {
                    // The same reference earlier in this batch decides, as the stored one would.
                    if earlier == hash {
                        counts.paymentsAlreadyPresent += 1
                        outcomes[index] = .payment(.alreadyPresent)
                    } else {
                        outcomes[index] = .payment(.conflict)
                    }
                    continue
                }
                batchReferences[payment.reference] = hash
                pending.append((index, payment, hash))
            }
        }

        // 3. The assurés' writes, then every id known.
        let ids = try await writePersons(finalPerson, stored: stored)
        func personID(_ nir: String) -> Int64? { stored[nir]?.id ?? ids[nir] }

        // 4. The payments, then the outcome of those the store already had.
        let inserted = try await insertPayments(pending.map { ($0.payment, personID($0.payment.nir.body) ?? 0, $0.hash) })
        var existing: [String: [UInt8]] = [:]
        let missing = pending.map(\.payment.reference).filter { inserted[$0] == nil }
        if !missing.isEmpty {
            for try await (reference, hash) in try await connection.query(
                "SELECT reference, content_hash FROM payment WHERE reference = ANY(\(missing))", logger: logger
            ).decode((String, ByteBuffer).self) {
                existing[reference] = Array(buffer: hash)
            }
        }
        for (index, payment, hash) in pending {
            guard let paymentID = inserted[payment.reference] else {
                if existing[payment.reference] == hash {
                    counts.paymentsAlreadyPresent += 1
                    outcomes[index] = .payment(.alreadyPresent)
                } else {
                    outcomes[index] = .payment(.conflict)
                }
                continue
            }
            appendLines(payment, personID: personID(payment.nir.body) ?? 0, paymentID: paymentID)
            counts.paymentsInserted += 1
            counts.linesInserted += payment.lines.count
            outcomes[index] = .payment(.inserted(lines: payment.lines.count))
        }
        try await flushLines()
        return outcomes.map { $0! }
    }

    /// Inserts the new assurés and updates the changed ones (their beneficiaries replaced), each
    /// kind in one statement; the new ones' ids by NIR.
    private func writePersons(_ people: [String: InsuredPerson], stored: [String: Known]) async throws -> [String: Int64] {
        guard !people.isEmpty else { return [:] }
        let all = people.values.sorted { $0.nir.body < $1.nir.body }
        let fresh = all.filter { stored[$0.nir.body] == nil }
        let changed = all.filter { stored[$0.nir.body] != nil }
        var ids: [String: Int64] = [:]
        func columns(_ list: [InsuredPerson]) -> PostgresBindings {
            var bindings = PostgresBindings()
            bindings.append(list.map(\.nir.body))
            bindings.append(list.map(\.lastName))
            bindings.append(list.map(\.firstNames))
            bindings.append(list.map(\.birthDate.description))
            bindings.append(list.map { $0.address.lines.joined(separator: "\n") })
            bindings.append(list.map(\.address.postalCode))
            bindings.append(list.map(\.address.city))
            bindings.append(list.map(\.regime.rawValue))
            bindings.append(list.map(\.caisse.code))
            bindings.append(list.map(\.caisse.name))
            bindings.append(list.map { $0.doctor != nil })
            bindings.append(list.map { $0.doctor?.name ?? "" })
            bindings.append(list.map { $0.doctor?.since.description ?? "1900-01-01" })
            bindings.append(list.map(\.longTermCondition))
            bindings.append(list.map { French.hex(ContentHash.of($0)) })
            return bindings
        }
        let source = """
            unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                $9::text[], $10::text[], $11::bool[], $12::text[], $13::text[], $14::bool[], $15::text[])
                AS t(nir, last_name, first_names, birth_date, address_lines, postal_code, city, regime, caisse_code,
                    caisse_name, has_doctor, doctor_name, doctor_since, long_term_condition, content_hash)
            """
        if !fresh.isEmpty {
            for try await (id, nir) in try await connection.query(
                PostgresQuery(
                    unsafeSQL: """
                        INSERT INTO person (nir, last_name, first_names, birth_date, address_lines, postal_code, city, regime,
                            caisse_code, caisse_name, doctor_name, doctor_since, long_term_condition, content_hash)
                        SELECT nir, last_name, first_names, birth_date::date, address_lines, postal_code, city, regime,
                            caisse_code, caisse_name, CASE WHEN has_doctor THEN doctor_name END,
                            CASE WHEN has_doctor THEN doctor_since::date END, long_term_condition, decode(content_hash, 'hex')
                        FROM \(source)
                        RETURNING id, nir
                        """, binds: columns(fresh)), logger: logger
            ).decode((Int64, String).self) {
                ids[nir] = id
            }
        }
        if !changed.isEmpty {
            try await connection.query(
                PostgresQuery(
                    unsafeSQL: """
                        UPDATE person p SET last_name = t.last_name, first_names = t.first_names,
                            birth_date = t.birth_date::date, address_lines = t.address_lines, postal_code = t.postal_code,
                            city = t.city, regime = t.regime, caisse_code = t.caisse_code, caisse_name = t.caisse_name,
                            doctor_name = CASE WHEN t.has_doctor THEN t.doctor_name END,
                            doctor_since = CASE WHEN t.has_doctor THEN t.doctor_since::date END,
                            long_term_condition = t.long_term_condition, content_hash = decode(t.content_hash, 'hex')
                        FROM \(source)
                        WHERE p.nir = t.nir
                        """, binds: columns(changed)), logger: logger)
            let changedIDs = changed.compactMap { stored[$0.nir.body]?.id }
            try await connection.query("DELETE FROM beneficiary WHERE person_id = ANY(\(changedIDs))", logger: logger)
        }
        var owner: [Int64] = []
        var rank: [Int64] = []
        var firstName: [String] = []
        var birth: [String] = []
        var hasComplementaire: [Bool] = []
        var code: [String] = []
        var name: [String] = []
        var noemie: [Bool] = []
        for person in all {
            guard let id = stored[person.nir.body]?.id ?? ids[person.nir.body] else { continue }
            for b in person.beneficiaries {
                owner.append(id)
                rank.append(Int64(b.rank))
                firstName.append(b.firstName)
                birth.append(b.birthDate.description)
                hasComplementaire.append(b.complementaire != nil)
                code.append(b.complementaire?.code ?? "")
                name.append(b.complementaire?.name ?? "")
                noemie.append(b.complementaire?.noemieLinkActive ?? false)
            }
        }
        if !owner.isEmpty {
            try await connection.query(
                """
                INSERT INTO beneficiary (person_id, rank, first_name, birth_date, complementaire_code, complementaire_name,
                    noemie_active)
                SELECT person_id, rank, first_name, birth_date::date, CASE WHEN has_c THEN code END,
                    CASE WHEN has_c THEN name END, noemie
                FROM unnest(\(owner)::bigint[], \(rank)::bigint[], \(firstName)::text[], \(birth)::text[],
                    \(hasComplementaire)::bool[], \(code)::text[], \(name)::text[], \(noemie)::bool[])
                    AS t(person_id, rank, first_name, birth_date, has_c, code, name, noemie)
                """, logger: logger)
        }
        return ids
    }

    /// Inserts the payments in one statement, in order; the new ones' ids by reference (a
    /// reference already stored is left alone and absent from the answer).
    private func insertPayments(_ payments: [(Payment, Int64, [UInt8])]) async throws -> [String: Int64] {
        guard !payments.isEmpty else { return [:] }
        var person: [Int64] = []
        var reference: [String] = []
        var date: [String] = []
        var payeeKind: [String] = []
        var payeeName: [String] = []
        var kind: [String] = []
        var hash: [String] = []
        for (payment, personID, contentHash) in payments {
            person.append(personID)
            reference.append(payment.reference)
            date.append(payment.date.description)
            switch payment.payee {
            case .insured:
                payeeKind.append("assure")
                payeeName.append("")
            case .professional(let name):
                payeeKind.append("professionnel")
                payeeName.append(name)
            }
            kind.append(payment.kind.rawValue)
            hash.append(French.hex(contentHash))
        }
        var ids: [String: Int64] = [:]
        for try await (id, ref) in try await connection.query(
            """
            INSERT INTO payment (person_id, reference, payment_date, payee_kind, payee_name, kind, content_hash, import_id)
            SELECT person_id, reference, payment_date::date, payee_kind,
                CASE WHEN payee_kind = 'professionnel' THEN payee_name END, kind, decode(content_hash, 'hex'), \(ledgerID)
            FROM unnest(\(person)::bigint[], \(reference)::text[], \(date)::text[], \(payeeKind)::text[],
                \(payeeName)::text[], \(kind)::text[], \(hash)::text[]) WITH ORDINALITY
                AS t(person_id, reference, payment_date, payee_kind, payee_name, kind, content_hash, position)
            ORDER BY position
            ON CONFLICT (reference) DO NOTHING RETURNING id, reference
            """, logger: logger
        ).decode((Int64, String).self) {
            ids[ref] = id
        }
        return ids
    }

    /// A payment's lines, in COPY's text format, for the batch's COPY.
    private func appendLines(_ payment: Payment, personID: Int64, paymentID: Int64) {
        let date = payment.date.description
        months.insert(String(date.prefix(7)))
        for (position, line) in payment.lines.enumerated() {
            let fields: [String] = [
                String(personID), String(paymentID), date, String(position + 1), line.careDate.description,
                String(line.beneficiaryRank), line.kind.rawValue, line.actCode, line.label, line.professional ?? "\\N",
                String(line.quantity), String(line.paid.rawValue), String(line.base.rawValue),
                String(line.rate.basisPoints), String(line.reimbursed.rawValue), line.transmittedToComplementaire ? "t" : "f",
            ]
            lines.writeString(fields.map { $0 == "\\N" ? $0 : Self.copyEscaped($0) }.joined(separator: "\t"))
            lines.writeString("\n")
        }
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
        // Each month's partition once per import (the function takes a lock and reads the catalog).
        for month in months.subtracting(partitioned).sorted() {
            try await connection.query("SELECT releve_month_partition(\(month + "-01")::date)", logger: logger)
            partitioned.insert(month)
        }
        let batch = lines
        try await connection.copy(
            batch, into: "payment_line",
            columns: [
                "person_id", "payment_id", "payment_date", "position", "care_date", "beneficiary_rank", "kind", "act_code",
                "label", "professional", "quantity", "paid", "base", "rate_bp", "reimbursed", "transmitted",
            ], logger: logger, url: "PostgreSQL")
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

/// One assuré's payments and lines over a period (`PostgresStore.payments(of:from:to:)`).
struct PaymentsOfAssure: PostgresPreparedStatement {
    static let name = "releve_paiements_v1"
    static let sql = """
        SELECT \(PostgresStore.paymentColumns)
        FROM person s JOIN payment p ON p.person_id = s.id
        JOIN payment_line l ON l.person_id = p.person_id AND l.payment_id = p.id AND l.payment_date = p.payment_date
            AND l.payment_date BETWEEN $2::date AND $3::date
        WHERE s.nir = $1 AND p.payment_date BETWEEN $2::date AND $3::date
        ORDER BY p.payment_date DESC, p.id DESC, l.position
        """
    typealias Row = PostgresRow

    var nir: String
    var from: String
    var to: String

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings()
        bindings.append(nir)
        bindings.append(from)
        bindings.append(to)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> PostgresRow { row }
}
