import GRDB
import GRDBSQLite

/// A prepared statement bound through the SQLite C API, for the import's hot loop: building a
/// GRDB `StatementArguments` per row costs more than the insert itself (measured with perf,
/// docs/BENCHMARKS.md). Used only inside the store, within one transaction.
///
/// Texts and blobs are copied into a buffer of the statement's own and bound from there
/// (`SQLITE_STATIC`): bound as transient, SQLite allocated, copied and freed each value, which
/// was a tenth of the import writer's time. The buffer is reused row after row: a row's values
/// are only read by the step that follows them, and every parameter is bound again before the
/// next step. A row whose values do not fit is bound as transient.
struct BoundStatement {
    private let statement: Statement
    private var index: Int32 = 0
    private let buffer: Buffer
    private var used = 0

    /// The bytes the bound values point to, for the statement's life.
    private final class Buffer {
        static let capacity = 16 * 1024
        let bytes = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        deinit { bytes.deallocate() }
    }

    init(_ db: Database, sql: String) throws {
        statement = try db.makeStatement(sql: sql)
        buffer = Buffer()
    }

    private var handle: SQLiteStatement { statement.sqliteStatement }

    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
    private static let isStatic = unsafeBitCast(0, to: sqlite3_destructor_type.self)

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

    /// `bytes` copied into the buffer when they fit (nil otherwise): where to bind them from.
    private mutating func kept(_ bytes: UnsafeRawBufferPointer) -> UnsafeMutablePointer<UInt8>? {
        guard used + bytes.count <= Buffer.capacity else { return nil }
        let target = buffer.bytes + used
        if let source = bytes.baseAddress, bytes.count > 0 {
            target.update(from: source.assumingMemoryBound(to: UInt8.self), count: bytes.count)
        }
        used += bytes.count
        return target
    }

    mutating func text(_ value: String) {
        index += 1
        var value = value
        let position = index
        value.withUTF8 { utf8 in
            if let target = kept(UnsafeRawBufferPointer(utf8)) {
                _ = sqlite3_bind_text(handle, position, target, Int32(utf8.count), Self.isStatic)
            } else {
                _ = sqlite3_bind_text(handle, position, utf8.baseAddress, Int32(utf8.count), Self.transient)
            }
        }
    }

    mutating func text(_ value: String?) {
        if let value { text(value) } else { null() }
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

    /// Runs the statement to completion, then resets it for the next row (whose values are
    /// all bound again before it runs: the buffer is reused from its start).
    mutating func run(_ db: Database) throws {
        defer {
            sqlite3_reset(handle)
            index = 0
            used = 0
        }
        let code = sqlite3_step(handle)
        guard code == SQLITE_DONE || code == SQLITE_ROW else {
            let message = String(cString: sqlite3_errmsg(db.sqliteConnection))
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: message, sql: statement.sql)
        }
    }
}
