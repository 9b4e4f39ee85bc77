import Foundation
import GRDB

/// A stored value as SQLite holds it, for code outside this module that copies whole tables
/// (`releve admin migrer`): GRDB stays inside ReleveStore.
public enum CellValue: Sendable, Equatable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])
}

extension SQLiteStore {
    /// Reads every row of each query in one read transaction (one consistent snapshot of the
    /// whole base, whatever writes go on meanwhile), handing them to `handle` in batches of
    /// `batch` rows with the query's index. `handle` runs on the reading thread, which it may
    /// block (the copy waits there for its destination).
    public func snapshot(
        _ queries: [String], batch: Int = 5_000, _ handle: @escaping @Sendable (Int, [[CellValue]]) throws -> Void
    ) async throws {
        try await read { db in
            for (index, sql) in queries.enumerated() {
                var rows: [[CellValue]] = []
                rows.reserveCapacity(batch)
                let cursor = try Row.fetchCursor(db, sql: sql)
                while let row = try cursor.next() {
                    rows.append(
                        row.databaseValues.map { value in
                            switch value.storage {
                            case .null: .null
                            case .int64(let v): .integer(v)
                            case .double(let v): .real(v)
                            case .string(let v): .text(v)
                            case .blob(let v): .blob(Array(v))
                            }
                        })
                    if rows.count == batch {
                        try handle(index, rows)
                        rows.removeAll(keepingCapacity: true)
                    }
                }
                if !rows.isEmpty { try handle(index, rows) }
            }
        }
    }

    /// The single integer `sql` answers (a count), 0 if none.
    public func snapshotCount(_ sql: String) async throws -> Int {
        try await read { db in try Int.fetchOne(db, sql: sql) ?? 0 }
    }

    /// The base's tables and their columns, in creation order (GRDB's and SQLite's own left out).
    public func tableColumns() async throws -> [(table: String, columns: [String])] {
        try await read { db in
            let tables = try String.fetchAll(
                db,
                sql: """
                    SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
                      AND name NOT LIKE 'grdb_%' ORDER BY rowid
                    """)
            return try tables.map { table in
                (table, try db.columns(in: table).map(\.name))
            }
        }
    }
}
