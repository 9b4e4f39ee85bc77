import Foundation
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
        let clean = try await ReleveStore.open(path: cleanBase)
        let cleanDigest = try await clean.contentDigest()
        let cleanStats = try await clean.statistics()
        try clean.close()

        let base = directory.appendingPathComponent("crashed.sqlite").path
        var killed = 0
        for delay in [0.15, 0.4, 0.8, 1.2, 0.05] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: Fixtures.releveBinary)
            process.arguments = ["importer", "--base", base, persons, payments]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            try await Task.sleep(for: .seconds(delay))
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                killed += 1
            }
            process.waitUntilExit()
            // After each crash the database opens, passes integrity_check and holds whole files only.
            let store = try await ReleveStore.open(path: base)
            #expect(try await store.integrityProblems().isEmpty)
            let stats = try await store.statistics()
            #expect(stats.payments == 0 || stats.payments == cleanStats.payments)
            #expect(stats.persons == 0 || stats.persons == cleanStats.persons)
            try store.close()
        }
        #expect(killed >= 1, "no import was interrupted: make the feed larger")
        #expect(try Run.releve(["importer", "--base", base, persons, payments]).status == 0)
        let store = try await ReleveStore.open(path: base)
        #expect(try await store.integrityProblems().isEmpty)
        #expect(try await store.statistics() == cleanStats)
        #expect(try await store.contentDigest() == cleanDigest)
        try store.close()
    }
}
