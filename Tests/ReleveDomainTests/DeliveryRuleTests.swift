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
        #expect(mode(person, [], october).byPost)
        let open = [DeliveryRule.OpenPeriod(from: Fixtures.date("2026-01-10"), until: nil)]
        #expect(mode(person, open, october) == .online)
    }

    @Test("a complémentaire without NOEMIE keeps paper coming, online as well")
    func noemieException() {
        let person = Fixtures.person(noemie: false)
        let open = [DeliveryRule.OpenPeriod(from: Fixtures.date("2026-01-10"), until: nil)]
        let mode = mode(person, open, october)
        #expect(mode.byPost && mode.online)
        guard case .onlineAndPost(let reason) = mode else {
            Issue.record("\(mode)")
            return
        }
        #expect(reason.contains("NOEMIE") && reason.contains("Mutuelle des Services Publics"))
    }

    func mode(_ person: InsuredPerson, _ periods: [DeliveryRule.OpenPeriod], _ month: Month) -> DeliveryRule.Mode {
        DeliveryRule.mode(for: person, accountPeriods: periods, month: month, issuedOn: month.lastDay.adding(days: 3))
    }

    @Test("an opening takes effect with the next month's statement; a cancellation with the statement being issued")
    func midMonth() {
        let person = Fixtures.person()
        let december = try! Month(parsing: "2026-12")
        // Cancelled on 15 October: October's statement (issued in November) comes by post.
        let cancelled = [DeliveryRule.OpenPeriod(from: Fixtures.date("2026-01-10"), until: Fixtures.date("2026-10-15"))]
        #expect(mode(person, cancelled, october).byPost)
        #expect(mode(person, cancelled, try! Month(parsing: "2026-09")) == .online)
        // Cancelled on 2 November, before October's statement is issued (3 November): by post.
        let justBefore = [DeliveryRule.OpenPeriod(from: Fixtures.date("2026-01-10"), until: Fixtures.date("2026-11-02"))]
        #expect(mode(person, justBefore, october).byPost)
        // Opened on 15 October: October by post, November online.
        let opened = [DeliveryRule.OpenPeriod(from: Fixtures.date("2026-10-15"), until: nil)]
        #expect(mode(person, opened, october).byPost)
        #expect(mode(person, opened, november) == .online)
        guard case .post(let reason) = mode(person, opened, october) else { return }
        #expect(reason.contains("ouvert le 15 octobre 2026") && reason.contains("novembre 2026"))
        // Reopened on 20 November: November still by post, December online.
        let reopened = cancelled + [DeliveryRule.OpenPeriod(from: Fixtures.date("2026-11-20"), until: nil)]
        #expect(mode(person, reopened, november).byPost)
        #expect(mode(person, reopened, december) == .online)
    }
}

@Suite("Window envelope address")
struct WindowAddressTests {
    @Test("a long line is wrapped between words, never cut")
    func wraps() throws {
        let name = "Mme Amélie-Bérengère DUPONT-LEFÈVRE DE LA TOUR D'AUVERGNE"  // 57 characters
        let (lines, abridged) = try WindowAddress.fit("\(name)\n12 rue de la Paix\n75002 PARIS")
        #expect(abridged == nil)
        #expect(lines.count == 4)
        #expect(lines.allSatisfy { $0.count <= 38 })
        #expect(lines.prefix(2).joined(separator: " ") == name)
    }

    @Test("too many lines: first names are abridged, and it is said; the surname and address are kept whole")
    func abridges() throws {
        let block = """
            Mme Marie-Thérèse Éléonore Françoise D'ARGENSON-LA ROCHEFOUCAULD DE SAINT-EXUPÉRY-MONTMORENCY
            Appartement 12, escalier B
            145 avenue du Maréchal de Lattre de Tassigny
            69003 LYON
            """
        let (lines, abridged) = try WindowAddress.fit(block)
        #expect(lines.count == 6)
        #expect(lines[0] == "Mme D'ARGENSON-LA ROCHEFOUCAULD DE")
        #expect(lines.joined(separator: " ").contains("145 avenue du Maréchal de Lattre de Tassigny"))
        #expect(abridged?.contains("prénoms omis") == true)
    }

    @Test("an address that cannot fit is refused with the reason")
    func refuses() {
        #expect(throws: DomainError.self) { try WindowAddress.fit("Jean\n" + String(repeating: "x", count: 39)) }
        let seven = (1...7).map { "Ligne \($0)" }.joined(separator: "\n")
        do {
            _ = try WindowAddress.fit(seven)
            Issue.record("accepted 7 lines")
        } catch {
            #expect(error.message.contains("7 lignes"))
        }
    }
}
