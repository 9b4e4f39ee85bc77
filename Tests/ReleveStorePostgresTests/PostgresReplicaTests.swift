import Foundation
import ReleveDomain
import ReleveStore
import ReleveTestSupport
import Testing

@testable import ReleveStorePostgres

/// Issue 13, read replicas: the payments reads go to a real streaming replica (pg_basebackup of
/// the test cluster) while it keeps up, to the primary when it lags beyond the bound or is gone.
@Suite(
    "PostgreSQL: read replica", .serialized,
    .enabled(
        if: PostgresTestServer.replicaURL != nil, "no PostgreSQL replica: Tests/postgres/grappe.sh demarrer"))
struct PostgresReplicaTests {
    static let everything = (Fixtures.date("2000-01-01"), Fixtures.date("2100-01-01"))

    /// Waits (up to 30 s) until `router` sends reads to the replica.
    static func waitForReplica(_ router: PostgresReplicaRouter) async throws -> Bool {
        for _ in 0..<60 {
            if await router.state().replica { return true }
            try await Task.sleep(for: .milliseconds(500))
        }
        return false
    }

    @Test("reads served by the replica (stale within the bound), by the primary beyond it or without replica")
    func routing() async throws {
        let (url, _) = try PostgresTestServer.database()
        let replicaURL = try #require(PostgresTestServer.onReplica(url))
        let primary = try await PostgresStore.open(url: url)
        defer { primary.close() }
        let jean = Fixtures.person()
        let first = Fixtures.consultation(reference: "751-R-1", careDate: "2026-10-02", paidOn: "2026-10-06")
        let second = Fixtures.consultation(reference: "751-R-2", careDate: "2026-10-12", paidOn: "2026-10-16")
        _ = try await primary.importFile(ImportLedgerEntry(sha256: "r1", fileName: "r1.jsonl", importedAt: "x")) {
            try await $0.write([.person(jean), .payment(first)])
        }
        let patient = PostgresReplicaRouter(primary: primary, replicaURL: replicaURL, maximumLag: 3600)
        let strict = PostgresReplicaRouter(primary: primary, replicaURL: replicaURL, maximumLag: 0.5)
        defer {
            Task {
                await patient.close()
                await strict.close()
            }
        }
        #expect(try await Self.waitForReplica(patient), "the replica caught up with a new base")
        #expect(try await patient.payments(of: jean.nir, from: Self.everything.0, to: Self.everything.1).count == 1)

        // Replay paused: a new payment on the primary is not on the replica.
        try await PostgresTestServer.psql(replicaURL, "SELECT pg_wal_replay_pause()")
        do {
            defer { Task { try? await PostgresTestServer.psql(replicaURL, "SELECT pg_wal_replay_resume()") } }
            _ = try await primary.importFile(ImportLedgerEntry(sha256: "r2", fileName: "r2.jsonl", importedAt: "x")) {
                try await $0.write([.payment(second)])
            }
            try await Task.sleep(for: .milliseconds(1_500))
            let stale = try await patient.payments(of: jean.nir, from: Self.everything.0, to: Self.everything.1)
            #expect(stale.map(\.payment.reference) == ["751-R-1"], "served by the paused replica, within its hour")
            let fresh = try await strict.payments(of: jean.nir, from: Self.everything.0, to: Self.everything.1)
            #expect(fresh.map(\.payment.reference) == ["751-R-2", "751-R-1"], "beyond 0.5 s of lag: the primary")
            let state = await strict.state()
            #expect(!state.replica && (state.lag ?? 0) > 0.5, "\(state)")
        }
        try await PostgresTestServer.psql(replicaURL, "SELECT pg_wal_replay_resume()")
        #expect(try await Self.waitForReplica(strict), "back on the replica once it caught up")
        #expect(try await strict.payments(of: jean.nir, from: Self.everything.0, to: Self.everything.1).count == 2)

        // A replica that cannot be reached: the primary answers, nothing fails.
        let gone = PostgresReplicaRouter(
            primary: primary, replicaURL: "postgres://postgres:releve-test@127.0.0.1:1/absent", maximumLag: 3600)
        #expect(try await gone.payments(of: jean.nir, from: Self.everything.0, to: Self.everything.1).count == 2)
        let state = await gone.state()
        #expect(!state.replica && state.lag == nil)
    }
}
