import Foundation
import GRDB
import ReleveDomain

#if canImport(Glibc)
    import Glibc
#endif

extension SQLiteStore {
    /// The ledger entry of a file already imported, by the SHA-256 of its bytes.
    public func importedFile(sha256: String) async throws -> ImportLedgerEntry? {
        try await read { db in
            try Row.fetchOne(
                db, sql: "SELECT sha256, file_name, imported_at FROM import_ledger WHERE sha256 = ? AND state = 'done'",
                arguments: [sha256]
            ).map { ImportLedgerEntry(sha256: $0["sha256"], fileName: $0["file_name"], importedAt: $0["imported_at"]) }
        }
    }

    /// Runs `body` as one import with the ledger row of `entry`, all or nothing for readers
    /// and for a crash, without holding the write lock for its whole length (issue 10, class 7):
    ///
    /// - Imports run one at a time (`<base>.import.lock`, held from start to end); an import
    ///   left pending by a crash or a failure is removed first.
    /// - The ledger row is written `pending`; `body` writes through the session in batches,
    ///   each one call to the writer, committed in chunks of about `chunkSeconds`: a login or
    ///   another writer, in this process or another, waits for one chunk at most.
    /// - Until the last step marks the ledger `done`, readers see none of its payments
    ///   (`visible`), updates of known assurés wait in staging tables, and new assurés are
    ///   recorded so that a failed import removes them.
    /// - When `body` throws, what it wrote is removed (also in chunks), and the error rethrown.
    public func importFile<T: Sendable>(
        _ entry: ImportLedgerEntry, chunkSeconds: Double = 0.1,
        _ body: @escaping @Sendable (any ImportSession) async throws -> T
    ) async throws -> (T, ImportCounts) {
        let lock = self.lock
        let importLock = self.importLock
        if damage.isSet { throw StoreError.corrupt("écritures suspendues : la base a été trouvée endommagée") }
        do {
            let ledgerID = try await writer.writeWithoutTransaction { db in
                // Taken here, on the writer's thread (flock may wait for another import), and
                // released at the end of this import, whichever thread ends it.
                try importLock?.lock()
                do {
                    let chunk = ChunkedWriter(db: db, lock: lock)
                    try Self.removePendingImports(chunk)
                    try chunk.begin()
                    do {
                        let id = try SQLiteImportSession.openLedger(entry, in: db)
                        try chunk.commit()
                        return id
                    } catch {
                        chunk.rollback()
                        throw error
                    }
                } catch {
                    importLock?.unlock()
                    throw error
                }
            }
            defer { importLock?.unlock() }
            let session = SQLiteImportSession(store: self, ledgerID: ledgerID, chunkSeconds: chunkSeconds)
            do {
                let value = try await body(session)
                try await writeBatch { db, _ in try session.complete(db) }
                return (value, session.counts)
            } catch {
                _ = try? await writer.writeWithoutTransaction { db in
                    try Self.removePendingImports(ChunkedWriter(db: db, lock: lock))
                }
                throw error
            }
        } catch {
            throw failure(error)
        }
    }

    /// One batch of an import: `body` runs in the writer with a chunk open (it may commit and
    /// reopen chunks as it goes); what it leaves open is committed before this returns, or
    /// rolled back if it throws.
    func writeBatch<T: Sendable>(_ body: @escaping @Sendable (Database, ChunkedWriter) throws -> T) async throws -> T {
        let lock = self.lock
        if damage.isSet { throw StoreError.corrupt("écritures suspendues : la base a été trouvée endommagée") }
        do {
            return try await writer.writeWithoutTransaction { db in
                let chunk = ChunkedWriter(db: db, lock: lock)
                do {
                    try chunk.begin()
                    let value = try body(db, chunk)
                    try chunk.commit()
                    return value
                } catch {
                    chunk.rollback()
                    throw error
                }
            }
        } catch {
            throw failure(error)
        }
    }

    /// Removes every import still `pending` (interrupted by a crash, or failed): its payments
    /// and lines, its staged updates, the assurés it created (unless something else now points
    /// to them), then its ledger row; in chunks of at most 5 000 rows per transaction.
    static func removePendingImports(_ chunk: ChunkedWriter) throws {
        let db = chunk.db
        let pending = try Int64.fetchAll(db, sql: "SELECT id FROM import_ledger WHERE state = 'pending'")
        for id in pending {
            while true {
                try chunk.begin()
                let ids = try Int64.fetchAll(db, sql: "SELECT id FROM payment WHERE import_id = ? LIMIT 5000", arguments: [id])
                if !ids.isEmpty {
                    let list = ids.map(String.init).joined(separator: ",")
                    try db.execute(sql: "DELETE FROM payment_line WHERE payment_id IN (\(list))")
                    try db.execute(sql: "DELETE FROM payment WHERE id IN (\(list))")
                }
                try chunk.commit()
                if ids.isEmpty { break }
            }
            try chunk.begin()
            try db.execute(sql: "DELETE FROM import_staged_beneficiary WHERE import_id = ?", arguments: [id])
            try db.execute(sql: "DELETE FROM import_staged_person WHERE import_id = ?", arguments: [id])
            for person in try Int64.fetchAll(
                db, sql: "SELECT person_id FROM import_new_person WHERE import_id = ?", arguments: [id])
            {
                // Kept if an account, a code or a letter now points to it (foreign keys refuse).
                try? db.execute(sql: "DELETE FROM person WHERE id = ?", arguments: [person])
            }
            try db.execute(sql: "DELETE FROM import_new_person WHERE import_id = ?", arguments: [id])
            try db.execute(sql: "DELETE FROM import_ledger WHERE id = ?", arguments: [id])
            try chunk.commit()
        }
    }
}

/// Manual transactions on the writer connection, each under the write lock file: taken at
/// `begin`, released at `commit` or `rollback`, so other processes write between chunks.
final class ChunkedWriter {
    let db: Database
    private let lock: FileLock?
    private var open = false
    var isOpen: Bool { open }

    init(db: Database, lock: FileLock?) {
        self.db = db
        self.lock = lock
    }

    func begin() throws {
        precondition(!open, "a chunk is already open")
        try lock?.lock()
        do {
            try db.execute(sql: "BEGIN IMMEDIATE")
        } catch {
            lock?.unlock()
            throw error
        }
        open = true
    }

    func commit() throws {
        guard open else { return }
        do {
            try db.execute(sql: "COMMIT")
        } catch {
            rollback()
            throw error
        }
        open = false
        lock?.unlock()
    }

    func rollback() {
        guard open else { return }
        if db.isInsideTransaction { try? db.execute(sql: "ROLLBACK") }
        open = false
        lock?.unlock()
    }

    /// Leaves the lock free for a moment (2 ms), so that a process blocked on it gets it.
    func yieldToWaiters() {
        if lock != nil && !open { usleep(2_000) }
    }

    /// Opens a chunk unless one is open (the session calls it before each write).
    func ensureOpen() throws {
        if !open { try begin() }
    }
}
