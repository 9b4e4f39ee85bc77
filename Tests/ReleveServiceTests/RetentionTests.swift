import Foundation
import ReleveDomain
import ReleveStore
import ReleveTestSupport
import Testing

@testable import ReleveService

/// Issue 19: what is past the retention policy goes — payments and lines from the base, then
/// statements from the base and the archive — and nothing the service still owes: a payment no
/// statement took yet, a statement a letter waits for, anything inside the promised months.
@Suite("Retention", .serialized)
struct RetentionTests {
    static func date(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }

    final class World: @unchecked Sendable {
        let store: any Store
        let dispose: @Sendable () -> Void
        let directory = Fixtures.temporaryDirectory()
        var archive: String { directory.appendingPathComponent("archives").path }
        var statements: StatementService { StatementService(store: store, archive: archive) }
        var printing: PrintService {
            PrintService(store: store, archive: archive, directory: directory.appendingPathComponent("lots").path)
        }
        var retention: RetentionService { RetentionService(store: store, archive: archive) }

        /// 40 assurés, 30 months of payments (May 2024 to October 2026), statements issued for
        /// May, June and July 2024 (unless `issue` is false) and their postal letters printed.
        init(_ engine: StoreEngine, issue: Bool = true) async throws {
            (store, dispose) = try await engine.open()
            let feed = try Fixtures.sampleFeed(persons: 40, months: 30, lastMonth: "2026-10", in: directory)
            _ = try await FeedImporter(store: store).importFile(
                at: feed.files[0], now: RetentionTests.date("2026-11-01T08:00:00Z"))
            guard issue else { return }
            for month in ["2024-05", "2024-06", "2024-07"] {
                _ = try await statements.issue(
                    month: try Month(parsing: month), today: Fixtures.date("2026-11-02"),
                    now: RetentionTests.date("2026-11-02T08:00:00Z"))
            }
            let batch = try await printing.makeBatch(
                date: Fixtures.date("2026-11-02"), now: RetentionTests.date("2026-11-02T09:00:00Z"))
            guard case .created = batch else { throw ServiceError.internal("no batch: \(batch)") }
        }

        func statementFiles() -> Set<String> {
            var files = Set<String>()
            for month in (try? FileManager.default.contentsOfDirectory(atPath: archive)) ?? [] where month != "retention" {
                for name in (try? FileManager.default.contentsOfDirectory(atPath: "\(archive)/\(month)")) ?? [] {
                    files.insert("\(month)/\(name)")
                }
            }
            return files
        }

        func manifestLines(_ relative: String) throws -> [[String: Any]] {
            let text = try String(contentsOfFile: "\(archive)/\(relative)", encoding: .utf8)
            return try text.split(separator: "\n").map {
                try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
            }
        }

        deinit {
            dispose()
            try? FileManager.default.removeItem(at: directory)
        }
    }

    @Test(
        "simulated, applied, applied again: statements and payments past the limits go, a pending duplicata keeps its statement",
        arguments: StoreEngine.allCases)
    func simulateApplyReapply(engine: StoreEngine) async throws {
        // One engine at a time (.serialized): each renders a hundred statements, and the run
        // shares two cores with timing-bound suites (FranceConnect's token windows).
        try await Self.simulateApplyReapply(engine)
    }

    static func simulateApplyReapply(_ engine: StoreEngine) async throws {
        let world = try await World(engine)
        let old = try ["2024-05", "2024-06", "2024-07"].map { try Month(parsing: $0) }
        var issued: [ArchivedStatement] = []
        for month in old { issued += try await world.store.statements(month: month) }
        #expect(issued.count > 60)
        // One assuré asks for a paper duplicata of June: that statement must stay until printed.
        let kept = try #require(issued.first { $0.month == old[1] })
        _ = try await world.store.requestDuplicata(
            personID: kept.personID, statementID: kept.id,
            letter: NewLetter(kind: .duplicata, recipient: "X", body: "duplicata", statementID: kept.id),
            at: 1_796_000_000, windowStart: 1_795_000_000, quota: 5,
            audit: AuditEvent(at: 1_796_000_000, kind: "duplicata", outcome: "requested"))

        // The standard policy on 1 December 2026: payments before September 2024 go; statements
        // (60 months) stay. Refused: fewer months than promised, statements shorter than payments.
        let policy = try await world.retention.policy()
        #expect(policy == .standard)
        await #expect(throws: ServiceError.self) {
            try await world.retention.setPolicy(paymentMonths: 12, statementMonths: nil, now: Date())
        }
        await #expect(throws: ServiceError.self) {
            try await world.retention.setPolicy(paymentMonths: 30, statementMonths: 28, now: Date())
        }
        _ = try await world.retention.setPolicy(paymentMonths: nil, statementMonths: 27, now: Date())

        let today = Fixtures.date("2026-12-01")
        let now = Self.date("2026-12-01T10:00:00Z")
        let before = try await world.store.statistics()
        let filesBefore = world.statementFiles()
        let plan = try await world.retention.plan(today: today)
        #expect(plan.paymentsBefore == (try Month(parsing: "2024-09")))
        #expect(plan.statementsBefore == (try Month(parsing: "2024-09")))
        #expect(plan.candidates.payments.map(\.month.description) == ["2024-05", "2024-06", "2024-07", "2024-08"])
        // August 2024 was never issued: its payments wait for a statement and stay.
        let august = try #require(plan.candidates.payments.last)
        #expect(august.unstated > 0 && august.payments - august.unstated < august.payments / 4)
        #expect(plan.removableStatements == issued.count - 1)
        #expect(
            plan.candidates.heldStatements == [HeldStatement(reference: kept.reference, month: old[1], reason: .pendingLetter)])
        // Simulating changed nothing.
        #expect(try await world.store.statistics() == before)
        #expect(world.statementFiles() == filesBefore)

        // Applying, in small steps.
        let report = try await world.retention.apply(today: today, now: now, step: 37)
        let after = try await world.store.statistics()
        #expect(report.payments.payments == plan.removablePayments)
        #expect(before.payments - after.payments == plan.removablePayments)
        #expect(before.paymentLines - after.paymentLines == plan.removableLines)
        #expect(report.statements.values.reduce(0) { $0 + $1.count } == issued.count - 1)
        for month in old {
            let left = try await world.store.statements(month: month)
            #expect(left.map(\.reference) == (month == old[1] ? [kept.reference] : []))
        }
        #expect(world.statementFiles().filter { $0.hasSuffix(".pdf") } == [kept.file])
        // The manifest lists every statement removed, with its fingerprint; the audit, each month.
        let manifest = try world.manifestLines(try #require(report.manifest))
        let listed = manifest.filter { $0["type"] as? String == "releve" }
        #expect(
            Set(listed.compactMap { $0["reference"] as? String }) == Set(issued.map(\.reference)).subtracting([kept.reference]))
        #expect(
            listed.allSatisfy { line in
                issued.contains { $0.reference == line["reference"] as? String && $0.sha256 == line["sha256"] as? String }
            })
        #expect(manifest.first?["type"] as? String == "debut" && manifest.last?["type"] as? String == "fin")
        let audit = try await world.store.auditEvents(limit: 50).filter { $0.kind == "retention" }
        #expect(audit.filter { $0.outcome == "releves_mois" }.count == 3)
        #expect(audit.contains { $0.outcome == "fin" })
        // What stays is sound and still verifies.
        #expect(try await world.store.integrityProblems().isEmpty)
        let check = try await world.statements.verifyArchive()
        let stored = try await world.store.statementCount()
        #expect(check.problems.isEmpty && check.checked == stored)

        // Again: nothing more.
        let again = try await world.retention.apply(today: today, now: now, step: 37)
        #expect(again.manifest == nil && again.payments.payments == 0 && again.statements.isEmpty)
        #expect(try await world.store.statistics() == after)

        // Once the duplicata is printed, its statement goes too.
        _ = try await world.printing.makeBatch(date: Fixtures.date("2026-12-01"), now: now)
        let last = try await world.retention.apply(today: today, now: now.addingTimeInterval(60))
        #expect(last.statements.values.reduce(0) { $0 + $1.count } == 1)
        #expect(try await world.store.statements(month: old[1]).isEmpty)
        #expect(world.statementFiles().isEmpty)
        #expect(try await world.store.integrityProblems().isEmpty)
    }

    @Test("a date in the future is refused when applying (nothing changes); a simulation may look ahead")
    func futureDate() async throws {
        let world = try await World(.sqliteInMemory, issue: false)
        let before = try await world.store.statistics()
        await #expect(throws: ServiceError.self) {
            try await world.retention.apply(today: Fixtures.date("2030-01-01"), now: Self.date("2026-12-01T10:00:00Z"))
        }
        #expect(try await world.store.statistics() == before)
        let plan = try await world.retention.plan(today: Fixtures.date("2030-01-01"))
        #expect(plan.removablePayments > 0)
    }
}
