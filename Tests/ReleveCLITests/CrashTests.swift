import Crypto
import Foundation
import ReleveDomain
import ReleveStore
import ReleveTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `kill -9` in the middle of an import, then a rerun: the database is sound, holds every
/// record exactly once, and equals a clean run's (SECURITY.md goal 21).
@Suite("Crash consistency", .serialized)
struct CrashTests {
    @Test("kill -9 during imports, then a rerun, gives the clean run's database")
    func killDuringImport() async throws {
        let directory = Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let summary = try Fixtures.sampleFeed(persons: 2500, months: 12, format: .csv, in: directory)
        let persons = summary.files[0]
        let payments = summary.files[1]

        let cleanBase = directory.appendingPathComponent("clean.sqlite").path
        #expect(try Run.releve(["importer", "--base", cleanBase, persons, payments]).status == 0)
        let clean = try await SQLiteStore.open(path: cleanBase)
        let cleanDigest = try await clean.contentDigest()
        let cleanStats = try await clean.statistics()
        try clean.close()

        let base = directory.appendingPathComponent("crashed.sqlite").path
        var killed = 0
        for delay in [0.15, 0.4, 0.8, 1.2, 0.05] {
            if try await killReleve(["importer", "--base", base, persons, payments], after: delay) { killed += 1 }
            // After each crash the database opens, passes integrity_check and holds whole files only.
            let store = try await SQLiteStore.open(path: base)
            #expect(try await store.integrityProblems().isEmpty)
            let stats = try await store.statistics()
            #expect(stats.payments == 0 || stats.payments == cleanStats.payments)
            #expect(stats.persons == 0 || stats.persons == cleanStats.persons)
            try store.close()
        }
        #expect(killed >= 1, "no import was interrupted: make the feed larger")
        #expect(try Run.releve(["importer", "--base", base, persons, payments]).status == 0)
        let store = try await SQLiteStore.open(path: base)
        #expect(try await store.integrityProblems().isEmpty)
        #expect(try await store.statistics() == cleanStats)
        #expect(try await store.contentDigest() == cleanDigest)
        try store.close()
    }
}

@Suite("Crash consistency: statements", .serialized)
struct StatementCrashTests {
    /// Archive state: every recorded statement (reference and SHA-256) and the bytes of its file.
    static func archiveState(base: String, archive: String) async throws -> [String] {
        let store = try await SQLiteStore.open(path: base)
        defer { try? store.close() }
        #expect(try await store.integrityProblems().isEmpty)
        let statements = try await store.statements(month: try Month(parsing: "2026-10"))
        var state: [String] = []
        for s in statements {
            let data = try Data(contentsOf: URL(fileURLWithPath: archive + "/" + s.file))
            let digest = SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
            #expect(digest == s.sha256, "\(s.file) is not the recorded file")
            state.append("\(s.reference) \(s.sha256) \(data.count)")
        }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: archive + "/2026-10").filter {
            $0.contains(".partiel-")
        }
        state.append("leftovers: \(leftovers.count)")
        return state
    }

    @Test("kill -9 during the issuing batch, several times, then a rerun: the archive equals a clean run's")
    func killDuringIssuing() async throws {
        let directory = Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let feed = directory.appendingPathComponent("feed.jsonl").path
        #expect(
            try Run.releve(["echantillon", "--assures", "400", "--mois", "2", "--fin", "2026-10", "--sortie", feed]).status == 0)
        func prepare(_ name: String) throws -> (String, String) {
            let base = directory.appendingPathComponent("\(name).sqlite").path
            #expect(try Run.releve(["importer", "--base", base, feed]).status == 0)
            return (base, base + ".archives")
        }
        let (cleanBase, cleanArchive) = try prepare("clean")
        let clean = try Run.releve(["admin", "releves", "emettre", "--mois", "2026-10", "--base", cleanBase])
        #expect(clean.status == 0, "\(clean.stderr)")
        let expected = try await Self.archiveState(base: cleanBase, archive: cleanArchive)
        #expect(expected.count > 100)

        let (base, archive) = try prepare("crashed")
        var killed = 0
        for delay in [0.3, 0.9, 1.6, 0.5] {
            if try await killReleve(["admin", "releves", "emettre", "--mois", "2026-10", "--base", base], after: delay) {
                killed += 1
            }
            // After each crash: every recorded statement points at a whole file.
            _ = try await Self.archiveState(base: base, archive: archive)
        }
        #expect(killed >= 1, "no run was interrupted")
        let rerun = try Run.releve(["admin", "releves", "emettre", "--mois", "2026-10", "--base", base])
        #expect(rerun.status == 0)
        #expect(try await Self.archiveState(base: base, archive: archive) == expected)
    }
}

@Suite("Crash consistency: print batches", .serialized)
struct PrintBatchCrashTests {
    @Test("kill -9 during a print batch, then a rerun: every letter printed exactly once, in one finished batch")
    func killDuringBatch() async throws {
        let directory = Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let feed = directory.appendingPathComponent("feed.jsonl").path
        let base = directory.appendingPathComponent("releve.sqlite").path
        #expect(
            try Run.releve(["echantillon", "--assures", "400", "--mois", "2", "--fin", "2026-10", "--sortie", feed]).status == 0)
        #expect(try Run.releve(["importer", "--base", base, feed]).status == 0)
        // No one has an account: every statement goes to the postal outbox.
        #expect(
            try Run.releve(["admin", "releves", "emettre", "--mois", "2026-10", "--sans-vignettes", "--base", base]).status == 0)
        let date = CivilDate(unixSeconds: Int64(Date().timeIntervalSince1970))
        let reference = "LOT-" + date.description.replacingOccurrences(of: "-", with: "")
        func state() async throws -> (pending: Int, printed: Int, batch: PrintBatch?) {
            let store = try await SQLiteStore.open(path: base)
            defer { try? store.close() }
            #expect(try await store.integrityProblems().isEmpty)
            let letters = try await store.letters(all: true)
            return (
                letters.filter { $0.status == .pending }.count, letters.filter { $0.status == .printed }.count,
                try await store.printBatch(date: date)
            )
        }
        let total = try await state().pending
        #expect(total > 200)
        var killed = 0
        for delay in [0.4, 1.2, 0.8] {
            if try await killReleve(["admin", "courriers", "lot", "--base", base], after: delay) { killed += 1 }
            let after = try await state()
            // Either nothing is printed, or one whole batch holds every letter.
            if let batch = after.batch {
                #expect(after.printed == total && after.pending == 0 && batch.letters == total)
            } else {
                #expect(after.pending == total && after.printed == 0)
            }
        }
        #expect(killed >= 1, "no batch was interrupted")
        let rerun = try Run.releve(["admin", "courriers", "lot", "--base", base])
        #expect(rerun.status == 0, "\(rerun.stderr)")
        let final = try await state()
        #expect(final.printed == total && final.pending == 0)
        #expect(final.batch?.reference == reference)
        let lots = base + ".lots"
        let files = try FileManager.default.contentsOfDirectory(atPath: lots).sorted()
        #expect(files == ["\(reference)-001.pdf", "\(reference).csv"])
        let manifest = try String(contentsOfFile: "\(lots)/\(reference).csv", encoding: .utf8)
        let ids = manifest.split(separator: "\r\n").dropFirst().map { $0.split(separator: ",")[0] }
        #expect(ids.count == total && Set(ids).count == total)
        // Rerunning the same date reproduces the same batch, and prints nothing new.
        let again = try Run.releve(["admin", "courriers", "lot", "--base", base])
        #expect(again.stdout.contains("existe déjà"))
    }
}

/// Starts the real binary and sends it SIGKILL after `delay`; true if it was still running.
func killReleve(_ arguments: [String], after delay: Double) async throws -> Bool {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: Fixtures.releveBinary)
    process.arguments = arguments
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    // A blocking sleep: `Task.sleep` can wake late when other tests hold the cooperative threads
    // (they wait for their own subprocesses), and the run would be over before the kill.
    usleep(useconds_t(delay * 1_000_000))
    let killed = process.isRunning
    if killed { kill(process.processIdentifier, SIGKILL) }
    process.waitUntilExit()
    return killed
}
