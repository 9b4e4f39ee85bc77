import Foundation
import GRDB
import ReleveDomain

extension SQLiteStore {
    /// The size the write-ahead log is cut back to each time it restarts (64 MiB), whatever
    /// ran before: `PRAGMA journal_size_limit` on every connection.
    static let logSizeLimit = 64 << 20

    /// Copies the whole write-ahead log into the base and truncates it to zero bytes
    /// (`wal_checkpoint(TRUNCATE)`), under the write lock: the import, the issuing batch,
    /// the print batch and the migration call it when they end, so a big command leaves no
    /// log as large as what it wrote. The checkpoint waits (busy timeout) for the readers of
    /// a running web server to finish their read transactions, which last one request; one
    /// held longer than that leaves the log as it is (`complete` false) and the next restart
    /// of the log cuts it to `logSizeLimit`.
    public func truncateLog() async throws -> LogTruncation {
        guard let path else { return LogTruncation(bytesBefore: 0, bytesAfter: 0, complete: true) }
        let before = Self.fileSize(path + "-wal")
        let complete: Bool
        do {
            complete = try await writeOutsideTransaction { db in
                do {
                    _ = try db.checkpoint(.truncate)
                    return true
                } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED {
                    return false
                }
            }
        }
        return LogTruncation(bytesBefore: before, bytesAfter: Self.fileSize(path + "-wal"), complete: complete)
    }

    static func fileSize(_ path: String) -> Int64 {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.int64Value ?? 0
    }
}

extension SQLiteStore: StorageStore {
    public func storage() async throws -> EngineStorage {
        let byMonth = try await read { db in
            var months: [Month: Int] = [:]
            for row in try Row.fetchAll(
                db, sql: "SELECT substr(payment_date, 1, 7) AS month, count(*) AS n FROM payment GROUP BY 1")
            {
                if let month = Month(row["month"] as String) { months[month] = row["n"] }
            }
            return months
        }
        guard let path else { return EngineStorage(parts: [], paymentsByMonth: byMonth) }
        return EngineStorage(
            parts: [
                .init(name: "base", bytes: Self.fileSize(path)),
                .init(name: "journal (WAL)", bytes: Self.fileSize(path + "-wal")),
                .init(name: "index du journal (-shm)", bytes: Self.fileSize(path + "-shm")),
            ], paymentsByMonth: byMonth)
    }
}

/// What `truncateLog` did: the log's size before and after, and whether every frame was
/// copied (a reader holding a snapshot longer than the busy timeout prevents it).
public struct LogTruncation: Sendable, Equatable {
    public let bytesBefore: Int64
    public let bytesAfter: Int64
    public let complete: Bool

    public init(bytesBefore: Int64, bytesAfter: Int64, complete: Bool) {
        self.bytesBefore = bytesBefore
        self.bytesAfter = bytesAfter
        self.complete = complete
    }
}
