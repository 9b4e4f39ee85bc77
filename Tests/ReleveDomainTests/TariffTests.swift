import ReleveTestSupport
import Testing

@testable import ReleveDomain

@Suite("Tariffs by effective date")
struct TariffTests {
    let table = TariffTable.standard

    @Test(
        "GP consultation: 25 € from 1 May 2017, 26,50 € from 1 Nov 2023, 30 € from 22 Dec 2024",
        arguments: [
            ("2017-05-01", Int64(2500)), ("2023-10-31", 2500), ("2023-11-01", 2650), ("2024-12-21", 2650), ("2024-12-22", 3000),
            ("2026-10-01", 3000),
        ])
    func consultation(date: String, base: Int64) {
        #expect(table.tariff(code: "G", on: Fixtures.date(date))?.base == Cents(base))
    }

    @Test("participation forfaitaire 1 € then 2 € from 15 May 2024; franchises doubled on 31 Mar 2024")
    func deductions() {
        #expect(table.flatParticipation(on: Fixtures.date("2024-05-14")) == Cents(100))
        #expect(table.flatParticipation(on: Fixtures.date("2024-05-15")) == Cents(200))
        #expect(table.franchise(on: Fixtures.date("2024-03-30")) == Cents(50))
        #expect(table.franchise(on: Fixtures.date("2024-03-31")) == Cents(100))
        #expect(table.flatParticipation(on: Fixtures.date("2004-12-31")) == nil)
    }

    @Test("pharmacy rates: PH4 35 % then 30 % from 2 May 2011")
    func pharmacy() {
        #expect(table.tariff(code: "PH4", on: Fixtures.date("2011-05-01"))?.rate == Rate(percent: 35))
        #expect(table.tariff(code: "PH4", on: Fixtures.date("2011-05-02"))?.rate == Rate(percent: 30))
        #expect(table.tariff(code: "PH2", on: Fixtures.date("2010-03-31")) == nil)
        #expect(table.nature(ofCode: "PH7") == .pharmacy)
    }

    // DOMAIN.md §4.4 worked examples: AMO = base × rate, then the deduction.
    @Test(
        "worked examples",
        arguments: [
            ("2010-06-01", "C", 7000, Int64(1540), Int64(100)), ("2010-06-01", "C", 3000, 660, 100),
            ("2011-06-01", "C", 7000, 1610, 100), ("2017-06-01", "G", 7000, 1750, 100), ("2024-06-01", "G", 7000, 1855, 200),
            ("2024-12-23", "G", 7000, 2100, 200),
        ])
    func workedExamples(date: String, code: String, rate: Int, amo: Int64, participation: Int64) throws {
        let day = Fixtures.date(date)
        let tariff = try #require(table.tariff(code: code, on: day))
        #expect(tariff.base.applying(try Rate(basisPoints: rate)) == Cents(amo))
        #expect(table.flatParticipation(on: day) == Cents(participation))
    }
}
