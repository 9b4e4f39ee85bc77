import Crypto
import GRDB
import ReleveDomain

extension SQLiteStore {
    /// How many rows each table holds.
    public func statistics() async throws -> StoreStatistics {
        try await read { db in
            StoreStatistics(
                persons: try Int.fetchOne(db, sql: "SELECT count(*) FROM person WHERE 1 \(Self.settled)") ?? 0,
                beneficiaries: try Int.fetchOne(db, sql: "SELECT count(*) FROM beneficiary") ?? 0,
                payments: try Int.fetchOne(db, sql: "SELECT count(*) FROM payment p WHERE \(Self.visible)") ?? 0,
                paymentLines: try Int.fetchOne(
                    db,
                    sql: "SELECT count(*) FROM payment_line l JOIN payment p ON p.id = l.payment_id WHERE \(Self.visible)")
                    ?? 0,
                importedFiles: try Int.fetchOne(db, sql: "SELECT count(*) FROM import_ledger WHERE state = 'done'") ?? 0)
        }
    }

    /// `PRAGMA integrity_check` and `foreign_key_check`: empty when the database is sound.
    public func integrityProblems() async throws -> [String] {
        try await read { db in
            var problems = try String.fetchAll(db, sql: "PRAGMA integrity_check").filter { $0 != "ok" }
            let orphans = try Row.fetchAll(db, sql: "PRAGMA foreign_key_check")
            problems += orphans.map { "foreign key: \($0)" }
            return problems
        }
    }

    /// A SHA-256 over the content of the business tables, in a stable order, leaving out
    /// ledger timestamps and row ids: equal digests mean equal data. Each row is one text line
    /// of `|`-separated values written the same way by every engine (the PostgreSQL store
    /// computes the same lines), so a base copied to another engine has the same digest.
    public func contentDigest() async throws -> String {
        try await read { db in
            var hasher = SHA256()
            let queries = [
                "SELECT nir || '|' || lower(hex(content_hash)) FROM person WHERE 1 \(Self.settled) ORDER BY nir",
                "SELECT p.nir || '|' || b.rank || '|' || b.first_name || '|' || b.birth_date || '|' || coalesce(b.complementaire_code, '') || '|' || (CASE WHEN b.noemie_active THEN 1 ELSE 0 END) FROM beneficiary b JOIN person p ON p.id = b.person_id WHERE p.id NOT IN (SELECT person_id FROM import_new_person) ORDER BY p.nir, b.rank",
                "SELECT reference || '|' || lower(hex(content_hash)) || '|' || payment_date FROM payment p WHERE \(Self.visible) ORDER BY reference",
                "SELECT p.reference || '|' || l.position || '|' || l.care_date || '|' || l.kind || '|' || l.act_code || '|' || l.paid || '|' || l.base || '|' || l.rate_bp || '|' || l.reimbursed FROM payment_line l JOIN payment p ON p.id = l.payment_id WHERE \(Self.visible) ORDER BY p.reference, l.position",
                "SELECT sha256 FROM import_ledger WHERE state = 'done' ORDER BY sha256",
            ]
            for sql in queries {
                let cursor = try String.fetchCursor(db, sql: sql)
                while let line = try cursor.next() {
                    hasher.update(data: Array(line.utf8))
                    hasher.update(data: [0x0A])
                }
            }
            return French.hex(hasher.finalize())
        }
    }
}
