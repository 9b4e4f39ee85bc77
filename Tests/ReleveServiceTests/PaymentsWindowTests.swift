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
}
