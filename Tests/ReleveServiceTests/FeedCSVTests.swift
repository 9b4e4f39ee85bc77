import Foundation
import ReleveDomain
import ReleveStore
import ReleveTestSupport
import Testing

@testable import ReleveService

@Suite("Feed import: CSV")
struct FeedCSVTests {
    let now = Date(timeIntervalSince1970: 1_795_000_000)
    var rows: String { FeedWriter.csvRows(Fixtures.consultation()) }
    var header: String { PaymentCSV.header + "\n" }

    func expectRejected(_ text: String, line: Int, reason: String, sourceLocation: SourceLocation = #_sourceLocation) async throws
    {
        let directory = Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try await SQLiteStore.inMemory()
        _ = try await FeedImporter(store: store).importFile(
            at: Fixtures.write(FeedWriter.json(Fixtures.person()), named: "assures.jsonl", in: directory), now: now)
        let before = try await store.contentDigest()
        do {
            _ = try await FeedImporter(store: store).importFile(at: Fixtures.write(text, named: "p.csv", in: directory), now: now)
            Issue.record("accepted", sourceLocation: sourceLocation)
        } catch ServiceError.rejectedFile(_, let issues, _) {
            let first = try #require(issues.first, sourceLocation: sourceLocation)
            #expect(first.line == line, "\(first)", sourceLocation: sourceLocation)
            #expect(first.message.contains(reason), "\(first)", sourceLocation: sourceLocation)
        }
        #expect(try await store.contentDigest() == before, sourceLocation: sourceLocation)
    }

    @Test("a valid CSV imports, rows of one payment grouped")
    func valid() async throws {
        let directory = Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try await SQLiteStore.inMemory()
        _ = try await FeedImporter(store: store).importFile(
            at: Fixtures.write(FeedWriter.json(Fixtures.person()), named: "assures.jsonl", in: directory), now: now)
        _ = try await FeedImporter(store: store).importFile(
            at: Fixtures.write(header + rows, named: "p.csv", in: directory), now: now)
        let payments = try await store.payments(
            of: Fixtures.nir("1701275112034"), from: Fixtures.date("2026-01-01"), to: Fixtures.date("2026-12-31"))
        #expect(payments.map(\.payment) == [Fixtures.consultation()])
    }

    @Test("a missing or an extra column in the header")
    func header() async throws {
        try await expectRejected(
            header.replacingOccurrences(of: ",taux_pb", with: "") + rows, line: 1, reason: "colonnes manquantes : taux_pb")
        try await expectRejected(
            header.replacingOccurrences(of: "\n", with: ",remarque\n") + rows, line: 1, reason: "colonnes en trop : remarque")
    }

    @Test("a row with a missing or an extra column")
    func columnCount() async throws {
        let firstRow = rows.split(separator: "\n")[0]
        try await expectRejected(header + firstRow.dropLast(2) + "\n", line: 2, reason: "18 colonnes attendues, 17 trouvées")
        try await expectRejected(header + firstRow + ",x\n", line: 2, reason: "18 colonnes attendues, 19 trouvées")
    }

    @Test("wrong types: decimal amounts, booleans, dates")
    func types() async throws {
        try await expectRejected(
            header + rows.replacingOccurrences(of: ",3000,3000,", with: ",\"30,00\",3000,"), line: 2, reason: "montant_paye")
        try await expectRejected(
            header + rows.replacingOccurrences(of: ",2100,1\n", with: ",2100,oui\n"), line: 2, reason: "0 ou 1 attendu")
        try await expectRejected(
            header + rows.replacingOccurrences(of: "2026-10-02", with: "31/02/2026"), line: 2, reason: "n'existe pas")
        try await expectRejected(
            header + rows.replacingOccurrences(of: ",7000,", with: ",10001,"), line: 2, reason: "entre 0 et 100 %")
    }

    @Test("the payment columns must be the same on every row of a payment")
    func inconsistentPayment() async throws {
        let lines = rows.split(separator: "\n")
        let second = lines[1].replacingOccurrences(of: "2026-10-06", with: "2026-10-07")
        try await expectRejected(header + lines[0] + "\n" + second + "\n", line: 3, reason: "diffèrent de la première ligne")
    }

    @Test("broken quoting and a truncated last line")
    func quoting() async throws {
        try await expectRejected(
            header + rows.replacingOccurrences(of: "Consultation généraliste", with: "\"Consultation"), line: 2,
            reason: "guillemet")
        let truncated = header + rows.split(separator: "\n")[0] + "\n" + rows.split(separator: "\n")[1].prefix(30)
        try await expectRejected(truncated, line: 3, reason: "dernière ligne incomplète")
    }

    @Test("quoted fields with commas and doubled quotes round-trip")
    func quotedFields() throws {
        var row = CSVRow()
        let text = "a,\"b, c\",\"d \"\"e\"\"\",,f"
        let failure = Array(text.utf8).withUnsafeBufferPointer { row.parse($0) }
        #expect(failure == nil)
        #expect((0..<row.count).map { row.rawText($0) } == ["a", "b, c", "d \"e\"", "", "f"])
        #expect(FeedWriter.csv("d \"e\"") == "\"d \"\"e\"\"\"")
        #expect(FeedWriter.csv("plain") == "plain")
    }
}
