import Foundation
import ReleveDomain
import ReleveTestSupport
import Testing

@testable import ReleveStore

@Suite("Store: import sessions")
struct ImportSessionTests {
    func entry(_ sha: String) -> ImportLedgerEntry {
        ImportLedgerEntry(sha256: sha, fileName: "\(sha).jsonl", importedAt: "2026-11-28T00:00:00Z")
    }

    @Test("a payment is inserted once; the same content again is already present; other content is a conflict")
    func idempotence() async throws {
        let store = try await SQLiteStore.inMemory()
        let (outcomes, counts) = try await store.importFile(entry("1")) { session in
            _ = try await session.upsert(Fixtures.person())
            return [
                try await session.insert(Fixtures.consultation()),
                try await session.insert(Fixtures.consultation()),
                try await session.insert(Fixtures.consultation(base: 2650)),
            ]
        }
        #expect(outcomes == [.inserted(lines: 2), .alreadyPresent, .conflict])
        #expect(counts.paymentsInserted == 1)
        #expect(counts.linesInserted == 2)
        let stats = try await store.statistics()
        #expect(stats.payments == 1)
        #expect(stats.paymentLines == 2)
    }

    @Test("a payment for an unknown assuré or beneficiary is not written")
    func unknowns() async throws {
        let store = try await SQLiteStore.inMemory()
        let (outcomes, _) = try await store.importFile(entry("1")) { session in
            _ = try await session.upsert(Fixtures.person())
            let stranger = Fixtures.consultation(reference: "X1", nir: "285032A004117")
            var line = Fixtures.consultation(reference: "X2").lines[0]
            line.beneficiaryRank = 7
            let unknownRank = try Payment(
                reference: "X2", nir: Fixtures.nir("1701275112034"), date: Fixtures.date("2026-10-06"), payee: .insured,
                kind: .care, lines: [line])
            return [try await session.insert(stranger), try await session.insert(unknownRank)]
        }
        #expect(outcomes == [.unknownPerson, .unknownBeneficiary(rank: 7)])
        #expect(try await store.statistics().payments == 0)
    }

    @Test("a throwing import writes nothing, not even its ledger row")
    func allOrNothing() async throws {
        struct Boom: Error {}
        let store = try await SQLiteStore.inMemory()
        await #expect(throws: Boom.self) {
            _ = try await store.importFile(entry("1")) { session in
                _ = try await session.upsert(Fixtures.person())
                _ = try await session.insert(Fixtures.consultation())
                throw Boom()
            }
        }
        #expect(
            try await store.statistics()
                == StoreStatistics(persons: 0, beneficiaries: 0, payments: 0, paymentLines: 0, importedFiles: 0))
    }

    @Test("an assuré record updates the registry; the same record again changes nothing")
    func personUpsert() async throws {
        let store = try await SQLiteStore.inMemory()
        let (outcomes, _) = try await store.importFile(entry("1")) { session in
            [
                try await session.upsert(Fixtures.person()), try await session.upsert(Fixtures.person()),
                try await session.upsert(Fixtures.person(lastName: "Martin-Durand")),
            ]
        }
        #expect(outcomes == [.inserted, .unchanged, .updated])
        let stored = try #require(try await store.person(nir: Fixtures.nir("1701275112034")))
        #expect(stored.person.lastName == "Martin-Durand")
        #expect(stored.person.beneficiaries.count == 2)
        #expect(stored.person == Fixtures.person(lastName: "Martin-Durand"))
    }

    @Test("payments read back equal what was written, newest first, within the range")
    func readBack() async throws {
        let store = try await SQLiteStore.inMemory()
        let early = Fixtures.consultation(reference: "A", careDate: "2026-03-02", paidOn: "2026-03-05")
        let late = Fixtures.consultation(reference: "B", careDate: "2026-10-02", paidOn: "2026-10-06")
        _ = try await store.importFile(entry("1")) { session in
            _ = try await session.upsert(Fixtures.person())
            _ = try await session.insert(early)
            _ = try await session.insert(late)
        }
        let nir = Fixtures.nir("1701275112034")
        let all = try await store.payments(of: nir, from: Fixtures.date("2026-01-01"), to: Fixtures.date("2026-12-31"))
        #expect(all.map(\.payment) == [late, early])
        let spring = try await store.payments(of: nir, from: Fixtures.date("2026-03-01"), to: Fixtures.date("2026-03-31"))
        #expect(spring.map(\.payment) == [early])
        #expect(
            try await store.payments(
                of: Fixtures.nir("285032A004117"), from: Fixtures.date("2026-01-01"), to: Fixtures.date("2026-12-31")
            ).isEmpty)
    }
}
