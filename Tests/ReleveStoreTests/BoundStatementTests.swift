import Foundation
import GRDB
import Testing

@testable import ReleveStore

/// The import's statements bind texts and blobs from a buffer of their own (`SQLITE_STATIC`),
/// reused row after row, and as transient values when a row does not fit in it.
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
}
