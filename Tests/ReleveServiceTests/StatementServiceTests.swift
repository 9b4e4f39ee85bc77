import Crypto
import Foundation
import ReleveDomain
import RelevePDF
import ReleveStore
import ReleveTestSupport
import Testing

@testable import ReleveService

/// Issuing statements: once per assuré and month, immutable, late payments in the next one,
/// and PDFs whose text carries every amount.
@Suite("Monthly statements")
struct StatementServiceTests {
    static let hoarau = try! InsuredPerson(
        nir: NIR(parsing: "1600497411005"), lastName: "Hoarau", firstNames: "Jean-Claude",
        birthDate: CivilDate(parsing: "1960-04-21"),
        address: PostalAddress(lines: ["27 rue de Paris"], postalCode: "97400", city: "Saint-Denis"), regime: .general,
        caisse: Caisse(code: "974", name: "CGSS de La Réunion"), doctor: nil, longTermCondition: true,
        beneficiaries: [
            Beneficiary(rank: 1, firstName: "Jean-Claude", birthDate: CivilDate(parsing: "1960-04-21"), complementaire: nil)
        ])

    /// ALD: a specialist consultation at 100 %, 31,50 €, PF 2 € → 29,50 €.
    static let aldPayment = try! Payment(
        reference: "ALD1", nir: NIR(parsing: "1600497411005"), date: Fixtures.date("2026-10-12"), payee: .insured, kind: .care,
        lines: [
            PaymentLine(
                careDate: Fixtures.date("2026-10-08"), beneficiaryRank: 1, kind: .act, actCode: "CS",
                label: "Consultation spécialiste (parcours coordonné)", professional: "Dr Payet", quantity: 1, paid: Cents(3150),
                base: Cents(3150), rate: Rate(percent: 100), reimbursed: Cents(3150), transmittedToComplementaire: false),
            PaymentLine(
                careDate: Fixtures.date("2026-10-08"), beneficiaryRank: 1, kind: .flatParticipation, actCode: "PF",
                label: "Participation forfaitaire", professional: nil, quantity: 1, paid: .zero, base: .zero, rate: .zero,
                reimbursed: Cents(-200), transmittedToComplementaire: false),
        ])

    final class World: @unchecked Sendable {
        let store: SQLiteStore
        let archive = Fixtures.temporaryDirectory()
        var service: StatementService { StatementService(store: store, archive: archive.path) }

        init() async throws {
            store = try await SQLiteStore.inMemory()
            try await importPayments(PaymentsServiceTests.payments + [StatementServiceTests.aldPayment], ledger: "base")
        }

        func importPayments(_ payments: [Payment], ledger: String) async throws {
            _ = try await store.importFile(ImportLedgerEntry(sha256: ledger, fileName: ledger, importedAt: "x")) { session in
                _ = try await session.upsert(Fixtures.person())
                _ = try await session.upsert(StatementServiceTests.hoarau)
                for payment in payments { _ = try await session.insert(payment) }
            }
        }

        func text(_ statement: ArchivedStatement) throws -> String {
            let bytes = Array(try Data(contentsOf: archive.appendingPathComponent(statement.file)))
            return try PDFReader(bytes: bytes).pagesText().joined(separator: "\n").split(whereSeparator: { $0.isWhitespace })
                .joined(separator: " ")
        }

        deinit { try? FileManager.default.removeItem(at: archive) }
    }

    @Test("October: one statement per assuré with payments, with every amount, totals and the late payment")
    func october() async throws {
        let world = try await World()
        // With thumbnails made during the batch (`--vignettes`; by default, on first view).
        let summary = try await world.service.issue(
            month: try Month(parsing: "2026-10"), today: Fixtures.date("2026-11-02"),
            now: Date(timeIntervalSince1970: 1_800_000_000), thumbnails: true)
        #expect(summary.issued == 2)
        let statements = try await world.store.statements(month: try Month(parsing: "2026-10"))
        let jean = try #require(statements.first { $0.personID.rawValue == 1 })
        #expect(jean.payments == 2 && jean.reimbursed == Cents(3555))
        let text = try world.text(jean)
        for expected in [
            "Relevé mensuel de vos remboursements — octobre 2026", "1 70 12 75 112 034 23", "Paiement du 06/10/2026", "19,00 €",
            "Paiement du 20/10/2026", "16,55 €", "paiement tardif", "26,50", "18,55", "-2,00", "35,55 €", "-4,00 €", "Page 1/1",
            "Empreinte SHA-256 : \(jean.fingerprint)", "12 rue de Charenton", "75012 PARIS",
            "Transmis à votre organisme complémentaire",
        ] {
            #expect(text.contains(expected), "missing \(expected)")
        }
        let ald = try #require(statements.first { $0.personID.rawValue == 2 })
        let aldText = try world.text(ald)
        #expect(
            aldText.contains("100 %") && aldText.contains("29,50 €")
                && aldText.contains("envoyez ce relevé à votre complémentaire"))
        // The archive's bytes are those recorded.
        let bytes = try Data(contentsOf: world.archive.appendingPathComponent(jean.file))
        #expect(SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined() == jean.sha256)
        #expect(
            FileManager.default.fileExists(
                atPath: world.archive.appendingPathComponent(jean.file.replacingOccurrences(of: ".pdf", with: ".png")).path))
    }

    @Test("issuing again changes nothing; a late payment goes into the next statement, the old one is never rewritten")
    func immutability() async throws {
        let world = try await World()
        let october = try Month(parsing: "2026-10")
        _ = try await world.service.issue(month: october, today: Fixtures.date("2026-11-02"), now: Date())
        let before = try await world.store.statements(month: october)
        let fileBefore = try Data(contentsOf: world.archive.appendingPathComponent(before[0].file))
        let again = try await world.service.issue(month: october, today: Fixtures.date("2026-11-03"), now: Date())
        #expect(again.issued == 0 && again.alreadyIssued == 2)
        // A payment dated in October arrives after October was issued.
        let late = try Payment(
            reference: "LATE", nir: Fixtures.nir("1701275112034"), date: Fixtures.date("2026-10-28"), payee: .insured,
            kind: .care,
            lines: [PaymentsServiceTests.act("2026-10-27", base: 3000)])
        try await world.importPayments([late], ledger: "late")
        #expect(try await world.service.issue(month: october, today: Fixtures.date("2026-11-04"), now: Date()).issued == 0)
        #expect(try await world.store.statements(month: october) == before)
        #expect(try Data(contentsOf: world.archive.appendingPathComponent(before[0].file)) == fileBefore)
        let november = try Month(parsing: "2026-11")
        _ = try await world.service.issue(month: november, today: Fixtures.date("2026-12-01"), now: Date())
        let jean = try #require(try await world.store.statements(month: november).first { $0.personID.rawValue == 1 })
        #expect(jean.payments == 2)  // P3 of November and the late October one
        let text = try world.text(jean)
        #expect(text.contains("Paiement du 28/10/2026") && text.contains("Paiement du 05/11/2026"))
        #expect(text.contains("Franchise sur médicaments réglés le 10/09/2026"))
    }

    @Test("the chunk's files are synced in one pass: exactly the recorded PDFs, read-only, no partial file left")
    func filesSyncedPerChunk() async throws {
        let world = try await World()
        let october = try Month(parsing: "2026-10")
        _ = try await world.service.issue(month: october, today: Fixtures.date("2026-11-02"), now: Date())
        let recorded = try await world.store.statements(month: october).map(\.file).sorted()
        let folder = world.archive.appendingPathComponent("2026-10")
        let present = try FileManager.default.contentsOfDirectory(atPath: folder.path).map { "2026-10/\($0)" }.sorted()
        #expect(present == recorded)
        for file in recorded {
            let attributes = try FileManager.default.attributesOfItem(atPath: world.archive.appendingPathComponent(file).path)
            #expect((attributes[.posixPermissions] as? Int) == 0o400)
        }
        #expect(throws: ServiceError.self) {
            try FileSystemSync.sync(files: [], directory: world.archive.appendingPathComponent("absent").path)
        }
        try FileSystemSync.sync(files: recorded.map { world.archive.appendingPathComponent($0).path }, directory: folder.path)
    }

    @Test("a month that is not over, or in the future, is refused")
    func notOver() async throws {
        let world = try await World()
        await #expect(throws: ServiceError.self) {
            _ = try await world.service.issue(
                month: try Month(parsing: "2026-11"), today: Fixtures.date("2026-11-30"), now: Date())
        }
        await #expect(throws: ServiceError.self) {
            _ = try await world.service.issue(
                month: try Month(parsing: "2027-03"), today: Fixtures.date("2026-11-30"), now: Date())
        }
    }

    @Test("the same statement renders to the same bytes; rendering is independent of the day it runs")
    func deterministic() async throws {
        let a = try await World()
        let b = try await World()
        _ = try await a.service.issue(month: try Month(parsing: "2026-10"), today: Fixtures.date("2026-11-02"), now: Date())
        _ = try await b.service.issue(
            month: try Month(parsing: "2026-10"), today: Fixtures.date("2027-01-15"), now: Date(timeIntervalSince1970: 0))
        let sa = try await a.store.statements(month: try Month(parsing: "2026-10")).map(\.sha256)
        let sb = try await b.store.statements(month: try Month(parsing: "2026-10")).map(\.sha256)
        #expect(sa == sb && !sa.isEmpty)
    }
}
