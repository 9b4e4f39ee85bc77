import GRDB
import GRDBSQLite

/// Steps a cached statement and reads its columns through the SQLite C API, for the read every
/// page and API call makes (the payments of a window): GRDB's generic row decoding (a copied
/// `Row` per result row, then a generic decode per value) was most of that read's time
/// (docs/BENCHMARKS.md, "Issue 14, fourth pass"). Used only inside the store, within one read.
struct RowReader {
    private let statement: Statement
    private let db: Database
    private var index: Int32 = 0

    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    init(_ db: Database, cached sql: String) throws {
        self.db = db
        statement = try db.cachedStatement(sql: sql)
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    private var handle: SQLiteStatement { statement.sqliteStatement }

    mutating func bind(_ value: Int64) {
        index += 1
        sqlite3_bind_int64(handle, index, value)
    }

    mutating func bind(_ value: String) {
        index += 1
        let position = index
        var value = value
        value.withUTF8 { utf8 in
            _ = sqlite3_bind_text(handle, position, utf8.baseAddress, Int32(utf8.count), Self.transient)
        }
    }

    /// Binds a named parameter (`:name`).
    mutating func bind(_ value: Int64, name: String) {
        sqlite3_bind_int64(handle, sqlite3_bind_parameter_index(handle, name), value)
    }

    mutating func bind(_ value: String, name: String) {
        let position = sqlite3_bind_parameter_index(handle, name)
        var value = value
        value.withUTF8 { utf8 in
            _ = sqlite3_bind_text(handle, position, utf8.baseAddress, Int32(utf8.count), Self.transient)
        }
    }

    /// Moves to the next row: false after the last one (the statement is then reset).
    func step() throws -> Bool {
        let code = sqlite3_step(handle)
        if code == SQLITE_ROW { return true }
        sqlite3_reset(handle)
        guard code == SQLITE_DONE else {
            let message = String(cString: sqlite3_errmsg(db.sqliteConnection))
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: message, sql: statement.sql)
        }
        return false
    }

    /// Gives the statement back before the last row (the read's transaction must not keep it).
    func finish() {
        sqlite3_reset(handle)
    }

    func int64(_ column: Int32) -> Int64 {
        sqlite3_column_int64(handle, column)
    }

    func int(_ column: Int32) -> Int {
        Int(sqlite3_column_int64(handle, column))
    }

    func bool(_ column: Int32) -> Bool {
        sqlite3_column_int64(handle, column) != 0
    }

    func isNull(_ column: Int32) -> Bool {
        sqlite3_column_type(handle, column) == SQLITE_NULL
    }

    /// The column as text (an empty string for NULL).
    func text(_ column: Int32) -> String {
        guard let bytes = sqlite3_column_text(handle, column) else { return "" }
        let count = Int(sqlite3_column_bytes(handle, column))
        return String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
    }

    func optionalText(_ column: Int32) -> String? {
        isNull(column) ? nil : text(column)
    }
}
