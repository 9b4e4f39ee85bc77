import GRDB
import GRDBSQLite

/// A prepared statement bound, stepped and read through the SQLite C API, for the two hot
/// paths: the import's inserts (building a GRDB `StatementArguments` per row cost more than the
/// insert itself) and the payments read every page and API call makes (a copied GRDB `Row` per
/// result row, then a generic decode per value, was most of that read's time). Measured with
/// perf, docs/BENCHMARKS.md. Used only inside the store, within one transaction.
///
/// A statement of its own (`init(_:sql:)`, the import) binds texts and blobs from a buffer it
/// owns (`SQLITE_STATIC`): bound as transient, SQLite allocated, copied and freed each value,
/// which was a tenth of the import writer's time. The buffer is reused row after row: a row's
/// values are only read by the step that follows them, and every parameter is bound again
/// before the next step. A row whose values do not fit is bound as transient. A statement from
/// GRDB's cache (`init(_:cached:)`, the reads) outlives this value, so its values are always
/// bound as transient.
struct BoundStatement {
    private let statement: Statement
    private var index: Int32 = 0
    private let buffer: Buffer?
    private var used = 0

    /// The bytes the bound values point to, for the statement's life.
    private final class Buffer {
        static let capacity = 16 * 1024
        let bytes = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        deinit { bytes.deallocate() }
    }

    /// A statement of its own, for writing row after row (`run`).
    init(_ db: Database, sql: String) throws {
        statement = try db.makeStatement(sql: sql)
        buffer = Buffer()
    }

    /// GRDB's cached statement for `sql`, reset and unbound, for one read (`step`, then the
    /// columns; `finish` if the read stops before the last row).
    init(_ db: Database, cached sql: String) throws {
        statement = try db.cachedStatement(sql: sql)
        buffer = nil
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    private var handle: SQLiteStatement { statement.sqliteStatement }

    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
    private static let isStatic = unsafeBitCast(0, to: sqlite3_destructor_type.self)

    // MARK: Binding, by position (`?`, in order) or by name (`:name`)

    mutating func int(_ value: Int64) {
        index += 1
        sqlite3_bind_int64(handle, index, value)
    }

    mutating func int(_ value: Int) {
        int(Int64(value))
    }

    mutating func int(_ value: Int64, named name: String) {
        sqlite3_bind_int64(handle, sqlite3_bind_parameter_index(handle, name), value)
    }

    mutating func bool(_ value: Bool) {
        int(value ? 1 : 0)
    }

    /// `bytes` copied into the buffer when there is one and they fit (nil otherwise): where to
    /// bind them from.
    private mutating func kept(_ bytes: UnsafeRawBufferPointer) -> UnsafeMutablePointer<UInt8>? {
        guard let buffer, used + bytes.count <= Buffer.capacity else { return nil }
        let target = buffer.bytes + used
        if let source = bytes.baseAddress, bytes.count > 0 {
            target.update(from: source.assumingMemoryBound(to: UInt8.self), count: bytes.count)
        }
        used += bytes.count
        return target
    }

    private mutating func bindText(_ value: String, at position: Int32) {
        var value = value
        value.withUTF8 { utf8 in
            if let target = kept(UnsafeRawBufferPointer(utf8)) {
                _ = sqlite3_bind_text(handle, position, target, Int32(utf8.count), Self.isStatic)
            } else {
                _ = sqlite3_bind_text(handle, position, utf8.baseAddress, Int32(utf8.count), Self.transient)
            }
        }
    }

    mutating func text(_ value: String) {
        index += 1
        bindText(value, at: index)
    }

    mutating func text(_ value: String?) {
        if let value { text(value) } else { null() }
    }

    mutating func text(_ value: String, named name: String) {
        bindText(value, at: sqlite3_bind_parameter_index(handle, name))
    }

    mutating func blob(_ bytes: [UInt8]) {
        index += 1
        let position = index
        bytes.withUnsafeBytes { raw in
            if let target = kept(raw) {
                _ = sqlite3_bind_blob(handle, position, target, Int32(raw.count), Self.isStatic)
            } else {
                _ = sqlite3_bind_blob(handle, position, raw.baseAddress, Int32(raw.count), Self.transient)
            }
        }
    }

    mutating func null() {
        index += 1
        sqlite3_bind_null(handle, index)
    }

    // MARK: Running

    /// Runs the statement to completion, then resets it for the next row (whose values are
    /// all bound again before it runs: the buffer is reused from its start).
    mutating func run(_ db: Database) throws {
        defer {
            sqlite3_reset(handle)
            index = 0
            used = 0
        }
        _ = try step(db)
    }

    /// Moves to the next result row: false after the last one (the statement is then reset).
    func step(_ db: Database) throws -> Bool {
        let code = sqlite3_step(handle)
        if code == SQLITE_ROW { return true }
        sqlite3_reset(handle)
        guard code == SQLITE_DONE else {
            let message = String(cString: sqlite3_errmsg(db.sqliteConnection))
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: message, sql: statement.sql)
        }
        return false
    }

    /// Gives the statement back before its last row (the read's transaction must not keep it).
    func finish() {
        sqlite3_reset(handle)
    }

    // MARK: Reading the current row's columns (from 0)

    func int64(_ column: Int32) -> Int64 {
        sqlite3_column_int64(handle, column)
    }

    func int(_ column: Int32) -> Int {
        Int(sqlite3_column_int64(handle, column))
    }

    func bool(_ column: Int32) -> Bool {
        sqlite3_column_int64(handle, column) != 0
    }

    /// The column as text (an empty string for NULL).
    func text(_ column: Int32) -> String {
        guard let bytes = sqlite3_column_text(handle, column) else { return "" }
        let count = Int(sqlite3_column_bytes(handle, column))
        return String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
    }

    func optionalText(_ column: Int32) -> String? {
        sqlite3_column_type(handle, column) == SQLITE_NULL ? nil : text(column)
    }
}
