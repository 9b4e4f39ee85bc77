import ReleveTestSupport
import Testing

@testable import ReleveDomain

@Suite("Dates and months")
struct CivilDateTests {
    @Test(
        "impossible dates are refused",
        arguments: ["2026-02-31", "31/02/2026", "2026-13-01", "2025-02-29", "00/01/2026", "2026-04-31"])
    func impossible(text: String) {
        #expect(throws: DomainError.self) { try CivilDate(parsing: text) }
    }

    @Test("both forms parse to the same date; leap days exist in leap years")
    func parsing() throws {
        #expect(try CivilDate(parsing: "03/12/1970") == CivilDate(parsing: "1970-12-03"))
        #expect(try CivilDate(parsing: "2024-02-29").day == 29)
        #expect(try CivilDate(parsing: "2000-02-29").day == 29)
        #expect(throws: DomainError.self) { try CivilDate(parsing: "1900-02-29") }
        #expect(throws: DomainError.self) { try CivilDate(parsing: "２０２６-01-01") }
        #expect(throws: DomainError.self) { try CivilDate(parsing: "2026-1-1") }
    }

    @Test("days since epoch round-trip over a wide range")
    func roundTrip() {
        for days in stride(from: -700_000, through: 2_900_000, by: 997) {
            let date = CivilDate(daysSinceEpoch: days)
            #expect(date.daysSinceEpoch == days)
            #expect((try? CivilDate(year: date.year, month: date.month, day: date.day)) == date)
        }
        #expect(Fixtures.date("1970-01-01").daysSinceEpoch == 0)
        #expect(Fixtures.date("2026-11-28").adding(days: 15) == Fixtures.date("2026-12-13"))
    }

    @Test("display forms")
    func display() {
        let date = Fixtures.date("2017-05-01")
        #expect(date.description == "2017-05-01")
        #expect(date.formatted == "01/05/2017")
        #expect(date.formattedLong == "1er mai 2017")
        #expect(Fixtures.date("2026-11-28").formattedLong == "28 novembre 2026")
    }

    @Test("age in whole years")
    func age() {
        let birth = Fixtures.date("2008-06-15")
        #expect(birth.age(on: Fixtures.date("2026-06-14")) == 17)
        #expect(birth.age(on: Fixtures.date("2026-06-15")) == 18)
    }

    @Test("months")
    func months() throws {
        let month = try Month(parsing: "2026-11")
        #expect(month.formatted == "novembre 2026")
        #expect(month.lastDay == Fixtures.date("2026-11-30"))
        #expect(month.adding(months: 2).description == "2027-01")
        #expect(month.adding(months: -11).description == "2025-12")
        #expect(try Month(parsing: "02/2024").lastDay == Fixtures.date("2024-02-29"))
        #expect(throws: DomainError.self) { try Month(parsing: "2026-13") }
        #expect(throws: DomainError.self) { try Month(parsing: "nov. 2026") }
    }
}
