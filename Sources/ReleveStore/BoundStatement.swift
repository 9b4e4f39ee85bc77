import GRDB
import GRDBSQLite

/// A prepared statement bound through the SQLite C API, for the import's hot loop: building a
/// GRDB `StatementArguments` per row costs more than the insert itself (measured with perf,
/// docs/BENCHMARKS.md). Used only inside the store, within one transaction.
struct BoundStatement {
    private let statement: Statement
    private var index: Int32 = 0

    init(_ db: Database, sql: String) throws {
        statement = try db.makeStatement(sql: sql)
    }

    private var handle: SQLiteStatement { statement.sqliteStatement }

    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    mutating func int(_ value: Int64) {
        index += 1
        sqlite3_bind_int64(handle, index, value)
    }

    mutating func int(_ value: Int) {
        int(Int64(value))
    }

    mutating func bool(_ value: Bool) {
        int(value ? 1 : 0)
    }

    mutating func text(_ value: String) {
        index += 1
        var value = value
        let position = index
        let handle = self.handle
        value.withUTF8 { utf8 in
            _ = sqlite3_bind_text(handle, position, utf8.baseAddress, Int32(utf8.count), Self.transient)
        }
    }

    mutating func text(_ value: String?) {
        if let value { text(value) } else { null() }
    }

    mutating func blob(_ bytes: [UInt8]) {
        index += 1
        let position = index
        let handle = self.handle
        bytes.withUnsafeBytes { raw in
            _ = sqlite3_bind_blob(handle, position, raw.baseAddress, Int32(raw.count), Self.transient)
        }
    }

    mutating func null() {
        index += 1
        sqlite3_bind_null(handle, index)
    }

    /// Runs the statement to completion, then resets it for the next row.
    mutating func run(_ db: Database) throws {
        defer {
            sqlite3_reset(handle)
            sqlite3_clear_bindings(handle)
            index = 0
        }
        let code = sqlite3_step(handle)
        guard code == SQLITE_DONE || code == SQLITE_ROW else {
            let message = String(cString: sqlite3_errmsg(db.sqliteConnection))
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: message, sql: statement.sql)
        }
    }
}
