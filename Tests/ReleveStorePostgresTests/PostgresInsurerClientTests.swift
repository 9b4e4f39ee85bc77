import Foundation
import ReleveDomain
import ReleveStore
import ReleveTestSupport
import Testing

@testable import ReleveStorePostgres

/// Insurer clients, their tokens and acknowledgements on a real PostgreSQL server.
@Suite(
    "PostgreSQL store: insurer clients",
    .enabled(if: PostgresTestServer.url != nil, "no PostgreSQL cluster: Tests/postgres/grappe.sh demarrer"))
struct PostgresInsurerClientTests {
    @Test("a client's life: created, token found, secret rotated (tokens end), revoked once")
    func clients() async throws {
        let (url, drop) = try PostgresTestServer.database()
        defer { drop() }
        let store = try await PostgresStore.open(url: url)
        defer { store.close() }
        let client = InsurerClient(
            clientID: "amc-1", insurerCode: "MUT0751", name: "Mutuelle", createdAt: 10, rotatedAt: nil, revokedAt: nil)
        try await store.createInsurerClient(
            client, secretHash: "s1", audit: AuditEvent(at: 10, kind: "insurer_client", outcome: "created"))
        #expect(try await store.insurerClients() == [client])
        #expect(try await store.insurerClient(id: "amc-1")?.secretHash == "s1")
        try await store.storeInsurerToken(hash: "t1", clientID: "amc-1", expiresAt: 400)
        #expect(try await store.insurerClient(tokenHash: "t1", now: 399)?.clientID == "amc-1")
        #expect(try await store.insurerClient(tokenHash: "t1", now: 400) == nil)
        #expect(
            try await store.rotateInsurerSecret(
                id: "amc-1", secretHash: "s2", at: 20, audit: AuditEvent(at: 20, kind: "insurer_client", outcome: "rotated")))
        #expect(try await store.insurerClient(tokenHash: "t1", now: 30) == nil)
        #expect(try await store.insurerClient(id: "amc-1")?.secretHash == "s2")
        #expect(
            try await store.revokeInsurerClient(
                id: "amc-1", at: 40, audit: AuditEvent(at: 40, kind: "insurer_client", outcome: "revoked")))
        #expect(
            !(try await store.revokeInsurerClient(
                id: "amc-1", at: 41, audit: AuditEvent(at: 41, kind: "insurer_client", outcome: "revoked"))))
        #expect(
            !(try await store.rotateInsurerSecret(
                id: "amc-1", secretHash: "s3", at: 42, audit: AuditEvent(at: 42, kind: "insurer_client", outcome: "rotated"))))
        #expect(try await PostgresTestServer.psql(url, "SELECT count(*) FROM audit_event WHERE kind = 'insurer_client'") == "3")
    }

    @Test("acknowledgements at once: the watermark only moves forward, each value recorded once")
    func acknowledgements() async throws {
        let (url, drop) = try PostgresTestServer.database()
        defer { drop() }
        let store = try await PostgresStore.open(url: url)
        defer { store.close() }
        let throughs: [Int64] = [5, 3, 9, 9, 7, 9, 1, 8]
        let moved = try await withThrowingTaskGroup(of: Bool.self) { group in
            for through in throughs {
                group.addTask {
                    try await store.acknowledge(
                        insurer: "MUT0751", clientID: "amc-1", through: Payment.ID(through), at: 100,
                        audit: AuditEvent(at: 100, kind: "insurer_ack", outcome: "success"))
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(try await PostgresTestServer.psql(url, "SELECT max(last_payment_id) FROM insurer_ack") == "9")
        #expect(try await PostgresTestServer.psql(url, "SELECT count(*) FROM insurer_ack WHERE last_payment_id = 9") == "1")
        // In the order they committed, each recorded value is above the one before.
        #expect(
            try await PostgresTestServer.psql(
                url,
                """
                SELECT count(*) FROM (SELECT last_payment_id, lag(last_payment_id) OVER (ORDER BY id) AS previous
                FROM insurer_ack) t WHERE previous >= last_payment_id
                """) == "0")
        #expect(moved.filter { $0 }.count == Int(try await PostgresTestServer.psql(url, "SELECT count(*) FROM insurer_ack")))
        #expect(
            !(try await store.acknowledge(
                insurer: "MUT0751", clientID: "amc-1", through: Payment.ID(9), at: 101,
                audit: AuditEvent(at: 101, kind: "insurer_ack", outcome: "success"))))
    }
}
