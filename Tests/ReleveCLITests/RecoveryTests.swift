import Crypto
import Foundation
import ReleveTestSupport
import Testing

/// Issue 10, class 6 and SECURITY.md goal 27, through the real binary: a damaged base is
/// detected before anything is written (exit 74, file untouched); a backup taken while an
/// import runs is a consistent snapshot that restores and verifies; `admin verifier` finds an
/// altered archive.
@Suite("CLI: corruption, backups, verification", .serialized)
struct RecoveryTests {
    final class Sandbox: @unchecked Sendable {
        let directory = Fixtures.temporaryDirectory()
        var base: String { directory.appendingPathComponent("releve.sqlite").path }
        var environment: [String: String] {
            ["RELEVE_BASE": base, "XDG_CONFIG_HOME": directory.appendingPathComponent("config").path]
        }

        init(sample: Bool = true) throws {
            guard sample else { return }
            let file = Fixtures.packageRoot.appendingPathComponent("SampleData/echantillon.jsonl").path
            let imported = try Run.releve(["importer", file], environment: environment)
            precondition(imported.status == 0, imported.stderr)
        }

        deinit { try? FileManager.default.removeItem(at: directory) }

        func run(_ arguments: [String]) throws -> ProcessResult {
            try Run.releve(arguments, environment: environment)
        }

        func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

        /// "empreinte du contenu : <hex>" from a backup or restore report.
        static func digest(_ output: String) -> String? {
            guard let line = output.split(separator: "\n").first(where: { $0.contains("empreinte du contenu : ") }),
                let range = line.range(of: "empreinte du contenu : ")
            else { return nil }
            return String(line[range.upperBound...].prefix(64))
        }
    }

    static func sha256(_ path: String) throws -> String {
        SHA256.hash(data: try Data(contentsOf: URL(fileURLWithPath: path))).map { String(format: "%02x", $0) }.joined()
    }

    @Test func aDamagedBaseIsRefusedBeforeAnyWrite() throws {
        let sandbox = try Sandbox()
        // Everything into the main file, then the start of three pages (a third, half and two
        // thirds into the file) overwritten.
        let checkpoint = Process()
        checkpoint.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        checkpoint.arguments = [sandbox.base, "PRAGMA wal_checkpoint(TRUNCATE);"]
        try checkpoint.run()
        checkpoint.waitUntilExit()
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: sandbox.base))
        let pages = try handle.seekToEnd() / 4096
        for page in [pages / 3, pages / 2, 2 * pages / 3] {
            try handle.seek(toOffset: page * 4096)
            handle.write(Data((0..<512).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }))
        }
        try handle.close()
        let before = try Self.sha256(sandbox.base)
        let feed = Fixtures.packageRoot.appendingPathComponent("SampleData/echantillon.jsonl").path
        for command in [
            ["importer", feed], ["admin", "releves", "emettre", "--mois", "2026-09"], ["admin", "audit"],
            ["admin", "courriers", "lot", "--date", "2026-11-30"], ["admin", "complementaires", "exporter"],
            ["admin", "verifier"], ["admin", "sauvegarde", "--vers", sandbox.path("copie.sqlite")],
        ] {
            let result = try sandbox.run(command)
            #expect(result.status == 74, "\(command): \(result.status) \(result.stderr)")
            #expect((result.stderr + result.stdout).lowercased().contains("endommagé"), "\(result.stderr)")
        }
        #expect(try Self.sha256(sandbox.base) == before, "the damaged base was written to")
        #expect(!FileManager.default.fileExists(atPath: sandbox.path("copie.sqlite")))
    }

    @Test func aBackupDuringAnImportIsASnapshotThatRestores() throws {
        let sandbox = try Sandbox(sample: false)
        let feed = sandbox.path("gros.jsonl")
        let made = try Run.releve(["echantillon", "--assures", "1500", "--mois", "12", "--graine", "27", "--sortie", feed])
        #expect(made.status == 0, "\(made.stderr)")
        let before = try sandbox.run(["admin", "sauvegarde", "--vers", sandbox.path("avant.sqlite")])
        #expect(before.status == 0, "\(before.stderr)")

        let importer = Process()
        importer.executableURL = URL(fileURLWithPath: Fixtures.releveBinary)
        importer.arguments = ["importer", feed]
        var environment = ProcessInfo.processInfo.environment
        for (key, value) in sandbox.environment { environment[key] = value }
        importer.environment = environment
        importer.standardOutput = FileHandle.nullDevice
        importer.standardError = FileHandle.nullDevice
        try importer.run()
        usleep(300_000)
        let during = try sandbox.run(["admin", "sauvegarde", "--vers", sandbox.path("pendant.sqlite")])
        importer.waitUntilExit()
        #expect(importer.terminationStatus == 0)
        #expect(during.status == 0, "\(during.stderr)")
        let after = try sandbox.run(["admin", "sauvegarde", "--vers", sandbox.path("apres.sqlite")])

        let snapshot = try #require(Sandbox.digest(during.stdout))
        let candidates = [Sandbox.digest(before.stdout), Sandbox.digest(after.stdout)].compactMap { $0 }
        #expect(candidates.count == 2 && candidates[0] != candidates[1])
        #expect(candidates.contains(snapshot), "the backup mixed the import's state: \(snapshot) ∉ \(candidates)")

        let restored = try Run.releve([
            "admin", "restaurer", "--depuis", sandbox.path("pendant.sqlite"), "--base", sandbox.path("restauree.sqlite"),
        ])
        #expect(restored.status == 0, "\(restored.stderr)")
        #expect(Sandbox.digest(restored.stdout) == snapshot)
        let mode = try FileManager.default.attributesOfItem(atPath: sandbox.path("pendant.sqlite"))[.posixPermissions] as? Int
        #expect(mode == 0o600)
        // Restoring over an existing base is refused and changes nothing.
        let again = try Run.releve([
            "admin", "restaurer", "--depuis", sandbox.path("avant.sqlite"), "--base", sandbox.path("restauree.sqlite"),
        ])
        #expect(again.status == 74 && again.stderr.contains("existe déjà"), "\(again.status) \(again.stderr)")
    }

    @Test func theVerifierFindsAnAlteredStatement() throws {
        let sandbox = try Sandbox()
        #expect(try sandbox.run(["admin", "releves", "emettre", "--mois", "2026-10", "--sans-vignettes"]).status == 0)
        let clean = try sandbox.run(["admin", "verifier"])
        #expect(clean.status == 0 && clean.stdout.contains("tous intacts"), "\(clean.stdout)\(clean.stderr)")
        let folder = sandbox.path("releve.sqlite.archives/2026-10")
        let name = try #require(try FileManager.default.contentsOfDirectory(atPath: folder).first { $0.hasSuffix(".pdf") })
        chmod(folder + "/" + name, 0o600)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: folder + "/" + name))
        try handle.seekToEnd()
        handle.write(Data("%".utf8))
        try handle.close()
        let altered = try sandbox.run(["admin", "verifier"])
        #expect(altered.status == 74)
        #expect(altered.stdout.contains("fichier modifié depuis son émission"), "\(altered.stdout)")
    }
}
