import Foundation
import ReleveDomain
import ReleveStore
import ReleveTestSupport
import Testing

@testable import ReleveStorePostgres

/// FranceConnect's pending logins, links and federated sessions on a real PostgreSQL server.
@Suite(
    "PostgreSQL store: federation",
    .enabled(if: PostgresTestServer.url != nil, "no PostgreSQL cluster: Tests/postgres/grappe.sh demarrer"))
struct PostgresFederationTests {
    @Test("a pending login is spent once even by two callbacks at the same time, and not after its expiry")
    func pendingOnce() async throws {
        let (store, _, drop) = try await PostgresSessionTests.base()
        defer { drop() }
        defer { store.close() }
        let state: [UInt8] = Array(repeating: 4, count: 32)
        try await store.beginFederation(
            PendingFederation(
                stateHash: state, bindingHash: Array(repeating: 5, count: 32), purpose: .login, nonce: "n", verifier: "v",
                redirectURI: "https://releve.test/franceconnect/retour", createdAt: 100, expiresAt: 700), audit: nil)
        let taken = try await withThrowingTaskGroup(of: PendingFederation?.self) { group in
            for _ in 0..<2 { group.addTask { try await store.takeFederation(stateHash: state, at: 200) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let winner = try #require(taken.compactMap { $0 }.first)
        #expect(taken.compactMap { $0 }.count == 1)
        #expect(winner.nonce == "n" && winner.bindingHash == Array(repeating: 5, count: 32) && winner.purpose == .login)
        let late: [UInt8] = Array(repeating: 6, count: 32)
        try await store.beginFederation(
            PendingFederation(stateHash: late, bindingHash: [1], purpose: .login, createdAt: 100, expiresAt: 700), audit: nil)
        #expect(try await store.takeFederation(stateHash: late, at: 701) == nil)
    }

    @Test("candidates by birth date, a link, a federated session, an opening only where no account exists")
    func linksAndOpening() async throws {
        let (store, url, drop) = try await PostgresSessionTests.base()
        defer { drop() }
        defer { store.close() }
        let born = try await store.accountContexts(bornOn: Fixtures.date("1970-12-03"))
        #expect(born.map(\.person.person.lastName) == ["Martin"] && born.first?.account != nil)
        #expect(try await store.accountContexts(bornOn: Fixtures.date("1970-12-04")).isEmpty)
        let nir = try NIR(parsing: PostgresSessionTests.nir)
        let link = FederatedLink(provider: "https://fc.test", subject: "sub-1", personID: InsuredPerson.ID(1), identity: "A")
        #expect(
            !(try await store.openFederatedAccount(
                link: link, method: "franceconnect", nir: nir, email: "j@exemple.fr", emailToken: ([1], 9_999),
                session: [2], idToken: "t", at: 100, audit: [])))
        #expect(try await store.federatedLink(provider: "https://fc.test", subject: "sub-1") == nil)
        let token: [UInt8] = Array(repeating: 3, count: 32)
        try await store.recordFederatedLogin(
            link: link, method: "franceconnect", nir: nir, tokenHash: token, channel: "web", idToken: "jeton", at: 200,
            audit: [AuditEvent(at: 200, kind: "login", outcome: "success", channel: "franceconnect")])
        #expect(try await store.federatedLink(provider: "https://fc.test", subject: "sub-1")?.personID == InsuredPerson.ID(1))
        let session = try #require(try await store.session(tokenHash: token))
        #expect(session.method == "franceconnect" && session.idToken == "jeton" && session.reauthenticatedAt == 200)
        try await store.markReauthenticated(
            tokenHash: token, idToken: "jeton-2", at: 300,
            audit: AuditEvent(at: 300, kind: "reauthentication", outcome: "success"))
        #expect(try await store.session(tokenHash: token)?.reauthenticatedAt == 300)
        try await PostgresTestServer.psql(url, "DELETE FROM session; DELETE FROM account")
        #expect(
            try await store.openFederatedAccount(
                link: link, method: "franceconnect", nir: nir, email: "j@exemple.fr", emailToken: ([1], 9_999),
                session: [2], idToken: "t", at: 400, audit: [AuditEvent(at: 400, kind: "account_opening", outcome: "success")]))
        #expect(try await store.accountContext(personID: InsuredPerson.ID(1))?.account?.codeHash == "")
    }
}
