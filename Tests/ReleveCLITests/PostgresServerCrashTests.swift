import Foundation
import ReleveTestSupport
import Testing

/// Issue 13, faults: the PostgreSQL server crashes (immediate stop: every backend quits, no
/// checkpoint, crash recovery at the next start) during an import and during an issuing batch.
/// Nothing partial is left and the reruns complete. The commands should end with a French
/// message; postgres-nio 1.33.2 does not always let them (see `clientDefect`). On a cluster of its own: the shared one serves the other tests meanwhile.
@Suite(
    "PostgreSQL: the server crashes mid-command", .serialized,
    .enabled(if: PostgresTestServer.url != nil, "no PostgreSQL cluster: Tests/postgres/grappe.sh demarrer"))
struct PostgresServerCrashTests {
    final class Cluster: @unchecked Sendable {
        let state = "/tmp/releve-grappe-panne-\(UUID().uuidString.prefix(8))"
        var url = ""

        init() throws {
            let started = try run("demarrer")
            url = try #require(started.firstMatch(of: /RELEVE_TEST_POSTGRES=(\S+)/).map { String($0.1) })
        }

        @discardableResult
        func run(_ command: String) throws -> String {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/bash")
            process.arguments = [Fixtures.packageRoot.appendingPathComponent("Tests/postgres/grappe.sh").path, command]
            process.environment = ProcessInfo.processInfo.environment.merging([
                "RELEVE_GRAPPE_ETAT": state, "RELEVE_GRAPPE_SANS_REPLIQUE": "1",
            ]) { _, new in new }
            // Into a file, not a pipe: the server the script starts would keep a pipe open.
            let output = URL(fileURLWithPath: state + ".sortie")
            _ = FileManager.default.createFile(atPath: output.path, contents: nil)
            defer { try? FileManager.default.removeItem(at: output) }
            process.standardOutput = try FileHandle(forWritingTo: output)
            try process.run()
            process.waitUntilExit()
            return (try? String(contentsOf: output, encoding: .utf8)) ?? ""
        }

        deinit { _ = try? run("arreter") }
    }

    static func count(_ url: String, _ sql: String) throws -> Int {
        Int(try PostgresTestServer.psqlBlocking(url, sql)) ?? -1
    }

    /// Waits up to `seconds` for `process`; kills it if it is still there. Whether it ended by
    /// itself with an exit code other than 0 (a French error rather than a crash or a hang).
    static func endsCleanly(_ process: Process, within seconds: Double) -> Bool {
        let start = Date()
        while process.isRunning, Date().timeIntervalSince(start) < seconds { usleep(100_000) }
        guard !process.isRunning else {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            return false
        }
        return process.terminationReason == .exit && process.terminationStatus != 0
    }

    /// postgres-nio 1.33.2, when the server goes away mid-query, sometimes traps
    /// (RowStreamStateMachine: "How can we receive a body part, after a channelReadComplete…")
    /// or leaves a query waiting for ever; the data guarantees below hold either way.
    static let clientDefect = "postgres-nio 1.33.2 traps or waits for ever when the server dies mid-query"

    @Test("crash during an import, then during an issuing batch: nothing partial, the reruns complete")
    func crashes() throws {
        let cluster = try Cluster()
        let directory = Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let environment = ["RELEVE_BASE": cluster.url, "RELEVE_DOSSIER": directory.path]
        let feed = try Fixtures.sampleFeed(persons: 3000, months: 12, in: directory)

        // The import: one transaction per file, so a crash leaves none of it.
        let importer = Process()
        importer.executableURL = URL(fileURLWithPath: Fixtures.releveBinary)
        importer.arguments = ["importer", feed.files[0]]
        importer.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        let errors = directory.appendingPathComponent("importer.err")
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        importer.standardOutput = FileHandle.nullDevice
        importer.standardError = try FileHandle(forWritingTo: errors)
        try importer.run()
        // Its transaction is invisible from outside until it commits: wait for its progress line.
        let start = Date()
        while importer.isRunning, Date().timeIntervalSince(start) < 60,
            !((try? String(contentsOf: errors, encoding: .utf8)) ?? "").contains("enregistrements")
        {
            usleep(50_000)
        }
        #expect(importer.isRunning, "the import should still run when the server goes")
        try cluster.run("tuer")
        let clean = Self.endsCleanly(importer, within: 30)
        withKnownIssue(Comment(rawValue: Self.clientDefect), isIntermittent: true) {
            #expect(clean, "the importer ends with a French error, exit \(importer.terminationStatus)")
        }
        try cluster.run("relancer")
        #expect(try Self.count(cluster.url, "SELECT count(*) FROM payment") == 0, "nothing of the import is left")
        #expect(try Self.count(cluster.url, "SELECT count(*) FROM import_ledger") == 0)
        let rerun = try Run.releve(["importer", feed.files[0]], environment: environment)
        #expect(rerun.status == 0, "\(rerun.stderr)")
        let payments = try Self.count(cluster.url, "SELECT count(*) FROM payment")
        #expect(payments == feed.payments, "\(payments) payments after the rerun, \(feed.payments) in the feed")

        // The issuing batch: statements recorded chunk by chunk, each file before its row.
        let issuing = Process()
        issuing.executableURL = URL(fileURLWithPath: Fixtures.releveBinary)
        issuing.arguments = ["admin", "releves", "emettre", "--mois", "2026-10", "--travailleurs", "1"]
        issuing.environment = importer.environment
        issuing.standardOutput = FileHandle.nullDevice
        issuing.standardError = FileHandle.nullDevice
        try issuing.run()
        let issuingStart = Date()
        while issuing.isRunning, Date().timeIntervalSince(issuingStart) < 60,
            (try? Self.count(cluster.url, "SELECT count(*) FROM statement")) ?? 0 == 0
        {
            usleep(100_000)
        }
        #expect(issuing.isRunning, "the batch should still run when the server goes")
        try cluster.run("tuer")
        let issuingClean = Self.endsCleanly(issuing, within: 30)
        withKnownIssue(Comment(rawValue: Self.clientDefect), isIntermittent: true) {
            #expect(issuingClean, "the batch ends with a French error, exit \(issuing.terminationStatus)")
        }
        try cluster.run("relancer")
        let before = try Self.count(cluster.url, "SELECT count(*) FROM statement")
        let again = try Run.releve(["admin", "releves", "emettre", "--mois", "2026-10"], environment: environment)
        #expect(again.status == 0, "\(again.stderr)")
        let after = try Self.count(cluster.url, "SELECT count(*) FROM statement")
        #expect(after > before, "the rerun issued what was missing (\(before) → \(after))")
        let third = try Run.releve(["admin", "releves", "emettre", "--mois", "2026-10"], environment: environment)
        #expect(third.stdout.contains(": 0 émis"), "\(third.stdout)")
        let check = try Run.releve(["admin", "verifier"], environment: environment)
        #expect(check.status == 0, "every recorded statement's file is there and intact: \(check.stdout)")
    }
}
