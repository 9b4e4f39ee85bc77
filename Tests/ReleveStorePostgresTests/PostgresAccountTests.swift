import Foundation
import ReleveDomain
import ReleveStore
import ReleveTestSupport
import Testing

@testable import ReleveStorePostgres

/// Provisional codes, opening, e-mail links, changes and cancellation on a real PostgreSQL
/// server, the concurrent cases included (several writers: conditional updates and row locks).
@Suite(
    "PostgreSQL store: accounts",
    .enabled(if: PostgresTestServer.url != nil, "no PostgreSQL cluster: Tests/postgres/grappe.sh demarrer"))
struct PostgresAccountTests {
    static let person = InsuredPerson.ID(1)

    /// Jean Martin in the registry, without an account, and a provisional code with its letter.
    static func base() async throws -> (PostgresStore, url: String, drop: @Sendable () -> Void, code: StoredProvisionalCode) {
        let (store, url, drop) = try await PostgresSessionTests.base()
        try await PostgresTestServer.psql(url, "DELETE FROM account")
        let nir = try NIR(parsing: PostgresSessionTests.nir)
        try await store.recordProvisionalCodeRequest(
            nir: nir, at: 1_000,
            issue: (person, "hash-du-code", 1_000 + 15 * 86_400, NewLetter(kind: .provisionalCode, recipient: "J", body: "B")),
            audit: AuditEvent(at: 1_000, kind: "provisional_code_request", outcome: "issued", subject: nir.masked))
        let code = try #require(try await store.activeProvisionalCode(personID: person, now: 1_001))
        return (store, url, drop, code)
    }

    static func opening(_ code: StoredProvisionalCode, email: String = "jean@exemple.fr", token: UInt8 = 7, at: Int64 = 2_000)
        throws -> AccountOpening
    {
        AccountOpening(
            nir: try NIR(parsing: PostgresSessionTests.nir), personID: person, provisionalCodeID: code.id, codeHash: "h",
            question: 1, answerHash: "a", email: email, emailToken: (Array(repeating: token, count: 32), at + 86_400), at: at)
    }

    @Test("a code with its letter; tries counted up to the limit even in parallel; the letter withdrawn at opening")
    func provisionalCode() async throws {
        let (store, url, drop, code) = try await Self.base()
        defer { drop() }
        defer { store.close() }
        #expect(code.codeHash == "hash-du-code" && code.attempts == 0)
        #expect(try await store.provisionalCodeRequests(nir: NIR(parsing: PostgresSessionTests.nir), since: 0) == 1)
        #expect(
            try await PostgresTestServer.psql(url, "SELECT count(*) FROM letter WHERE provisional_code_id IS NOT NULL") == "1")
        let tries = try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<8 { group.addTask { try await store.reserveProvisionalCodeAttempt(id: code.id, maximum: 5) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(tries.filter { $0 }.count == 5)
        try await store.refundProvisionalCodeAttempt(id: code.id)
        #expect(try await store.activeProvisionalCode(personID: Self.person, now: 1_002)?.attempts == 4)
        #expect(
            try await store.openAccount(
                try Self.opening(code), audit: AuditEvent(at: 2_000, kind: "account_opening", outcome: "success")) == .opened)
        #expect(try await PostgresTestServer.psql(url, "SELECT count(*) FROM letter") == "0")
        #expect(try await store.activeProvisionalCode(personID: Self.person, now: 2_001) == nil)
        #expect(try await store.accountPeriods(of: Self.person).count == 1)
    }

    @Test("two openings with one code at once: exactly one opens, the other writes nothing")
    func concurrentOpenings() async throws {
        let (store, url, drop, code) = try await Self.base()
        defer { drop() }
        defer { store.close() }
        let outcomes = try await withThrowingTaskGroup(of: AccountOpeningOutcome.self) { group in
            for token in [UInt8(1), 2] {
                group.addTask {
                    try await store.openAccount(
                        try Self.opening(code, email: "jean\(token)@exemple.fr", token: token),
                        audit: AuditEvent(at: 2_000, kind: "account_opening", outcome: "success"))
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(outcomes.filter { $0 == .opened }.count == 1)
        #expect(outcomes.filter { $0 == .provisionalCodeAlreadyUsed }.count == 1)
        #expect(try await PostgresTestServer.psql(url, "SELECT count(*) FROM email_token") == "1")
        #expect(try await PostgresTestServer.psql(url, "SELECT count(*) FROM audit_event WHERE kind = 'account_opening'") == "1")
    }

    @Test("e-mail links: confirm once, expire, superseded by a change; code change keeps one session; cancellation")
    func linksChangesAndCancellation() async throws {
        let (store, url, drop, code) = try await Self.base()
        defer { drop() }
        defer { store.close() }
        _ = try await store.openAccount(
            try Self.opening(code), audit: AuditEvent(at: 2_000, kind: "account_opening", outcome: "success"))
        let link: [UInt8] = Array(repeating: 7, count: 32)
        #expect(try await store.confirmEmail(tokenHash: Array(repeating: 8, count: 32), at: 2_100, channel: "web") == .unknown)
        #expect(
            try await store.confirmEmail(tokenHash: link, at: 2_100, channel: "web")
                == .confirmed(personID: Self.person, email: "jean@exemple.fr"))
        #expect(try await store.confirmEmail(tokenHash: link, at: 2_101, channel: "web") == .alreadyUsed)
        let newLink: [UInt8] = Array(repeating: 9, count: 32)
        try await store.changeEmail(
            personID: Self.person, email: "nouveau@exemple.fr", token: (newLink, 2_200 + 86_400), at: 2_200,
            audit: AuditEvent(at: 2_200, kind: "email_change", outcome: "success"))
        let older: [UInt8] = Array(repeating: 10, count: 32)
        try await store.changeEmail(
            personID: Self.person, email: "encore@exemple.fr", token: (older, 2_300 + 86_400), at: 2_300,
            audit: AuditEvent(at: 2_300, kind: "email_change", outcome: "success"))
        #expect(try await store.confirmEmail(tokenHash: newLink, at: 2_400, channel: "web") == .superseded)
        #expect(try await store.confirmEmail(tokenHash: older, at: 2_300 + 86_400, channel: "web") == .expired)
        let nir = try NIR(parsing: PostgresSessionTests.nir)
        let keep: [UInt8] = Array(repeating: 11, count: 32)
        let other: [UInt8] = Array(repeating: 12, count: 32)
        for token in [keep, other] {
            try await store.recordLogin(
                nir: nir, personID: Self.person, tokenHash: token, channel: "web", at: 2_500,
                audit: AuditEvent(at: 2_500, kind: "login", outcome: "success"))
        }
        try await store.changeCode(
            personID: Self.person, codeHash: "nouveau", keepSession: keep, at: 2_600,
            audit: AuditEvent(at: 2_600, kind: "code_change", outcome: "success"))
        #expect(try await store.session(tokenHash: keep)?.revokedAt == nil)
        #expect(try await store.session(tokenHash: other)?.revokedAt == 2_600)
        #expect(try await store.accountContext(nir: nir)?.account?.codeHash == "nouveau")
        let letter = NewLetter(kind: .cancellation, recipient: "J", body: "Résiliation")
        #expect(
            try await store.closeAccount(
                personID: Self.person, at: 3_000, letter: letter,
                audit: AuditEvent(at: 3_000, kind: "cancellation", outcome: "success")))
        #expect(
            !(try await store.closeAccount(
                personID: Self.person, at: 3_001, letter: letter,
                audit: AuditEvent(at: 3_001, kind: "cancellation", outcome: "success"))))
        #expect(try await store.session(tokenHash: keep)?.revokedAt == 3_000)
        #expect(try await store.accountPeriods(of: Self.person).last?.until != nil)
        // The provisional code's letter went at opening; the cancellation's is the one left.
        #expect(try await PostgresTestServer.psql(url, "SELECT string_agg(kind, ',') FROM letter") == "resiliation")
    }
}
