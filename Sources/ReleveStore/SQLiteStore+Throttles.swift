import Foundation
import GRDB

/// Shared throttles on the embedded engine: the write transaction (`BEGIN IMMEDIATE` under the
/// lock file) makes count-then-insert one step for every process on the file.
extension SQLiteStore: ThrottleStore {
    public func reserveThrottle(key: [UInt8], limit: Int, window: Int64, now: Int64) async throws -> Int64? {
        try await write { db in
            let key = Data(key)
            try db.execute(
                sql: "DELETE FROM throttle_event WHERE key = ? AND at <= ?", arguments: [key, now - window])
            let count = try Int.fetchOne(db, sql: "SELECT count(*) FROM throttle_event WHERE key = ?", arguments: [key]) ?? 0
            guard count < limit else { return nil }
            try db.execute(sql: "INSERT INTO throttle_event (key, at) VALUES (?, ?)", arguments: [key, now])
            let id = db.lastInsertedRowID
            // Keys never seen again: forget what is older than the longest window (one hour).
            if id % 512 == 0 {
                try db.execute(sql: "DELETE FROM throttle_event WHERE at <= ?", arguments: [now - Self.throttleHorizon])
            }
            return id
        }
    }

    public func releaseThrottle(id: Int64) async throws {
        try await write { db in try db.execute(sql: "DELETE FROM throttle_event WHERE id = ?", arguments: [id]) }
    }

    /// The longest throttle window (milliseconds): older events are pruned whatever their key.
    static let throttleHorizon: Int64 = 3_600_000
}
