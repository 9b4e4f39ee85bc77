import Foundation
import ReleveDomain
import ReleveTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Issue 19: the disk a base takes stays bounded — the write-ahead log is given back after each
/// big command, even while a web server and other readers use the base.
@Suite("CLI: bounded storage", .serialized)
struct StorageTests {
    /// What the log may hold when a big command has ended: the commit of whatever the running
    /// web server wrote since (its session touches), never what the command wrote (megabytes).
    static let logBound: Int64 = 512 << 10

    static func size(_ path: String) -> Int64 {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.int64Value ?? 0
    }

    /// Readers that keep read transactions coming on the base (the sqlite3 shell counting the
    /// payment lines, as a report would) until stopped.
    final class Readers: Sendable {
        private let state = Box()

        init(base: String) {
            let state = self.state
            let thread = Thread {
                while state.running {
                    let process = Process()
                    process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
                    process.arguments = [base, "SELECT count(*), sum(reimbursed) FROM payment_line"]
                    process.standardOutput = FileHandle.nullDevice
                    process.standardError = FileHandle.nullDevice
                    if (try? process.run()) != nil {
                        process.waitUntilExit()
                        state.count()
                    }
                    usleep(20_000)
                }
            }
            thread.start()
        }

        final class Box: @unchecked Sendable {
            private let lock = NSLock()
            private var stopped = false
            private var done = 0
            var running: Bool { lock.withLock { !stopped } }
            var reads: Int { lock.withLock { done } }
            func count() { lock.withLock { done += 1 } }
            func stop() { lock.withLock { stopped = true } }
        }

        var count: Int { state.reads }
        func stop() { state.stop() }
    }

    @Test("after an import, an issuing batch and a print batch the log is back under its bound, a web server and readers running")
    func logBoundedAfterBigCommands() async throws {
        try await offCooperativeThreads { try Self.logBounded() }
    }

    static func logBounded() throws {
        let box = try AccountJourneyTests.Sandbox(empty: true)
        let feed = box.directory.appendingPathComponent("flux.jsonl").path
        let sample = try box.run(["echantillon", "--assures", "2500", "--mois", "12", "--fin", "2026-10", "--sortie", feed])
        #expect(sample.status == 0, "\(sample.stderr)")
        #expect(try box.run(["admin", "audit"]).status == 0)
        let wal = box.base + "-wal"
        let node = try MultiNodeTests.Node(box)
        defer { node.stop() }
        let readers = Readers(base: box.base)
        defer { readers.stop() }

        let imported = try box.run(["importer", feed])
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(Self.size(wal) <= Self.logBound, "log after the import: \(Self.size(wal)) bytes")

        let issued = try box.run(["admin", "releves", "emettre", "--mois", "2026-10"])
        #expect(issued.status == 0, "\(issued.stderr)")
        #expect(Self.size(wal) <= Self.logBound, "log after the issuing batch: \(Self.size(wal)) bytes")

        let batch = try box.run(["admin", "courriers", "lot"])
        #expect(batch.status == 0, "\(batch.stderr)")
        #expect(batch.stdout.hasPrefix("Lot "), "\(batch.stdout)")
        #expect(Self.size(wal) <= Self.logBound, "log after the print batch: \(Self.size(wal)) bytes")

        // What `admin stockage` reports is what is on disk.
        let stockage = try box.run(["admin", "stockage", "--format", "json"])
        #expect(stockage.status == 0, "\(stockage.stderr)")
        let report = try JSONSerialization.jsonObject(with: Data(stockage.stdout.utf8)) as! [String: Any]
        let parts = report["base"] as! [[String: Any]]
        #expect((parts.first { $0["nom"] as? String == "base" }?["octets"] as? Int).map(Int64.init) == Self.size(box.base))
        #expect((parts.first { $0["nom"] as? String == "journal (WAL)" }?["octets"] as? Int) ?? .max <= Int(Self.logBound))
        let months = report["archives_par_mois"] as! [[String: Any]]
        let october = box.neighbours + ".archives/2026-10"
        let pdfs = try FileManager.default.contentsOfDirectory(atPath: october).filter { $0.hasSuffix(".pdf") }
        #expect(months.map { $0["mois"] as? String } == ["2026-10"] && months[0]["releves"] as? Int == pdfs.count)
        let onDisk = try FileManager.default.contentsOfDirectory(atPath: october).reduce(Int64(0)) {
            $0 + Self.size("\(october)/\($1)")
        }
        #expect((months[0]["octets"] as? Int).map(Int64.init) == onDisk)
        #expect(((report["lots"] as! [String: Any])["fichiers"] as? Int ?? 0) >= 2)
        let text = try box.run(["admin", "stockage"])
        #expect(text.stdout.contains("octobre 2026 : \(French.count(pdfs.count, "relevé"))"), "\(text.stdout)")
        #expect(text.stdout.contains("Croissance par mois (moyenne d'octobre 2026) : archives "), "\(text.stdout)")

        // The readers were really there all along, and the web server still answers.
        #expect(readers.count > 3, "\(readers.count) reads")
        #expect(try MultiNodeTests.request(node, "/sante").status == 200)
    }

    /// One value from the sandbox's base, by the engine's own shell.
    static func query(_ box: AccountJourneyTests.Sandbox, _ sql: String) throws -> String {
        if box.base.hasPrefix("postgres") { return try PostgresTestServer.psqlBlocking(box.base, sql) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        process.arguments = [box.base, sql]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test(
        "retention killed (-9) while it removes statements: the base stays sound, the rerun finishes, a third run finds nothing")
    func killedRetention() async throws {
        try await offCooperativeThreads { try Self.killedRetention(postgres: false) }
    }

    /// The same on PostgreSQL, where the issued months' line partitions are dropped whole.
    @Test(
        "on PostgreSQL: killed, rerun, the issued months' line partitions gone",
        .enabled(if: PostgresTestServer.url != nil, "no PostgreSQL cluster: Tests/postgres/grappe.sh demarrer"))
    func killedRetentionOnPostgres() async throws {
        try await offCooperativeThreads { try Self.killedRetention(postgres: true) }
    }

    static func killedRetention(postgres: Bool) throws {
        let box = try AccountJourneyTests.Sandbox(postgres: postgres, empty: true)
        let feed = box.directory.appendingPathComponent("flux.jsonl").path
        let sample = try box.run(["echantillon", "--assures", "250", "--mois", "6", "--fin", "2024-07", "--sortie", feed])
        #expect(sample.status == 0, "\(sample.stderr)")
        #expect(try box.run(["importer", feed]).status == 0)
        let issued = ["2024-04", "2024-05", "2024-06", "2024-07"]
        for month in issued {
            let run = try box.run(["admin", "releves", "emettre", "--mois", month])
            #expect(run.status == 0, "\(run.stderr)")
        }
        #expect(try box.run(["admin", "courriers", "lot"]).status == 0)
        #expect(try box.run(["admin", "reglages", "--releves-mois", "27"]).status == 0)
        let references = Set(try query(box, "SELECT reference FROM statement").split(separator: "\n").map(String.init))
        #expect(references.count > 500)
        let simulated = try box.run(["admin", "retention"])
        #expect(simulated.status == 0 && simulated.stdout.contains("Simulation : rien n'a été retiré"), "\(simulated.stdout)")
        #expect(try query(box, "SELECT count(*) FROM statement") == String(references.count))

        // One statement per transaction, so that the kill lands in the middle of them.
        let log = box.directory.appendingPathComponent("retention.log")
        let first = try MultiNodeTests.start(box, ["admin", "retention", "appliquer", "--lot", "1"], log: log)
        let start = Date()
        var left = references.count
        while first.isRunning, Date().timeIntervalSince(start) < 120 {
            left = Int(try query(box, "SELECT count(*) FROM statement")) ?? -1
            if left > 0 && left < references.count * 2 / 3 { break }
            usleep(20_000)
        }
        #expect(first.isRunning && left > 0 && left < references.count, "killed with \(left) of \(references.count) left")
        kill(first.processIdentifier, SIGKILL)
        first.waitUntilExit()
        // Killed mid-way, what is left is sound: every statement still in the base has its file.
        let midway = try box.run(["admin", "verifier"])
        #expect(midway.status == 0, "\(midway.stdout) \(midway.stderr)")

        let rerun = try box.run(["admin", "retention", "appliquer"])
        #expect(rerun.status == 0, "\(rerun.stderr)")
        #expect(rerun.stdout.contains("Manifeste : retention/"), "\(rerun.stdout)")
        #expect(try query(box, "SELECT count(*) FROM statement") == "0")
        #expect(try query(box, "SELECT count(*) FROM retired_file") == "0")
        #expect(try query(box, "SELECT count(*) FROM payment WHERE statement_id IS NOT NULL") == "0")
        let archive = box.neighbours + ".archives"
        let folders = try FileManager.default.contentsOfDirectory(atPath: archive).sorted()
        #expect(folders == ["retention"], "\(folders)")
        // Every statement removed is in a manifest (the killed run's or the rerun's).
        var listed = Set<String>()
        for name in try FileManager.default.contentsOfDirectory(atPath: archive + "/retention") {
            let text = try String(contentsOfFile: "\(archive)/retention/\(name)", encoding: .utf8)
            for line in text.split(separator: "\n") {
                let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
                if object["type"] as? String == "releve", let reference = object["reference"] as? String {
                    listed.insert(reference)
                }
            }
        }
        #expect(listed == references)
        if postgres {
            let partitions = issued.map { "'payment_line_\($0.replacingOccurrences(of: "-", with: "_"))'" }.joined(separator: ",")
            #expect(try query(box, "SELECT count(*) FROM pg_class WHERE relname IN (\(partitions))") == "0")
        }
        #expect(try box.run(["admin", "verifier"]).status == 0)
        let third = try box.run(["admin", "retention", "appliquer"])
        #expect(third.status == 0 && third.stdout.hasPrefix("Rien à retirer"), "\(third.stdout)")
    }
}
