import Foundation
import GRDB
import ReleveDomain
import ReleveStore
import ReleveTestSupport
import Testing

@testable import ReleveService

/// Issue 10, class 1 and 2: amounts whose sums or products leave 64 bits. Given such a feed,
/// the importer refuses it with file:line (exit 65) instead of trapping; given such rows
/// already stored (by an older Releve), reading them fails for that assuré only, and issuing a
/// month skips that one statement and issues the others.
@Suite("Amounts that could overflow")
struct AmountBoundsTests {
    let now = Date(timeIntervalSince1970: 1_795_000_000)

    func line(paid: Int64, base: Int64, rate: Int, reimbursed: Int64, kind: String = "acte", code: String = "G") -> String {
        """
        {"date_soins":"2026-10-02","rang_beneficiaire":1,"type":"\(kind)","code":"\(code)","libelle":"Acte",\
        "professionnel":null,"quantite":1,"montant_paye":\(paid),"base":\(base),"taux_pb":\(rate),"rembourse":\(reimbursed),"transmis_complementaire":false}
        """
    }

    func payment(_ lines: [String], reference: String = "751-BIG-1") -> String {
        """
        {"type":"paiement","reference":"\(reference)","nir":"1701275112034","date":"2026-10-06","destinataire":"assure",\
        "destinataire_nom":null,"nature":"soins","lignes":[\(lines.joined(separator: ","))]}
        """
    }

    func expectRefused(_ feed: String, name: String = "flux.jsonl", reason: String) async throws {
        let directory = Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try await SQLiteStore.inMemory()
        let base = Fixtures.write(FeedWriter.json(Fixtures.person()), named: "base.jsonl", in: directory)
        _ = try await FeedImporter(store: store).importFile(at: base, now: now)
        let before = try await store.contentDigest()
        let path = Fixtures.write(feed, named: name, in: directory)
        let error = await #expect(throws: ServiceError.self) {
            _ = try await FeedImporter(store: store).importFile(at: path, now: now)
        }
        guard case .rejectedFile(_, let issues, _) = error else {
            Issue.record("unexpected \(String(describing: error))")
            return
        }
        #expect(error?.exitCode == 65)
        #expect(issues.first?.description.hasPrefix("\(name):") == true)
        #expect(issues.first?.message.contains(reason) == true, "\(issues)")
        #expect(try await store.contentDigest() == before)
    }

    @Test func twoMaximalPaidAmountsAreRefusedNotSummed() async throws {
        let max = Int64.max
        try await expectRefused(
            payment([line(paid: max, base: 0, rate: 0, reimbursed: 0), line(paid: max, base: 0, rate: 0, reimbursed: 0)]),
            reason: "au-delà du maximum")
    }

    @Test func theSmallestDeductionIsRefused() async throws {
        try await expectRefused(
            payment([
                line(paid: 3000, base: 3000, rate: 7000, reimbursed: 2100),
                line(paid: 0, base: 0, rate: 0, reimbursed: Int64.min, kind: "participation_forfaitaire", code: "PF"),
            ]), reason: "au-delà du maximum")
    }

    @Test func aBaseTimesRateThatLeaves64BitsIsRefused() async throws {
        // 10^15 − 1 cents × 10 000 basis points does not fit in Int64: it used to trap.
        try await expectRefused(
            payment([line(paid: 0, base: 999_999_999_999_999, rate: 10_000, reimbursed: 999_999_999_999_999)]),
            reason: "au-delà du maximum")
        let csv = """
            reference,nir,date_paiement,destinataire,destinataire_nom,nature,date_soins,rang_beneficiaire,type,code,libelle,professionnel,quantite,montant_paye,base,taux_pb,rembourse,transmis_complementaire
            751-CSV-1,1701275112034,2026-10-06,assure,,soins,2026-10-02,1,acte,G,Acte,,1,0,999999999999999,10000,999999999999999,0

            """
        try await expectRefused(csv, name: "flux.csv", reason: "au-delà du maximum")
    }

    @Test func aPaymentWhoseTotalLeavesTheBoundIsRefused() async throws {
        let big = Cents.maximumAmount.rawValue
        try await expectRefused(
            payment([line(paid: big, base: 0, rate: 0, reimbursed: 0), line(paid: big, base: 0, rate: 0, reimbursed: 0)]),
            reason: "par paiement")
    }

    @Test func ratesNeverTrapWhateverTheAmount() {
        #expect(Cents(Int64.max).applying(Rate(percent: 100)) == Cents(Int64.max))
        #expect(Cents(Int64.min + 1).applying(Rate(percent: 50)).rawValue == -(Int64.max / 2) - 1)
        #expect(Cents(5).applying(Rate(percent: 50)) == Cents(3))
        // The bound keeps later sums inside 64 bits: a billion payments at the maximum.
        #expect(!Cents.maximumAmount.rawValue.multipliedReportingOverflow(by: 1_000_000_000).overflow)
    }

    /// Rows stored by an older Releve, before amounts were bounded.
    @Test func storedImpossibleAmountsFailOneAssureOnly() async throws {
        let directory = Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("releve.sqlite").path
        let other = Fixtures.person(nir: "2850375112045", birthDate: "1985-03-01", lastName: "Durand")
        var store = try await SQLiteStore.open(path: path)
        _ = try await store.importFile(ImportLedgerEntry(sha256: "a", fileName: "a", importedAt: "x")) { session in
            _ = try await session.upsert(Fixtures.person())
            _ = try await session.upsert(other)
            _ = try await session.insert(Fixtures.consultation(reference: "751-A-1"))
            _ = try await session.insert(Fixtures.consultation(reference: "751-A-2"))
            _ = try await session.insert(Fixtures.consultation(reference: "751-B-1", nir: "2850375112045"))
        }
        try store.close()
        // As the unbounded importer left them: two lines of Int64.max for Jean Martin.
        let queue = try DatabaseQueue(path: path)
        try await queue.write { db in
            try db.execute(
                sql: """
                    UPDATE payment_line SET reimbursed = 9223372036854775807, paid = 9223372036854775807
                    WHERE kind = 'acte' AND payment_id IN (SELECT id FROM payment WHERE reference LIKE '751-A-%')
                    """)
        }
        try queue.close()
        store = try await SQLiteStore.open(path: path)
        let payments = PaymentsService(store: store)
        let today = Fixtures.date("2026-11-20")
        let thrown = await #expect(throws: (any Error).self) {
            _ = try await payments.report(for: Fixtures.person(), filter: .init(), today: today)
        }
        let error = ServiceError.wrap(try #require(thrown))
        #expect(error.exitCode == 70)
        if case .store(.invalidStoredData) = error {} else { Issue.record("unexpected \(error)") }
        let report = try await payments.report(for: other, filter: .init(), today: today)
        #expect(report.payments.count == 1)

        let archive = directory.appendingPathComponent("archive").path
        let summary = try await StatementService(store: store, archive: archive).issue(
            month: try Month(parsing: "2026-10"), today: today, now: now, workers: 1, thumbnails: false)
        #expect(summary.issued == 1)
        #expect(summary.skipped.count == 1)
        #expect(summary.skipped.first?.reason.contains("maximum") == true, "\(summary.skipped)")
        // A rerun tries the skipped one again, and still issues nothing twice.
        let again = try await StatementService(store: store, archive: archive).issue(
            month: try Month(parsing: "2026-10"), today: today, now: now, workers: 1, thumbnails: false)
        #expect(again.issued == 0)
        #expect(again.skipped.count == 1)
        try store.close()
    }
}
