import GRDB
import ReleveDomain

extension ReleveStore {
    /// The ledger entry of a file already imported, by the SHA-256 of its bytes.
    public func importedFile(sha256: String) async throws -> ImportLedgerEntry? {
        try await read { db in
            try Row.fetchOne(
                db, sql: "SELECT sha256, file_name, imported_at FROM import_ledger WHERE sha256 = ?", arguments: [sha256]
            ).map { ImportLedgerEntry(sha256: $0["sha256"], fileName: $0["file_name"], importedAt: $0["imported_at"]) }
        }
    }

    /// Runs `body` inside one write transaction with the ledger row of `entry`: when `body`
    /// returns, everything it wrote and the ledger row commit together; when it throws,
    /// nothing is written. A crash in between leaves nothing either (SQLite's rollback).
    public func importFile<T: Sendable>(
        _ entry: ImportLedgerEntry, _ body: @escaping @Sendable (ImportSession) throws -> T
    ) async throws -> (T, ImportCounts) {
        try await write { db in
            let ledgerID = try ImportSession.openLedger(entry, in: db)
            let session = ImportSession(db: db, ledgerID: ledgerID)
            let value = try body(session)
            try session.closeLedger()
            return (value, session.counts)
        }
    }

    /// Every imported file, oldest first.
    public func importLedger() async throws -> [ImportLedgerEntry] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT sha256, file_name, imported_at FROM import_ledger ORDER BY id").map {
                ImportLedgerEntry(sha256: $0["sha256"], fileName: $0["file_name"], importedAt: $0["imported_at"])
            }
        }
    }
}
