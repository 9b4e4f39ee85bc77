import Foundation
import ReleveDomain
import ReleveStore
import ReleveTestSupport
import Testing

@testable import ReleveStorePostgres

/// The registry read, sessions and code-attempt counters on a real PostgreSQL server.
@Suite(
    "PostgreSQL store: sessions",
    .enabled(if: PostgresTestServer.url != nil, "no PostgreSQL cluster: Tests/postgres/grappe.sh demarrer"))
struct PostgresSessionTests {
    static let nir = "1701275112034"

    /// A migrated base holding Jean Martin (with a child) and his account.
    static func base() async throws -> (PostgresStore, url: String, drop: @Sendable () -> Void) {
        let (url, drop) = try PostgresTestServer.database()
        let store = try await PostgresStore.open(url: url)
        try await PostgresTestServer.psql(
            url,
            """
            INSERT INTO person (nir, last_name, first_names, birth_date, address_lines, postal_code, city, regime,
                caisse_code, caisse_name, doctor_name, doctor_since, long_term_condition, content_hash)
                VALUES ('\(nir)', 'Martin', 'Jean', '1970-12-03', E'12 rue de Charenton', '75012', 'Paris', 'RG',
                '751', 'CPAM de Paris', 'Dr Claire Bernard', '2012-09-14', false, '\\x00');
            INSERT INTO beneficiary VALUES (1, 1, 'Jean', '1970-12-03', 'MUT0751', 'Mutuelle des Services Publics', true),
                (1, 2, 'Léa', '2014-04-02', 'MUT0751', 'Mutuelle des Services Publics', true);
            INSERT INTO account (person_id, status, code_hash, question, answer_hash, email, email_confirmed, created_at,
                updated_at) VALUES (1, 'active', 'h', 1, 'a', 'jean@exemple.fr', true, 1, 1);
            """)
        return (store, url, drop)
    }

    @Test("the assuré and account read back as the SQLite engine gives them")
    func registry() async throws {
        let (store, _, drop) = try await Self.base()
        defer { drop() }
        defer { store.close() }
        let context = try #require(try await store.accountContext(nir: NIR(parsing: Self.nir)))
        #expect(context.person.person.fullName == Fixtures.person().fullName)
        #expect(context.person.person.beneficiaries.map(\.firstName) == ["Jean", "Léa"])
        #expect(context.person.person.doctor?.since == Fixtures.date("2012-09-14"))
        #expect(context.account?.status == .active && context.account?.email == "jean@exemple.fr")
        #expect(try await store.accountContext(nir: NIR(parsing: "2850375112036")) == nil)
    }

    @Test("a session is recorded with its audit row, found, touched, revoked one by one or all at once")
    func sessions() async throws {
        let (store, url, drop) = try await Self.base()
        defer { drop() }
        defer { store.close() }
        let nir = try NIR(parsing: Self.nir)
        let person = InsuredPerson.ID(1)
        let first: [UInt8] = Array(repeating: 1, count: 32)
        let second: [UInt8] = Array(repeating: 2, count: 32)
        try await store.recordLogin(
            nir: nir, personID: person, tokenHash: first, channel: "web", at: 100,
            audit: AuditEvent(at: 100, kind: "login", outcome: "success", subject: nir.masked, channel: "web"))
        try await store.recordLogin(
            nir: nir, personID: person, tokenHash: second, channel: "cli", at: 101,
            audit: AuditEvent(at: 101, kind: "login", outcome: "success", subject: nir.masked, channel: "cli"))
        #expect(try await PostgresTestServer.psql(url, "SELECT count(*) FROM audit_event WHERE kind = 'login'") == "2")
        let found = try #require(try await store.session(tokenHash: first))
        #expect(found.nir == nir && found.channel == "web" && found.createdAt == 100 && found.revokedAt == nil)
        try await store.touchSession(tokenHash: first, at: 160)
        let context = try await store.sessionContext(tokenHash: first)
        #expect(context.session?.lastSeenAt == 160 && context.context?.account?.email == "jean@exemple.fr")
        #expect(context.maintenance == nil)
        try await store.setMaintenance("Pause", audit: AuditEvent(at: 170, kind: "maintenance", outcome: "on"))
        #expect(try await store.sessionContext(tokenHash: first).maintenance == "Pause")
        #expect(try await store.sessionContext(tokenHash: Array(repeating: 9, count: 32)).session == nil)
        try await store.revokeSessions(tokenHash: first, allOf: nil, at: 200, audit: nil)
        #expect(try await store.session(tokenHash: first)?.revokedAt == 200)
        #expect(try await store.session(tokenHash: second)?.revokedAt == nil)
        try await store.revokeSessions(
            tokenHash: nil, allOf: person, at: 300, audit: AuditEvent(at: 300, kind: "code_change", outcome: "success"))
        #expect(try await store.session(tokenHash: second)?.revokedAt == 300)
        #expect(try await store.session(tokenHash: first)?.revokedAt == 200)
    }

    @Test("30 parallel code attempts against a lock after 3 failures: exactly 3 counted, on a pool of connections")
    func parallelAttempts() async throws {
        let (store, _, drop) = try await Self.base()
        defer { drop() }
        defer { store.close() }
        let nir = try NIR(parsing: Self.nir)
        let outcomes = try await withThrowingTaskGroup(of: AttemptReservation.self) { group in
            for _ in 0..<30 {
                group.addTask {
                    try await store.reserveCodeAttempt(nir: nir, at: 1_000, refuse: { failures, _ in failures >= 3 })
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let reserved = outcomes.compactMap { if case .reserved(let n) = $0 { n } else { nil } }
        #expect(reserved.sorted() == [1, 2, 3])
        #expect(outcomes.count - reserved.count == 27)
        #expect(try await store.loginFailures(nir: nir)?.failures == 3)
        try await store.refundCodeAttempt(nir: nir)
        #expect(try await store.loginFailures(nir: nir)?.failures == 2)
        try await store.recordLogin(
            nir: nir, personID: InsuredPerson.ID(1), tokenHash: Array(repeating: 3, count: 32), channel: "web", at: 1_001,
            audit: AuditEvent(at: 1_001, kind: "login", outcome: "success"))
        #expect(try await store.loginFailures(nir: nir) == nil)
    }
}
