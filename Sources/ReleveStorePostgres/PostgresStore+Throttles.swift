import Foundation
import PostgresNIO
import ReleveStore

/// Shared throttles: count-then-insert runs under a transaction-scoped advisory lock on the key
/// (two-key form, class 1, so it never meets the migration lock), so parallel reservations on
/// several nodes serialise per key and never overshoot the limit.
extension PostgresStore: ThrottleStore {
    public func reserveThrottle(key: [UInt8], limit: Int, window: Int64, now: Int64) async throws -> Int64? {
        let lock = key.prefix(4).reduce(Int32(0)) { ($0 << 8) | Int32($1) }
        let bytes = ByteBuffer(bytes: key)
        return try await client.withTransaction(logger: logger) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(1, \(lock))", logger: logger)
            try await connection.query(
                "DELETE FROM throttle_event WHERE key = \(bytes) AND at <= \(now - window)", logger: logger)
            var count = 0
            for try await value in try await connection.query(
                "SELECT count(*) FROM throttle_event WHERE key = \(bytes)", logger: logger
            ).decode(Int.self) {
                count = value
            }
            guard count < limit else { return nil }
            var id: Int64?
            for try await value in try await connection.query(
                "INSERT INTO throttle_event (key, at) VALUES (\(bytes), \(now)) RETURNING id", logger: logger
            ).decode(Int64.self) {
                id = value
            }
            // Keys never seen again: forget what is older than the longest window (one hour).
            if let id, id % 512 == 0 {
                try await connection.query(
                    "DELETE FROM throttle_event WHERE at <= \(now - 3_600_000)", logger: logger)
            }
            return id
        }
    }

    public func releaseThrottle(id: Int64) async throws {
        try await client.query("DELETE FROM throttle_event WHERE id = \(id)", logger: logger)
    }
}
