import CoreMetrics
import Foundation
import Logging
import PostgresNIO
import ReleveDomain
import ReleveStore

/// Sends the payments reads of pages and the API to a streaming replica while it is fresh
/// enough, to the primary otherwise.
///
/// Fresh enough: at the last check (at most one a second), the replica had replayed everything
/// the primary had written, or its last replayed transaction is at most `maximumLag` seconds
/// old. A replica that lags more, or cannot be reached (at start too: it is opened at the first
/// check, and again at later ones until it answers), is left alone until a later check finds it
/// well: a read may be stale by `maximumLag` plus the one-second check interval, never wrong,
/// and never fails because of the replica. Writes never come here.
public final class PostgresReplicaRouter: PaymentReader {
    let primary: PostgresStore
    let health: ReplicaHealth

    public init(primary: PostgresStore, replicaURL: String, maximumLag: Double) {
        self.primary = primary
        self.health = ReplicaHealth(primary: primary, replicaURL: replicaURL, maximumLag: maximumLag)
    }

    public func payments(of nir: NIR, from: CivilDate, to: CivilDate) async throws -> [StoredPayment] {
        if let replica = await health.replicaIfFresh() {
            do {
                return try await replica.payments(of: nir, from: from, to: to)
            } catch {
                await health.failed()
            }
        }
        return try await primary.payments(of: nir, from: from, to: to)
    }

    /// Whether reads go to the replica now, and the lag the last check measured (nil: the
    /// replica could not be reached).
    public func state() async -> (replica: Bool, lag: Double?) {
        _ = await health.replicaIfFresh()
        return await health.snapshot()
    }

    public func close() async {
        await health.close()
    }
}

/// The replica's connection and freshness, checked at most once a second.
actor ReplicaHealth {
    let primary: PostgresStore
    let replicaURL: String
    let maximumLag: Double
    private var replica: PostgresStore?
    private var checkedAt: Double = -.infinity
    private var fresh = false
    private var lag: Double?

    init(primary: PostgresStore, replicaURL: String, maximumLag: Double) {
        self.primary = primary
        self.replicaURL = replicaURL
        self.maximumLag = maximumLag
    }

    func replicaIfFresh() async -> PostgresStore? {
        let now = Date().timeIntervalSince1970
        if now - checkedAt >= 1 {
            checkedAt = now
            if replica == nil { replica = try? await PostgresStore.open(url: replicaURL, replica: true) }
            lag = nil
            if let replica { lag = try? await measure(replica) }
            fresh = lag.map { $0 <= maximumLag } ?? false
            // Metrics: the lag the check measured (absent while unreachable) and whether reads go there.
            if let lag, lag.isFinite { Gauge(label: "releve_replica_lag_seconds").record(lag) }
            Gauge(label: "releve_replica_reachable").record(lag == nil ? 0 : 1)
            Gauge(label: "releve_replica_in_use").record(fresh ? 1 : 0)
        }
        return fresh ? replica : nil
    }

    func failed() {
        fresh = false
        lag = nil
    }

    func snapshot() -> (replica: Bool, lag: Double?) { (fresh, lag) }

    func close() {
        replica?.close()
        replica = nil
    }

    /// Seconds behind the primary: 0 when the replica has replayed the primary's current WAL
    /// position, else the age of its last replayed transaction.
    func measure(_ replica: PostgresStore) async throws -> Double {
        var position = ""
        for try await value in try await primary.client.query(
            "SELECT pg_current_wal_lsn()::text", logger: primary.logger
        ).decode(String.self) {
            position = value
        }
        for try await (recovering, behind, age) in try await replica.client.query(
            """
            SELECT pg_is_in_recovery(), coalesce(pg_wal_lsn_diff(\(position)::pg_lsn, pg_last_wal_replay_lsn()), 0)::float8,
                coalesce(extract(epoch FROM now() - pg_last_xact_replay_timestamp()), 0)::float8
            """, logger: replica.logger
        ).decode((Bool, Double, Double).self) {
            guard recovering, behind > 0 else { return 0 }
            return max(age, 0)
        }
        return .infinity
    }
}
