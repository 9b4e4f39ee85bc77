import Foundation
import ReleveTestSupport
import Testing

/// SECURITY.md goal 28: started under umask 000, Releve creates every file private (0600,
/// folders 0700) and archived statements private and immutable (0400); it refuses a config
/// folder that other users may write to.
@Suite("CLI: file modes", .serialized)
struct FileModesTests {
    @Test func everyFileIsPrivateWhateverTheUmask() throws {
        let directory = Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let work = directory.appendingPathComponent("donnees")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: false)
        chmod(work.path, 0o755)
        let base = work.appendingPathComponent("releve.sqlite").path
        let environment = ["RELEVE_BASE": base, "XDG_CONFIG_HOME": directory.appendingPathComponent("config").path]
        @discardableResult
        func run(_ arguments: [String], input: String? = nil) throws -> ProcessResult {
            let result = try Run.releve(arguments, environment: environment, input: input, umask: "000")
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
            return result
        }
        let sample = Fixtures.packageRoot.appendingPathComponent("SampleData/echantillon.jsonl").path
        try run(["importer", sample])
        try run([
            "compte", "code-provisoire", "--nir", "1701275112034", "--nom", "Martin", "--naissance", "03/12/1970",
            "--code-postal", "75012",
        ])
        try run(["admin", "releves", "emettre", "--mois", "2026-10"])
        try run(["admin", "courriers", "lot"])  // today: the letters were written today
        try run(["admin", "complementaires", "exporter"])

        var seen: [String: Int] = [:]
        var wrong: [String] = []
        let enumerator = FileManager.default.enumerator(atPath: work.path)!
        while let relative = enumerator.nextObject() as? String {
            let path = work.appendingPathComponent(relative).path
            var info = stat()
            #expect(lstat(path, &info) == 0)
            let mode = Int(info.st_mode & 0o7777)
            let isDirectory = (info.st_mode & S_IFMT) == S_IFDIR
            let archived = relative.hasPrefix("releve.sqlite.archives/") && !isDirectory
            let expected = isDirectory ? 0o700 : archived ? 0o400 : 0o600
            let kind = isDirectory ? "folder" : archived ? "archived" : (relative as NSString).pathExtension
            seen[kind, default: 0] += 1
            if mode != expected {
                wrong.append("\(relative): \(String(mode, radix: 8)) instead of \(String(expected, radix: 8))")
            }
        }
        #expect(wrong.isEmpty, "\(wrong)")
        // What was listed: the base and its companions, the pepper, archived PDFs and
        // thumbnails, a print batch and its manifest, insurer exports, their folders.
        for name in ["releve.sqlite", "releve.sqlite-wal", "releve.sqlite-shm", "releve.sqlite.lock", "releve.sqlite.cle"] {
            #expect(FileManager.default.fileExists(atPath: work.appendingPathComponent(name).path), "\(name)")
        }
        #expect((seen["archived"] ?? 0) >= 2, "\(seen)")
        #expect((seen["pdf"] ?? 0) >= 1, "\(seen)")
        #expect((seen["csv"] ?? 0) >= 2, "\(seen)")
        #expect((seen["folder"] ?? 0) >= 4, "\(seen)")
    }

    @Test func aConfigFolderOthersCanWriteIsRefused() throws {
        let directory = Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = directory.appendingPathComponent("config/releve")
        try FileManager.default.createDirectory(at: config, withIntermediateDirectories: true)
        chmod(config.path, 0o777)
        let base = directory.appendingPathComponent("releve.sqlite").path
        let result = try Run.releve(
            ["paiements"], environment: ["RELEVE_BASE": base, "XDG_CONFIG_HOME": directory.appendingPathComponent("config").path])
        #expect(result.status == 73, "\(result.stderr)")
        #expect(result.stderr.contains("modifiable par d'autres utilisateurs"), "\(result.stderr)")
        #expect(result.stderr.contains("chmod 700"))
    }
}
