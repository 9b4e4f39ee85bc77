import Foundation
import ReleveDomain
import ReleveStore
import ReleveTestSupport
import Testing

@testable import ReleveStorePostgres

/// The import on a real PostgreSQL server: outcomes as on SQLite, lines through COPY into their
/// month's partition, nothing visible before the commit, nothing left by a failure.
@Suite(
    "PostgreSQL store: import",
    .enabled(if: PostgresTestServer.url != nil, "no PostgreSQL cluster: Tests/postgres/grappe.sh demarrer"))
struct PostgresImportTests {
    static func entry(_ sha: String) -> ImportLedgerEntry {
        ImportLedgerEntry(sha256: sha, fileName: "\(sha).jsonl", importedAt: "2026-11-30T00:00:00Z")
    }

    @Test("persons and payments: each outcome, lines in their partitions, payments read back whole")
    func outcomes() async throws {
        let (url, drop) = try PostgresTestServer.database()
        defer { drop() }
        let store = try await PostgresStore.open(url: url)
        defer { store.close() }
        let jean = Fixtures.person()
        let october = Fixtures.consultation(reference: "751-A", careDate: "2026-10-02", paidOn: "2026-10-06")
        let september = Fixtures.consultation(reference: "751-B", careDate: "2026-09-02", paidOn: "2026-09-08")
        let (outcomes, counts) = try await store.importFile(Self.entry("f1")) { session in
            try await session.write([.person(jean), .payment(october), .payment(september)])
        }
        #expect(outcomes == [.person(.inserted), .payment(.inserted(lines: 2)), .payment(.inserted(lines: 2))])
        #expect(counts.personsInserted == 1 && counts.paymentsInserted == 2 && counts.linesInserted == 4)
        #expect(try await PostgresTestServer.psql(url, "SELECT count(*) FROM payment_line_2026_10") == "2")
        #expect(try await PostgresTestServer.psql(url, "SELECT count(*) FROM payment_line_2026_09") == "2")
        #expect(try await store.importedFile(sha256: "f1")?.fileName == "f1.jsonl")
        let read = try await store.payments(of: jean.nir, from: Fixtures.date("2026-09-01"), to: Fixtures.date("2026-10-31"))
        #expect(read.map(\.payment) == [october, september])
        #expect(
            try await store.payments(of: jean.nir, from: Fixtures.date("2026-10-01"), to: Fixtures.date("2026-10-31"))
                .map(\.payment.reference) == ["751-A"])
        let changed = Fixtures.consultation(reference: "751-A", careDate: "2026-10-02", paidOn: "2026-10-06", base: 2500)
        var moving = jean
        moving.address = try PostalAddress(lines: ["1 rue Neuve"], postalCode: "75011", city: "Paris")
        let moved = moving
        let stranger = Fixtures.consultation(reference: "751-C", nir: "2850375112036")
        let (second, _) = try await store.importFile(Self.entry("f2")) { session in
            try await session.write([
                .person(jean), .payment(october), .payment(changed), .payment(stranger), .person(moved),
            ])
        }
        #expect(
            second == [
                .person(.unchanged), .payment(.alreadyPresent), .payment(.conflict), .payment(.unknownPerson),
                .person(.updated),
            ])
        #expect(try await store.person(nir: jean.nir)?.person.address.postalCode == "75011")
        #expect(try await store.paymentOwner(reference: "751-A") == InsuredPerson.ID(1))
        #expect(try await store.lastPaymentID() == Payment.ID(2))
    }

    @Test("a failed import leaves nothing; until it commits, other connections see none of it")
    func allOrNothing() async throws {
        let (url, drop) = try PostgresTestServer.database()
        defer { drop() }
        let store = try await PostgresStore.open(url: url)
        defer { store.close() }
        struct Stop: Error {}
        await #expect(throws: Stop.self) {
            _ = try await store.importFile(Self.entry("f1")) { session in
                _ = try await session.write([.person(Fixtures.person()), .payment(Fixtures.consultation())])
                // Written, not committed: another connection of the pool sees nothing.
                #expect(try await store.person(nir: Fixtures.person().nir) == nil)
                #expect(try await store.importedFile(sha256: "f1") == nil)
                throw Stop()
            }
        }
        for table in ["person", "payment", "payment_line", "import_ledger", "beneficiary"] {
            #expect(try await PostgresTestServer.psql(url, "SELECT count(*) FROM \(table)") == "0", "\(table)")
        }
        // A beneficiary the registry does not know is refused line by line.
        let line = Fixtures.consultation().lines[0]
        let unknownChild = try Payment(
            reference: "751-D", nir: Fixtures.person().nir, date: Fixtures.date("2026-10-06"), payee: .insured, kind: .care,
            lines: [
                PaymentLine(
                    careDate: line.careDate, beneficiaryRank: 7, kind: line.kind, actCode: line.actCode, label: line.label,
                    professional: nil, quantity: 1, paid: line.paid, base: line.base, rate: line.rate,
                    reimbursed: line.reimbursed, transmittedToComplementaire: false)
            ])
        let (outcomes, _) = try await store.importFile(Self.entry("f2")) { session in
            try await session.write([.person(Fixtures.person()), .payment(unknownChild)])
        }
        #expect(outcomes == [.person(.inserted), .payment(.unknownBeneficiary(rank: 7))])
    }
}
