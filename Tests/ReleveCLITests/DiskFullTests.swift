import Foundation
import ReleveStore
import ReleveTestSupport
import Testing

/// Issue 10, class 8 (I/O faults), through the real binary under a file size limit
/// (`ulimit -f`): the import stops with "disque plein" and exit 74 (never 70 or a signal),
/// readers see nothing of it, the base passes integrity_check, and a rerun without the limit
/// imports the whole file.
@Suite("CLI: disk full", .serialized)
struct DiskFullTests {
    static func run(limitBlocks: Int?, _ arguments: [String]) throws -> (status: Int32, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        let limit = limitBlocks.map { "ulimit -f \($0) && " } ?? ""
        process.arguments = ["-c", "\(limit)exec \"$0\" \"$@\"", Fixtures.releveBinary] + arguments
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let data = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test func anImportThatFillsTheDiskStopsCleanly() async throws {
        let directory = Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let summary = try Fixtures.sampleFeed(persons: 1500, months: 6, in: directory)
        let base = directory.appendingPathComponent("r.sqlite").path
        let full = try Self.run(limitBlocks: 2000, ["importer", "--base", base, summary.files[0]])
        #expect(full.status == 74, "\(full.status): \(full.stderr)")
        #expect(full.stderr.contains("disque est plein"), "\(full.stderr)")

        let store = try await SQLiteStore.open(path: base)
        #expect(try await store.integrityProblems().isEmpty)
        let stats = try await store.statistics()
        #expect(stats.payments == 0 && stats.persons == 0 && stats.importedFiles == 0)
        try store.close()

        let again = try Self.run(limitBlocks: nil, ["importer", "--base", base, summary.files[0]])
        #expect(again.status == 0, "\(again.stderr)")
        let reopened = try await SQLiteStore.open(path: base)
        #expect(try await reopened.statistics().payments == summary.payments)
        try reopened.close()
    }

    @Test func anOutputFileThatFillsTheDiskLeavesNothing() throws {
        let directory = Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let output = directory.appendingPathComponent("flux.jsonl").path
        let full = try Self.run(
            limitBlocks: 200, ["echantillon", "--assures", "3000", "--mois", "6", "--sortie", output])
        #expect(full.status == 73, "\(full.status): \(full.stderr)")
        #expect(full.stderr.contains("disque plein") && full.stderr.contains("aucun fichier partiel"), "\(full.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
    }

    /// A real full disk (ENOSPC): a 3 MiB tmpfs holds the base. Needs the right to mount
    /// (root, as in CI); elsewhere the test says so and checks nothing.
    @Test func anImportOnAFullFileSystemStopsCleanly() async throws {
        let directory = Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let mountPoint = directory.appendingPathComponent("petit-disque")
        try FileManager.default.createDirectory(at: mountPoint, withIntermediateDirectories: false)
        func command(_ arguments: [String]) throws -> Int32 {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", "exec \"$0\" \"$@\" 2>/dev/null"] + arguments
            try process.run()
            process.waitUntilExit()
            return process.terminationStatus
        }
        guard try command(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", mountPoint.path]) == 0 else {
            print("DiskFullTests: mounting a tmpfs is not allowed here; ENOSPC is covered by ulimit -f (EFBIG) only")
            return
        }
        defer { _ = try? command(["umount", mountPoint.path]) }
        let summary = try Fixtures.sampleFeed(persons: 1500, months: 6, in: directory)
        let base = mountPoint.appendingPathComponent("r.sqlite").path
        let full = try Self.run(limitBlocks: nil, ["importer", "--base", base, summary.files[0]])
        #expect(full.status == 74, "\(full.status): \(full.stderr)")
        #expect(full.stderr.contains("disque est plein"), "\(full.stderr)")
        let store = try await SQLiteStore.open(path: base)
        #expect(try await store.integrityProblems().isEmpty)
        let stats = try await store.statistics()
        #expect(stats.payments == 0 && stats.persons == 0)
        try store.close()
    }
}
