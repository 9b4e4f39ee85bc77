import Foundation
import ReleveDomain
import ReleveStore
import ReleveTestSupport
import Testing

@testable import ReleveService

/// Issue 10, class 8 (audit): a superseded confirmation link confirms nothing and says so; an
/// assuré asking for someone else's payment is audited as `authz_fail`.
@Suite("Audit trail")
struct AuditTrailTests {
    @Test func aSupersededConfirmationLinkConfirmsNothing() async throws {
        let world = try await AccountWorld()
        try await world.openAccount()
        let session = try await world.service.login(
            nir: AccountWorld.nir, code: AccountWorld.goodCode, channel: .cli, now: world.now)
        // Spooled messages sort by their millisecond: each step a second apart.
        world.advance(seconds: 1)
        _ = try await world.service.changeEmail(
            token: session.token, code: AccountWorld.goodCode, newEmail: "premiere@exemple.fr", channel: .cli, now: world.now)
        let first = try world.lastLink()
        world.advance(seconds: 1)
        _ = try await world.service.changeEmail(
            token: session.token, code: AccountWorld.goodCode, newEmail: "seconde@exemple.fr", channel: .cli, now: world.now)
        let second = try world.lastLink()
        #expect(first != second)

        let error = await #expect(throws: ServiceError.self) {
            _ = try await world.service.confirmEmail(linkOrToken: first, channel: .web, now: world.now)
        }
        #expect(error?.message.contains("Lien expiré ou déjà utilisé") == true, "\(String(describing: error?.message))")
        #expect(error?.exitCode == 65)
        let account = try #require(try await world.store.accountContext(nir: Fixtures.nir(AccountWorld.nir))?.account)
        #expect(account.email == "seconde@exemple.fr" && !account.emailConfirmed)
        let audits = try await world.store.auditEvents(limit: 100)
        #expect(audits.contains { $0.kind == "email_confirmation" && $0.outcome == "superseded_token" })

        _ = try await world.service.confirmEmail(linkOrToken: second, channel: .web, now: world.now)
        #expect(try await world.store.accountContext(nir: Fixtures.nir(AccountWorld.nir))?.account?.emailConfirmed == true)
    }

    @Test func askingForSomeoneElsesPaymentIsAudited() async throws {
        let world = try await AccountWorld()
        try await world.openAccount()
        _ = try await world.store.importFile(ImportLedgerEntry(sha256: "p", fileName: "p", importedAt: "x")) { session in
            _ = try await session.insert(
                Fixtures.consultation(
                    reference: "591-OTHER-1", nir: "1480599999356", careDate: "2026-10-03", paidOn: "2026-10-07"))
        }
        let session = try await world.service.login(
            nir: AccountWorld.nir, code: AccountWorld.goodCode, channel: .cli, now: world.now)
        let user = try await world.service.authenticate(token: session.token, now: world.now)
        let payments = PaymentsService(store: world.store)
        try await payments.auditForeignReference("591-OTHER-1", user: user, channel: "web", now: world.now)
        try await payments.auditForeignReference("591-NOBODY-1", user: user, channel: "web", now: world.now)
        let audits = try await world.store.auditEvents(limit: 100).filter { $0.kind == "authz_fail" }
        #expect(audits.count == 1)
        #expect(audits.first?.detail == "591-OTHER-1")
        #expect(audits.first?.subject == Fixtures.nir(AccountWorld.nir).masked)
    }
}
