import Foundation
import ReleveDomain
import ReleveStore
import ReleveTestSupport
import Testing

@testable import ReleveService

/// Given a store holding a valid feed, when a bad file is imported, then it is refused with
/// file:line and a French reason, and the database is unchanged.
@Suite("Feed import")
struct FeedImporterTests {
    let now = Date(timeIntervalSince1970: 1_795_000_000)

    var personLine: String { FeedWriter.json(Fixtures.person()) }
    var paymentLine: String { FeedWriter.json(Fixtures.consultation()) }

    func freshStore() async throws -> SQLiteStore {
        try await SQLiteStore.inMemory()
    }

    /// Imports `bytes` into a store that already holds the assuré of the fixtures, and checks
    /// that it is refused, names `line`, says `reason`, and changes nothing.
    func expectRejected(
        _ bytes: [UInt8], named name: String, line: Int, reason: String, sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let directory = Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try await freshStore()
        let base = Fixtures.write(personLine, named: "base.jsonl", in: directory)
        _ = try await FeedImporter(store: store).importFile(at: base, now: now)
        let before = try await store.contentDigest()
        let path = Fixtures.write(bytes, named: name, in: directory)
        do {
            _ = try await FeedImporter(store: store).importFile(at: path, now: now)
            Issue.record("\(name) was accepted", sourceLocation: sourceLocation)
        } catch let error as ServiceError {
            guard case .rejectedFile(_, let issues, let total) = error else {
                Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
                return
            }
            #expect(total >= 1, sourceLocation: sourceLocation)
            let first = try #require(issues.first, sourceLocation: sourceLocation)
            #expect(first.file == name, sourceLocation: sourceLocation)
            #expect(first.line == line, "\(first)", sourceLocation: sourceLocation)
            #expect(first.message.contains(reason), "\(first)", sourceLocation: sourceLocation)
            #expect(error.exitCode == 65, sourceLocation: sourceLocation)
            #expect(error.message.contains("\(name):\(line):"), sourceLocation: sourceLocation)
        }
        #expect(try await store.contentDigest() == before, "the database changed", sourceLocation: sourceLocation)
    }

    func expectRejected(
        _ text: String, named name: String = "flux.jsonl", line: Int, reason: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        try await expectRejected(Array(text.utf8), named: name, line: line, reason: reason, sourceLocation: sourceLocation)
    }

    // MARK: JSON Lines

    @Test("a valid JSON Lines feed imports assurés and payments")
    func validJSON() async throws {
        let directory = Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try await freshStore()
        let path = Fixtures.write(personLine + paymentLine, named: "flux.jsonl", in: directory)
        let report = try await FeedImporter(store: store).importFile(at: path, now: now)
        guard case .imported(let counts) = report.outcome else {
            Issue.record("not imported")
            return
        }
        #expect(counts.personsInserted == 1)
        #expect(counts.paymentsInserted == 1)
        #expect(counts.linesInserted == 2)
        #expect(report.records == 2)
        let payments = try await store.payments(
            of: Fixtures.nir("1701275112034"), from: Fixtures.date("2026-01-01"), to: Fixtures.date("2026-12-31"))
        #expect(payments.map(\.payment) == [Fixtures.consultation()])
    }

    @Test("a missing field")
    func missingField() async throws {
        try await expectRejected(
            paymentLine.replacingOccurrences(of: "\"date\":\"2026-10-06\",", with: ""), line: 1, reason: "champ « date » manquant"
        )
    }

    @Test("an extra field")
    func extraField() async throws {
        try await expectRejected(
            paymentLine.replacingOccurrences(of: "{\"type\":\"paiement\",", with: "{\"type\":\"paiement\",\"remise\":1,"),
            line: 1, reason: "remise : champ inconnu")
    }

    @Test("a wrong type")
    func wrongType() async throws {
        try await expectRejected(
            paymentLine.replacingOccurrences(of: "\"base\":3000", with: "\"base\":\"30,00\""), line: 1,
            reason: "type incorrect (nombre entier attendu)")
        try await expectRejected(
            personLine.replacingOccurrences(of: "\"ald\":false", with: "\"ald\":\"non\""), line: 1,
            reason: "champ « ald » : type incorrect")
    }

    @Test("an impossible date (31/02)")
    func impossibleDate() async throws {
        try await expectRejected(
            "\n" + paymentLine.replacingOccurrences(of: "2026-10-02", with: "2026-02-31"), line: 2,
            reason: "date_soins : le 31/02/2026 n'existe pas")
    }

    @Test("a negative base")
    func negativeBase() async throws {
        let text = paymentLine.replacingOccurrences(
            of: "\"montant_paye\":3000,\"base\":3000", with: "\"montant_paye\":3000,\"base\":-3000")
        try await expectRejected(text, line: 1, reason: "ne peut pas être négative")
    }

    @Test("a rate above 100 %")
    func rateAbove100() async throws {
        try await expectRejected(
            paymentLine.replacingOccurrences(of: "\"taux_pb\":7000", with: "\"taux_pb\":12000"), line: 1,
            reason: "compris entre 0 et 100 %")
    }

    @Test("reimbursed ≠ base × rate")
    func reimbursedMismatch() async throws {
        try await expectRejected(
            paymentLine.replacingOccurrences(of: "\"rembourse\":2100", with: "\"rembourse\":2000"), line: 1,
            reason: "au lieu de base × taux")
    }

    @Test("a payment for an unknown assuré")
    func unknownAssure() async throws {
        try await expectRejected(
            paymentLine.replacingOccurrences(of: "1701275112034", with: "285032A004117"), line: 1, reason: "assuré inconnu")
    }

    @Test("a duplicate reference with different content, in the same file or a later one")
    func conflict() async throws {
        let other = paymentLine.replacingOccurrences(of: "\"montant_paye\":3000", with: "\"montant_paye\":3500")
        try await expectRejected(paymentLine + other, line: 2, reason: "existe déjà avec un autre contenu")
        // A later file: the first import succeeded; the second is refused and changes nothing.
        let directory = Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try await freshStore()
        _ = try await FeedImporter(store: store).importFile(
            at: Fixtures.write(personLine + paymentLine, named: "a.jsonl", in: directory), now: now)
        let before = try await store.contentDigest()
        await #expect(throws: ServiceError.self) {
            _ = try await FeedImporter(store: store).importFile(
                at: Fixtures.write(other, named: "b.jsonl", in: directory), now: now)
        }
        #expect(try await store.contentDigest() == before)
    }

    @Test("invalid UTF-8")
    func invalidUTF8() async throws {
        var bytes = Array(paymentLine.utf8)
        let index = bytes.firstIndex(of: UInt8(ascii: "C"))!
        bytes[index] = 0xFF
        try await expectRejected(bytes, named: "flux.jsonl", line: 1, reason: "octets UTF-8 invalides")
    }

    @Test("a truncated last line")
    func truncated() async throws {
        let text = paymentLine + String(paymentLine.dropLast(40))
        try await expectRejected(text, line: 2, reason: "dernière ligne incomplète")
    }

    @Test("an empty file, or one with only blank lines")
    func empty() async throws {
        try await expectRejected("", line: 1, reason: "fichier vide")
        try await expectRejected("\n\n  \n", line: 3, reason: "fichier vide")
    }

    @Test("not JSON, an unknown record type, a bad NIR")
    func garbage() async throws {
        try await expectRejected("bonjour\n", line: 1, reason: "JSON invalide")
        try await expectRejected("{\"type\":\"facture\"}\n", line: 1, reason: "type : « facture » inconnu")
        try await expectRejected(
            personLine.replacingOccurrences(of: "1701275112034", with: "1701375112034"), line: 1,
            reason: "NIR : le mois de naissance")
    }

    @Test("every error is counted; the first ones are detailed")
    func manyErrors() async throws {
        let bad = paymentLine.replacingOccurrences(of: "\"rembourse\":2100", with: "\"rembourse\":1")
        let directory = Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try await freshStore()
        var importer = FeedImporter(store: store)
        importer.maxReportedIssues = 5
        let path = Fixtures.write(personLine + String(repeating: bad, count: 120), named: "x.jsonl", in: directory)
        do {
            _ = try await importer.importFile(at: path, now: now)
            Issue.record("accepted")
        } catch ServiceError.rejectedFile(_, let issues, let total) {
            #expect(total == 120)
            #expect(issues.count == 5)
            #expect(issues.map(\.line) == [2, 3, 4, 5, 6])
        }
        #expect(try await store.statistics().persons == 0)
    }

    // MARK: Tolerated

    @Test("a UTF-8 BOM, CRLF line ends and trailing blank lines are tolerated")
    func tolerated() async throws {
        let directory = Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let clean = try await freshStore()
        _ = try await FeedImporter(store: clean).importFile(
            at: Fixtures.write(personLine + paymentLine, named: "a.jsonl", in: directory), now: now)
        let messy = try await freshStore()
        let text = (personLine + paymentLine).replacingOccurrences(of: "\n", with: "\r\n") + "\r\n\n  \n"
        let report = try await FeedImporter(store: messy).importFile(
            at: Fixtures.write([0xEF, 0xBB, 0xBF] + Array(text.utf8), named: "b.jsonl", in: directory), now: now)
        #expect(report.records == 2)
        #expect(try await messy.statistics().paymentLines == 2)
        #expect(
            try await messy.payments(
                of: Fixtures.nir("1701275112034"), from: Fixtures.date("2026-01-01"), to: Fixtures.date("2026-12-31")
            ).map(\.payment)
                == clean.payments(
                    of: Fixtures.nir("1701275112034"), from: Fixtures.date("2026-01-01"), to: Fixtures.date("2026-12-31")
                ).map(\.payment))
    }

    // MARK: Idempotence

    @Test("importing the same file twice leaves the same database content")
    func sameFileTwice() async throws {
        let directory = Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        _ = try Fixtures.sampleFeed(persons: 30, in: directory)
        let path = directory.appendingPathComponent("feed.jsonl").path
        let store = try await freshStore()
        let first = try await FeedImporter(store: store).importFile(at: path, now: now)
        let digest = try await store.contentDigest()
        let second = try await FeedImporter(store: store).importFile(at: path, now: now.addingTimeInterval(3600))
        guard case .imported = first.outcome, case .alreadyImported(let entry) = second.outcome else {
            Issue.record("unexpected outcomes")
            return
        }
        #expect(entry.fileName == "feed.jsonl")
        #expect(try await store.contentDigest() == digest)
    }

    @Test("the CSV and JSON Lines forms of the same feed give the same payments; the second adds nothing")
    func csvMatchesJSON() async throws {
        let directory = Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let json = try Fixtures.sampleFeed(persons: 25, in: directory)
        let csv = try Fixtures.sampleFeed(persons: 25, format: .csv, in: directory)
        #expect(csv.lines == json.lines)
        let viaJSON = try await freshStore()
        _ = try await FeedImporter(store: viaJSON).importFile(at: directory.appendingPathComponent("feed.jsonl").path, now: now)
        let viaCSV = try await freshStore()
        for file in csv.files { _ = try await FeedImporter(store: viaCSV).importFile(at: file, now: now) }
        #expect(try await viaCSV.statistics().paymentLines == json.lines)
        for index in 0..<25 {
            let nir = SampleGenerator(seed: 7, months: 12, lastMonth: try Month(parsing: "2026-10")).assure(index: index).0.nir
            let range = (Fixtures.date("2020-01-01"), Fixtures.date("2030-01-01"))
            #expect(
                try await viaCSV.payments(of: nir, from: range.0, to: range.1)
                    == viaJSON.payments(of: nir, from: range.0, to: range.1))
        }
        // The CSV after the JSON: every payment is already there with the same content.
        let report = try await FeedImporter(store: viaJSON).importFile(at: csv.files[1], now: now)
        guard case .imported(let counts) = report.outcome else {
            Issue.record("not imported")
            return
        }
        #expect(counts.paymentsInserted == 0)
        #expect(counts.paymentsAlreadyPresent == json.payments)
    }

    @Test("unreadable inputs: missing file, a directory")
    func unreadable() async throws {
        let store = try await freshStore()
        await #expect {
            _ = try await FeedImporter(store: store).importFile(at: "/nonexistent/flux.jsonl", now: now)
        } throws: { ($0 as? ServiceError)?.exitCode == 66 }
        await #expect {
            _ = try await FeedImporter(store: store).importFile(at: "/tmp", now: now)
        } throws: { ($0 as? ServiceError)?.exitCode == 66 }
    }
}
