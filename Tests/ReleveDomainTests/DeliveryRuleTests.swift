import ReleveTestSupport
import Testing

@testable import ReleveDomain

@Suite("Delivery rules")
struct DeliveryRuleTests {
    let october = try! Month(parsing: "2026-10")
    let november = try! Month(parsing: "2026-11")

    @Test("no account: by post; an active account: paperless")
    func basics() {
        let person = Fixtures.person()
        #expect(DeliveryRule.mode(for: person, accountPeriods: [], month: october).byPost)
        let open = [DeliveryRule.OpenPeriod(from: Fixtures.date("2026-01-10"), until: nil)]
        #expect(DeliveryRule.mode(for: person, accountPeriods: open, month: october) == .online)
    }

    @Test("a complémentaire without NOEMIE keeps paper coming, online as well")
    func noemieException() {
        let person = Fixtures.person(noemie: false)
        let open = [DeliveryRule.OpenPeriod(from: Fixtures.date("2026-01-10"), until: nil)]
        let mode = DeliveryRule.mode(for: person, accountPeriods: open, month: october)
        #expect(mode.byPost && mode.online)
        guard case .onlineAndPost(let reason) = mode else {
            Issue.record("\(mode)")
            return
        }
        #expect(reason.contains("NOEMIE") && reason.contains("Mutuelle des Services Publics"))
    }

    @Test("changes in the middle of a month take effect with the next month's statement")
    func midMonth() {
        let person = Fixtures.person()
        let cancelled = [DeliveryRule.OpenPeriod(from: Fixtures.date("2026-01-10"), until: Fixtures.date("2026-10-15"))]
        #expect(DeliveryRule.mode(for: person, accountPeriods: cancelled, month: october) == .online)
        #expect(DeliveryRule.mode(for: person, accountPeriods: cancelled, month: november).byPost)
        let opened = [DeliveryRule.OpenPeriod(from: Fixtures.date("2026-10-15"), until: nil)]
        #expect(DeliveryRule.mode(for: person, accountPeriods: opened, month: october).byPost)
        #expect(DeliveryRule.mode(for: person, accountPeriods: opened, month: november) == .online)
        let reopened = cancelled + [DeliveryRule.OpenPeriod(from: Fixtures.date("2026-11-20"), until: nil)]
        #expect(DeliveryRule.mode(for: person, accountPeriods: reopened, month: november).byPost)
        #expect(DeliveryRule.mode(for: person, accountPeriods: reopened, month: try! Month(parsing: "2026-12")) == .online)
    }
}
