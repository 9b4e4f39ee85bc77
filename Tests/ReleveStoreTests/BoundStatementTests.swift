import Foundation
import GRDB
import ReleveDomain
import ReleveTestSupport
import Testing

@testable import ReleveStore

/// The import's statements bind texts and blobs from a buffer of their own (`SQLITE_STATIC`),
/// reused row after row, and as transient values when a row does not fit in it; the payments
/// read steps GRDB's cached statement and reads its columns.
@Suite("Bound statements")
struct BoundStatementTests {
    @Test("rows written one after another keep their own values: empty, accented, larger than the buffer, blobs, nulls")
    func rowsKeepTheirValues() throws {
        let queue = try DatabaseQueue()
        let big = String(repeating: "é", count: 12_000)  // 24 000 bytes: more than the buffer
        let rows: [(String, String?, [UInt8])] = [
            ("", "premier", [1, 2, 3]),
            ("Pharmacie (vignette blanche) ×2", nil, []),
            (big, big, Array(repeating: 7, count: 40)),
            ("dernière", "", [0xFF]),
        ]
        try queue.write { db in
            try db.execute(sql: "CREATE TABLE t (n INTEGER, a TEXT NOT NULL, b TEXT, c BLOB NOT NULL) STRICT")
            var insert = try BoundStatement(db, sql: "INSERT INTO t (n, a, b, c) VALUES (?, ?, ?, ?)")
            for (index, row) in rows.enumerated() {
                insert.int(index)
                insert.text(row.0)
                insert.text(row.1)
                insert.blob(row.2)
                try insert.run(db)
            }
        }
        let stored = try queue.read { db in
            try Row.fetchAll(db, sql: "SELECT a, b, c, typeof(b) AS kind FROM t ORDER BY n")
        }
        #expect(stored.count == rows.count)
        for (row, expected) in zip(stored, rows) {
            #expect(row["a"] as String == expected.0)
            #expect(row["b"] as String? == expected.1)
            #expect(row["kind"] as String == (expected.1 == nil ? "null" : "text"))
            #expect([UInt8](row["c"] as Data) == expected.2)
        }
    }

    // MARK: Reading (GRDB's cached statements: the payments read)

    static let select = "SELECT n, a, b FROM t WHERE n >= ? AND a <> ? ORDER BY n"

    @Test("values come back as stored (empty, accented, long, null) and the statement can be read again")
    func valuesAndReuse() throws {
        let queue = try DatabaseQueue()
        let long = String(repeating: "é", count: 12_000)
        try queue.write { db in
            try db.execute(sql: "CREATE TABLE t (n INTEGER NOT NULL, a TEXT NOT NULL, b TEXT) STRICT")
            try db.execute(
                sql: "INSERT INTO t VALUES (1, '', 'un'), (2, 'Pharmacie ×2', NULL), (3, ?, ?), (4, 'x', '')",
                arguments: [long, long])
        }
        try queue.read { db in
            func rows(from: Int64, skipping: String) throws -> [(Int, String, String?)] {
                var reader = try BoundStatement(db, cached: Self.select)
                reader.int(from)
                reader.text(skipping)
                var result: [(Int, String, String?)] = []
                while try reader.step(db) { result.append((reader.int(0), reader.text(1), reader.optionalText(2))) }
                return result
            }
            let all = try rows(from: 1, skipping: "x")
            #expect(all.map(\.0) == [1, 2, 3])
            #expect(all.map(\.1) == ["", "Pharmacie ×2", long])
            #expect(all.map(\.2) == ["un", nil, long])
            // The same cached statement, other values: nothing of the first read is left.
            #expect(try rows(from: 3, skipping: "").map(\.0) == [3, 4])
            #expect(try rows(from: 3, skipping: "").last?.2 == "")

            // Left before its last row, then given back: the next read starts afresh.
            var partial = try BoundStatement(db, cached: Self.select)
            partial.int(Int64(1))
            partial.text("x")
            #expect(try partial.step(db) && partial.int(0) == 1)
            partial.finish()
            var named = try BoundStatement(db, cached: "SELECT count(*) FROM t WHERE n >= :from")
            named.int(Int64(2), named: ":from")
            #expect(try named.step(db) && named.int(0) == 3)
            #expect(try !named.step(db))
            #expect(try rows(from: 4, skipping: "").map(\.0) == [4])
        }
    }

    @Test("an error while stepping is thrown, and the statement is usable afterwards")
    func errorWhileStepping() throws {
        let queue = try DatabaseQueue()
        try queue.read { db in
            let sql = "SELECT abs(?)"
            var failing = try BoundStatement(db, cached: sql)
            failing.int(Int64.min)  // integer overflow, raised by the step
            #expect(throws: DatabaseError.self) { _ = try failing.step(db) }
            var fine = try BoundStatement(db, cached: sql)
            fine.int(Int64(-5))
            #expect(try fine.step(db) && fine.int64(0) == 5)
            fine.finish()
        }
    }

    @Test("a stored payment with a value this build does not know is refused by name, not read as something else")
    func unknownStoredValue() async throws {
        let store = try await SQLiteStore.inMemory()
        _ = try await store.importFile(ImportLedgerEntry(sha256: "p", fileName: "p.jsonl", importedAt: "x")) { session in
            _ = try await session.upsert(Fixtures.person())
            _ = try await session.insert(Fixtures.consultation(reference: "751-C-1"))
        }
        let nir = Fixtures.person().nir
        let (from, to) = (Fixtures.date("2026-01-01"), Fixtures.date("2026-12-31"))
        #expect(try await store.payments(of: nir, from: from, to: to).count == 1)
        try await store.writer.write { db in try db.execute(sql: "UPDATE payment_line SET kind = 'inconnu'") }
        await #expect {
            _ = try await store.payments(of: nir, from: from, to: to)
        } throws: { error in
            if case StoreError.unknownStoredValue(let column, let value) = error {
                column == "payment_line.kind" && value == "inconnu"
            } else {
                false
            }
        }
    }
}
