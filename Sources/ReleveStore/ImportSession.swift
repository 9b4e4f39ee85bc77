import Foundation
import GRDB
import ReleveDomain

/// What an import writes through, inside `PaymentStore.importFile`: all of a file or nothing
/// as readers and a crash see it, though written in batches, each committed (and invisible to
/// readers until the import completes) before `write` returns. Between two batches, other
/// writers (a login, another process) get their turn.
public protocol ImportSession: Sendable {
    /// Writes `records` in order: an assuré is inserted or updated (the registry's newest record
    /// wins, beneficiaries replaced); a payment is inserted with its lines unless its reference
    /// is already there. Returns the outcome of each record, in the same order.
    func write(_ records: [ImportRecord]) async throws -> [ImportOutcome]
}

/// One record of a feed.
public enum ImportRecord: Sendable {
    case person(InsuredPerson)
    /// A payment with its content fingerprint (`ContentHash.of`), computed where the record is
    /// made: the importer's parsing thread, not the one writer.
    case payment(Payment, fingerprint: [UInt8])

    /// A payment record, its fingerprint computed here.
    public static func payment(_ payment: Payment) -> ImportRecord {
        .payment(payment, fingerprint: ContentHash.of(payment))
    }
}

/// What writing one record did.
public enum ImportOutcome: Sendable, Equatable {
    case person(PersonImportOutcome)
    case payment(PaymentImportOutcome)
}

public enum PersonImportOutcome: Sendable, Equatable {
    case inserted, updated, unchanged
}

public enum PaymentImportOutcome: Sendable, Equatable {
    case inserted(lines: Int)
    /// The reference is already there with the same content: nothing written.
    case alreadyPresent
    /// The reference is already there with other content: nothing written.
    case conflict
    case unknownPerson
    case unknownBeneficiary(rank: Int)
}

/// The SQLite engine's import session (see `SQLiteStore.importFile`). Each `write` is one call
/// to the writer connection, committed in chunks of about `chunkSeconds` and always before it
/// returns; what must outlive a batch (the counts, the assuré last seen, the beneficiaries of
/// staged updates) lives here.
///
/// Sendable by discipline: its state is touched only inside the writer's closures, which GRDB
/// runs one at a time, and the importer awaits each `write` before the next.
final class SQLiteImportSession: ImportSession, @unchecked Sendable {
    private let store: SQLiteStore
    /// The writer connection and the chunk of the batch being written (nil between batches).
    private var db: Database!
    private var chunk: ChunkedWriter?
    private let ledgerID: Int64
    private let chunkNanoseconds: UInt64
    private var chunkStarted = DispatchTime.now().uptimeNanoseconds
    private var personCache: (nir: String, id: Int64, ranks: Set<Int>)?
    /// Beneficiary ranks of the assurés whose update is staged by this import (by NIR).
    private var stagedRanks: [String: Set<Int>] = [:]
    private var insertPayment: BoundStatement?
    private var insertLine: BoundStatement?
    private(set) var counts = ImportCounts()

    init(store: SQLiteStore, ledgerID: Int64, chunkSeconds: Double = 0.1) {
        self.store = store
        self.ledgerID = ledgerID
        self.chunkNanoseconds = UInt64(max(0.001, chunkSeconds) * 1e9)
    }

    func write(_ records: [ImportRecord]) async throws -> [ImportOutcome] {
        try await store.writeBatch { db, chunk in
            self.db = db
            self.chunk = chunk
            self.chunkStarted = DispatchTime.now().uptimeNanoseconds
            defer {
                // Prepared statements belong to this call's connection handle.
                self.insertPayment = nil
                self.insertLine = nil
                self.db = nil
                self.chunk = nil
            }
            var outcomes: [ImportOutcome] = []
            outcomes.reserveCapacity(records.count)
            for record in records {
                switch record {
                case .person(let person): outcomes.append(.person(try self.upsert(person)))
                case .payment(let payment, let fingerprint):
                    outcomes.append(.payment(try self.insert(payment, fingerprint: fingerprint)))
                }
            }
            return outcomes
        }
    }

    /// Before each record's writes: ends the current chunk when it has lasted long enough,
    /// and opens one if none is open. Between a commit and the next record, the write lock is
    /// free for other processes.
    private func chunkBoundary() throws {
        guard let chunk else { return }
        let now = DispatchTime.now().uptimeNanoseconds
        if now - chunkStarted >= chunkNanoseconds {
            try commitChunk()
            // flock is not fair: without a pause, this process would take the lock back before
            // a waiting login is even scheduled.
            chunk.yieldToWaiters()
        }
        if !chunk.isOpen { chunkStarted = DispatchTime.now().uptimeNanoseconds }
        try chunk.ensureOpen()
    }

    private func commitChunk() throws {
        try chunk?.commit()
    }

    /// Inserts or updates an assuré (the registry's newest record wins); beneficiaries are
    /// replaced. A new assuré is written at once (its payments stay invisible until the import
    /// completes; a failed import removes it); an update of a known one is staged and applied
    /// when the import completes.
    func upsert(_ person: InsuredPerson) throws -> PersonImportOutcome {
        try chunkBoundary()
        let hash = ContentHash.of(person)
        let existing = try Row.fetchOne(
            db.cachedStatement(
                sql: """
                    SELECT p.id, coalesce(s.content_hash, p.content_hash) AS content_hash FROM person p
                    LEFT JOIN import_staged_person s ON s.person_id = p.id AND s.import_id = ?
                    WHERE p.nir = ?
                    """), arguments: [ledgerID, person.nir.body])
        let columns: [(any DatabaseValueConvertible)?] = [
            person.lastName, person.firstNames, person.birthDate.description,
            person.address.lines.joined(separator: "\n"), person.address.postalCode, person.address.city,
            person.regime.rawValue, person.caisse.code, person.caisse.name, person.doctor?.name,
            person.doctor?.since.description, person.longTermCondition, Data(hash),
        ]
        let arguments = StatementArguments([person.nir.body] + columns)
        let outcome: PersonImportOutcome
        let id: Int64
        if let existing {
            id = existing["id"]
            let oldHash: Data = existing["content_hash"]
            if oldHash == Data(hash) {
                counts.personsUnchanged += 1
                return .unchanged
            }
            let staged = StatementArguments(columns)
            try db.execute(
                sql: """
                    INSERT OR REPLACE INTO import_staged_person (import_id, person_id, last_name, first_names, birth_date,
                        address_lines, postal_code, city, regime, caisse_code, caisse_name, doctor_name, doctor_since,
                        long_term_condition, content_hash)
                    VALUES (\(ledgerID), \(id), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: staged)
            try db.execute(
                sql: "DELETE FROM import_staged_beneficiary WHERE import_id = ? AND person_id = ?", arguments: [ledgerID, id])
            let statement = try db.cachedStatement(
                sql: """
                    INSERT INTO import_staged_beneficiary (import_id, person_id, rank, first_name, birth_date,
                        complementaire_code, complementaire_name, noemie_active) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """)
            for b in person.beneficiaries {
                try statement.execute(arguments: [
                    ledgerID, id, b.rank, b.firstName, b.birthDate.description, b.complementaire?.code,
                    b.complementaire?.name, b.complementaire?.noemieLinkActive ?? false,
                ])
            }
            stagedRanks[person.nir.body] = Set(person.beneficiaries.map(\.rank))
            if personCache?.nir == person.nir.body { personCache = nil }
            counts.personsUpdated += 1
            return .updated
        } else {
            try db.cachedStatement(
                sql: """
                    INSERT INTO person (nir, last_name, first_names, birth_date, address_lines, postal_code, city,
                        regime, caisse_code, caisse_name, doctor_name, doctor_since, long_term_condition, content_hash)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """
            ).execute(arguments: arguments)
            id = db.lastInsertedRowID
            try db.execute(
                sql: "INSERT INTO import_new_person (import_id, person_id) VALUES (?, ?)", arguments: [ledgerID, id])
            outcome = .inserted
            counts.personsInserted += 1
        }
        let statement = try db.cachedStatement(
            sql: """
                INSERT INTO beneficiary (person_id, rank, first_name, birth_date, complementaire_code,
                    complementaire_name, noemie_active) VALUES (?, ?, ?, ?, ?, ?, ?)
                """)
        for b in person.beneficiaries {
            try statement.execute(arguments: [
                id, b.rank, b.firstName, b.birthDate.description, b.complementaire?.code, b.complementaire?.name,
                b.complementaire?.noemieLinkActive ?? false,
            ])
        }
        if personCache?.nir == person.nir.body { personCache = nil }
        return outcome
    }

    /// Inserts a payment and its lines, unless its reference is already there.
    func insert(_ payment: Payment, fingerprint hash: [UInt8]) throws -> PaymentImportOutcome {
        try chunkBoundary()
        guard let person = try person(nir: payment.nir.body) else { return .unknownPerson }
        for line in payment.lines where !person.ranks.contains(line.beneficiaryRank) {
            return .unknownBeneficiary(rank: line.beneficiaryRank)
        }
        if insertPayment == nil {
            insertPayment = try BoundStatement(
                db,
                sql: """
                    INSERT INTO payment (reference, person_id, payment_date, payee_kind, payee_name, kind, content_hash, import_id)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (reference) DO NOTHING
                    """)
            insertLine = try BoundStatement(
                db,
                sql: """
                    INSERT INTO payment_line (payment_id, position, care_date, beneficiary_rank, kind, act_code, label,
                        professional, quantity, paid, base, rate_bp, reimbursed, transmitted)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """)
        }
        // Taken out of the session for the row (one access to the stored property, not one per
        // value: the exclusivity checks of `self.insertPayment!.text(…)` were 2 % of the writer).
        var insertPayment = self.insertPayment!
        var insertLine = self.insertLine!
        defer {
            self.insertPayment = insertPayment
            self.insertLine = insertLine
        }
        insertPayment.text(payment.reference)
        insertPayment.int(person.id)
        insertPayment.text(payment.date.description)
        switch payment.payee {
        case .insured:
            insertPayment.text("assure")
            insertPayment.null()
        case .professional(let name):
            insertPayment.text("professionnel")
            insertPayment.text(name)
        }
        insertPayment.text(payment.kind.rawValue)
        insertPayment.blob(hash)
        insertPayment.int(ledgerID)
        try insertPayment.run(db)
        if db.changesCount == 0 {
            let existing = try Data.fetchOne(
                db, sql: "SELECT content_hash FROM payment WHERE reference = ?", arguments: [payment.reference])
            if existing == Data(hash) {
                counts.paymentsAlreadyPresent += 1
                return .alreadyPresent
            }
            return .conflict
        }
        let paymentID = db.lastInsertedRowID
        for (position, line) in payment.lines.enumerated() {
            insertLine.int(paymentID)
            insertLine.int(position + 1)
            insertLine.text(line.careDate.description)
            insertLine.int(line.beneficiaryRank)
            insertLine.text(line.kind.rawValue)
            insertLine.text(line.actCode)
            insertLine.text(line.label)
            insertLine.text(line.professional)
            insertLine.int(line.quantity)
            insertLine.int(line.paid.rawValue)
            insertLine.int(line.base.rawValue)
            insertLine.int(line.rate.basisPoints)
            insertLine.int(line.reimbursed.rawValue)
            insertLine.bool(line.transmittedToComplementaire)
            try insertLine.run(db)
        }
        counts.paymentsInserted += 1
        counts.linesInserted += payment.lines.count
        return .inserted(lines: payment.lines.count)
    }

    private func person(nir: String) throws -> (nir: String, id: Int64, ranks: Set<Int>)? {
        if let cached = personCache, cached.nir == nir { return cached }
        let statement = try db.cachedStatement(sql: "SELECT id FROM person WHERE nir = ?")
        guard let id = try Int64.fetchOne(statement, arguments: [nir]) else { return nil }
        let ranks =
            try stagedRanks[nir]
            ?? Int.fetchSet(db.cachedStatement(sql: "SELECT rank FROM beneficiary WHERE person_id = ?"), arguments: [id])
        let entry = (nir: nir, id: id, ranks: ranks)
        personCache = entry
        return entry
    }

    /// Opens the ledger row of this import; its counts are filled in by `closeLedger`.
    static func openLedger(_ entry: ImportLedgerEntry, in db: Database) throws -> Int64 {
        try db.execute(
            sql: """
                INSERT INTO import_ledger (sha256, file_name, imported_at, persons, payments, lines, already_present, state)
                VALUES (?, ?, ?, 0, 0, 0, 0, 'pending')
                """,
            arguments: [entry.sha256, entry.fileName, entry.importedAt])
        return db.lastInsertedRowID
    }

    /// The last chunk: staged updates applied, staging cleared, the ledger row `done` with its
    /// counts. From this commit on, readers see the whole file.
    func complete(_ db: Database) throws {
        let id = ledgerID
        try db.execute(
            sql: """
                UPDATE person SET (last_name, first_names, birth_date, address_lines, postal_code, city, regime, caisse_code,
                    caisse_name, doctor_name, doctor_since, long_term_condition, content_hash) = (
                    SELECT last_name, first_names, birth_date, address_lines, postal_code, city, regime, caisse_code,
                        caisse_name, doctor_name, doctor_since, long_term_condition, content_hash
                    FROM import_staged_person s WHERE s.import_id = \(id) AND s.person_id = person.id)
                WHERE id IN (SELECT person_id FROM import_staged_person WHERE import_id = \(id));
                DELETE FROM beneficiary WHERE person_id IN (SELECT person_id FROM import_staged_person WHERE import_id = \(id));
                INSERT INTO beneficiary (person_id, rank, first_name, birth_date, complementaire_code, complementaire_name,
                    noemie_active)
                SELECT person_id, rank, first_name, birth_date, complementaire_code, complementaire_name, noemie_active
                FROM import_staged_beneficiary WHERE import_id = \(id);
                DELETE FROM import_staged_beneficiary WHERE import_id = \(id);
                DELETE FROM import_staged_person WHERE import_id = \(id);
                DELETE FROM import_new_person WHERE import_id = \(id);
                """)
        try db.execute(
            sql: """
                UPDATE import_ledger SET persons = ?, payments = ?, lines = ?, already_present = ?, state = 'done' WHERE id = ?
                """,
            arguments: [
                counts.personsInserted + counts.personsUpdated, counts.paymentsInserted, counts.linesInserted,
                counts.paymentsAlreadyPresent, ledgerID,
            ])
    }
}

extension ImportSession {
    /// One assuré, as a batch of one.
    @discardableResult
    public func upsert(_ person: InsuredPerson) async throws -> PersonImportOutcome {
        guard case .person(let outcome)? = try await write([.person(person)]).first else {
            throw StoreError.database("import: no outcome for an assuré")
        }
        return outcome
    }

    /// One payment, as a batch of one.
    @discardableResult
    public func insert(_ payment: Payment) async throws -> PaymentImportOutcome {
        guard case .payment(let outcome)? = try await write([.payment(payment)]).first else {
            throw StoreError.database("import: no outcome for a payment")
        }
        return outcome
    }
}
