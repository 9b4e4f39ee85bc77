import Foundation
import ReleveDomain
import ReleveStore
import ReleveTestSupport
import Testing

@testable import ReleveService

/// The committed SampleData is what the generator gives for the parameters in
/// SampleData/README.md, covers every situation of the brief, and follows the tariffs.
@Suite("Sample data")
struct SampleDataTests {
    static let generator = SampleGenerator(seed: 2010, months: 46, lastMonth: try! Month(parsing: "2026-10"))
    static let committed = Fixtures.packageRoot.appendingPathComponent("SampleData/echantillon.jsonl")

    @Test("the committed sample is exactly the generator's output (deterministic)")
    func regenerates() throws {
        let directory = Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("echantillon.jsonl").path
        _ = try SampleFeed(generator: Self.generator).write(persons: SamplePersonas.all.count, to: path, format: .jsonLines)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(contentsOf: Self.committed))
        let size = try FileManager.default.attributesOfItem(atPath: Self.committed.path)[.size] as? Int ?? 0
        #expect(size < 2_000_000)
    }

    @Test("the personas cover every situation of the brief")
    func coverage() {
        let people = (0..<SamplePersonas.all.count).map { Self.generator.assure(index: $0).0 }
        func has(_ predicate: (InsuredPerson) -> Bool) -> Bool { people.contains(where: predicate) }
        #expect(has { if case .mainland("75", _) = $0.nir.birthPlace { true } else { false } })
        #expect(has { $0.nir.birthPlace == .corsica(department: "2A", commune: "004") })
        #expect(has { if case .corsica("2B", _) = $0.nir.birthPlace { true } else { false } })
        #expect(has { if case .overseas = $0.nir.birthPlace { true } else { false } })
        #expect(has { if case .abroad = $0.nir.birthPlace { true } else { false } })
        #expect(has { $0.beneficiaries.count >= 3 })
        #expect(has { $0.doctor == nil })
        #expect(has { $0.longTermCondition })
        #expect(has { $0.beneficiaries.contains { $0.complementaire?.noemieLinkActive == false } })
        #expect(has { !$0.regime.isEligibleForAccount })
        #expect(has { $0.lastName.contains("'") && $0.lastName.count > 40 })
    }

    @Test("27 months or more of payments, ending last month, with every kind of line")
    func period() throws {
        let all = (0..<SamplePersonas.all.count).flatMap { Self.generator.assure(index: $0).1 }
        let months = Set(all.map(\.date.calendarMonth))
        #expect(months.count >= 27)
        #expect(months.max() == (try Month(parsing: "2026-10")))
        let kinds = Set(all.flatMap { $0.lines.map(\.kind) })
        #expect(kinds == Set(PaymentLine.Kind.allCases))
        #expect(all.contains { if case .professional = $0.payee { true } else { false } })
    }

    @Test("every amount follows the tariff in force on the date of care")
    func tariffConsistency() {
        let table = TariffTable.standard
        var checked = 0
        for index in 0..<SamplePersonas.all.count {
            let (person, payments) = Self.generator.assure(index: index)
            for payment in payments {
                for line in payment.lines {
                    let beneficiary = person.beneficiary(rank: line.beneficiaryRank)!
                    let minor = beneficiary.birthDate.age(on: line.careDate) < 18
                    switch line.kind {
                    case .act:
                        #expect(line.reimbursed == line.base.applying(line.rate))
                        let tariff = table.tariff(code: line.actCode, on: line.careDate)!
                        if tariff.base > .zero {
                            #expect(line.base == tariff.base * Int64(line.quantity), "\(line.actCode) on \(line.careDate)")
                        }
                        if person.longTermCondition {
                            #expect(line.rate == Rate(percent: 100))
                        } else if [.consultation, .specialist, .teleconsultation].contains(tariff.nature) && person.doctor == nil
                            && beneficiary.birthDate.age(on: line.careDate) >= 16
                        {
                            #expect(line.rate == Rate(percent: 30))
                        } else {
                            #expect(line.rate == tariff.rate)
                        }
                        #expect(line.transmittedToComplementaire == (beneficiary.complementaire?.noemieLinkActive ?? false))
                    case .flatParticipation:
                        #expect(!minor)
                        let unit = table.flatParticipation(on: line.careDate)!
                        #expect(-line.reimbursed <= unit * 2 && (-line.reimbursed).rawValue % 50 == 0)
                        #expect(-line.reimbursed == unit || -line.reimbursed == unit * 2 || -line.reimbursed < unit)
                    case .franchise, .deferredRecovery:
                        #expect(!minor)
                        #expect(-line.reimbursed <= Cents(euros: 50))
                    }
                    checked += 1
                }
                #expect(payment.totalReimbursed >= .zero)
            }
        }
        #expect(checked > 800)
    }

    @Test("the consultation tariff changes show in the sample: 26,50 € before 22 Dec 2024, 30 € after; PF 2 €")
    func tariffPeriods() {
        let lines = (0..<SamplePersonas.all.count).flatMap { Self.generator.assure(index: $0).1 }.flatMap(\.lines)
        let gp = lines.filter { $0.actCode == "G" }
        #expect(gp.contains { $0.base == Cents(2650) && $0.careDate < Fixtures.date("2024-12-22") })
        #expect(gp.contains { $0.base == Cents(3000) && $0.careDate >= Fixtures.date("2024-12-22") })
        #expect(gp.allSatisfy { $0.careDate < Fixtures.date("2023-11-01") ? $0.base == Cents(2500) : true })
        #expect(gp.contains { $0.base == Cents(2500) })
        let participations = lines.filter { $0.kind == .flatParticipation }
        #expect(participations.contains { $0.reimbursed == Cents(-100) && $0.careDate < Fixtures.date("2024-05-15") })
        #expect(participations.contains { $0.reimbursed == Cents(-200) })
    }

    @Test("the sample imports cleanly")
    func imports() async throws {
        let store = try await SQLiteStore.inMemory()
        let report = try await FeedImporter(store: store).importFile(at: Self.committed.path, now: Date())
        guard case .imported(let counts) = report.outcome else {
            Issue.record("not imported")
            return
        }
        #expect(counts.personsInserted == SamplePersonas.all.count)
        #expect(try await store.integrityProblems().isEmpty)
    }

    @Test("the generator is deterministic and its NIRs are unique")
    func deterministic() {
        let a = SampleGenerator(seed: 99, months: 6, lastMonth: try! Month(parsing: "2026-10"))
        let b = SampleGenerator(seed: 99, months: 6, lastMonth: try! Month(parsing: "2026-10"))
        for index in [0, 8, 500, 12_345] {
            #expect(a.assure(index: index) == b.assure(index: index))
        }
        let nirs = Set((0..<3000).map { a.assure(index: $0).0.nir })
        #expect(nirs.count == 3000)
    }
}
