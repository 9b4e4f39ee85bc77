import Foundation
import ReleveDomain
import ReleveService
import ReleveTestSupport
import Testing

@Suite("Payments window")
struct PaymentsWindowTests {
    @Test("a start date older than the 27 months on offer is refused with the earliest date allowed")
    func startIsBounded() async throws {
        let world = try await AccountWorld()
        let today = Fixtures.date("2026-11-27")
        let allowed = try await world.services.payments.report(
            for: Fixtures.person(), filter: .init(from: Fixtures.date("2024-09-01")), today: today)
        #expect(allowed.from == Fixtures.date("2024-09-01"))
        await expectError({ error in
            if case .invalidValue = error { error.message.contains("pas avant le 1er septembre 2024") } else { false }
        }) {
            _ = try await world.services.payments.report(
                for: Fixtures.person(), filter: .init(from: Fixtures.date("2024-08-31")), today: today)
        }
    }

    @Test("payments read with the session make the report a separate read makes, for that window and assuré only")
    func readWithSession() async throws {
        let world = try await AccountWorld()
        _ = try await world.store.importFile(ImportLedgerEntry(sha256: "p", fileName: "p.jsonl", importedAt: "x")) {
            session in
            _ = try await session.insert(Fixtures.consultation(reference: "751-C-1"))
            _ = try await session.insert(
                Fixtures.consultation(reference: "751-C-2", careDate: "2026-11-02", paidOn: "2026-11-05"))
        }
        _ = try await world.openAccount()
        let session = try await world.service.login(
            nir: AccountWorld.nir, code: AccountWorld.goodCode, channel: .web, now: world.now)
        let today = Fixtures.date("2026-11-27")
        let payments = world.services.payments
        let window = try #require(payments.prefetchWindow(.init(), today: today))
        let user = try await world.service.authenticate(token: session.token, now: world.now, paymentsIn: window)
        #expect(user.payments?.window == window)
        #expect(user.payments?.payments.map(\.payment.reference) == ["751-C-2", "751-C-1"])
        let together = try await payments.report(for: user.person.person, filter: .init(), today: today, read: user.payments)
        let apart = try await payments.report(for: user.person.person, filter: .init(), today: today)
        #expect(together.payments == apart.payments)
        // The report is made from that read, not a second one: a payment imported since is not
        // in it (one state of the base per page), and is in a report read apart.
        _ = try await world.store.importFile(ImportLedgerEntry(sha256: "q", fileName: "q.jsonl", importedAt: "y")) {
            session in
            _ = try await session.insert(
                Fixtures.consultation(reference: "751-C-3", careDate: "2026-11-10", paidOn: "2026-11-12"))
        }
        let reused = try await payments.report(for: user.person.person, filter: .init(), today: today, read: user.payments)
        #expect(reused.payments.map(\.reference) == ["751-C-2", "751-C-1"])
        let fresh = try await payments.report(for: user.person.person, filter: .init(), today: today)
        #expect(fresh.payments.map(\.reference) == ["751-C-3", "751-C-2", "751-C-1"])
        // Another window reads again: October's payment is not in November.
        let november = try await payments.report(
            for: user.person.person, filter: .init(months: 1), today: today, read: user.payments)
        #expect(november.payments.map(\.reference) == ["751-C-3", "751-C-2"])
        // Nor is another assuré's read used for Jean.
        let other = Fixtures.person(nir: "2850375111042", birthDate: "1985-03-01", lastName: "Autre")
        #expect(try await payments.report(for: other, filter: .init(), today: today, read: user.payments).payments.isEmpty)
        // With a read replica, the session is read on the primary and the payments apart.
        #expect(PaymentsService(store: world.store, reader: world.store).prefetchWindow(.init(), today: today) == nil)
        #expect(payments.prefetchWindow(.init(months: 0), today: today) == nil)
    }
}
