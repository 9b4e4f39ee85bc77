import Foundation
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
    func logBoundedAfterBigCommands() throws {
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

        // The readers were really there all along, and the web server still answers.
        #expect(readers.count > 3, "\(readers.count) reads")
        #expect(try MultiNodeTests.request(node, "/sante").status == 200)
    }
}
