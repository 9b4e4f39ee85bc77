import Foundation
import ReleveTestSupport
import Testing

/// Issue 10, class 7, through the real binary: while `releve importer` works through a large
/// file, a login (which writes: its attempt is counted) completes without waiting for the
/// import, and the import still lands whole.
@Suite("CLI: logins during an import", .serialized)
struct ImportWhileServingTests {
    @Test func aLoginCompletesWhileTheImportRuns() throws {
        try Self.loginDuringImport(postgres: false)
    }

    /// The same on PostgreSQL: the import's transaction holds no lock a login needs (MVCC).
    @Test(.enabled(if: PostgresTestServer.url != nil, "no PostgreSQL cluster: Tests/postgres/grappe.sh demarrer"))
    func onPostgres() throws {
        try Self.loginDuringImport(postgres: true)
    }

    static func loginDuringImport(postgres: Bool) throws {
        let directory = Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let base = postgres ? try PostgresTestServer.database().url : directory.appendingPathComponent("r.sqlite").path
        let environment = [
            "RELEVE_BASE": base, "XDG_CONFIG_HOME": directory.appendingPathComponent("config").path,
            "RELEVE_DOSSIER": directory.path,
        ]
        let summary = try Fixtures.sampleFeed(persons: 4000, months: 12, in: directory)
        // The base exists (migrated) before the import starts.
        #expect(try Run.releve(["admin", "audit"], environment: environment).status == 0)

        let importer = Process()
        importer.executableURL = URL(fileURLWithPath: Fixtures.releveBinary)
        importer.arguments = ["importer", summary.files[0]]
        var full = ProcessInfo.processInfo.environment
        for (key, value) in environment { full[key] = value }
        importer.environment = full
        importer.standardOutput = FileHandle.nullDevice
        importer.standardError = FileHandle.nullDevice
        try importer.run()
        usleep(500_000)
        #expect(importer.isRunning, "the import should take longer than this test's login")
        // A wrong code for an unknown NIR: refused (77) once its failure is written.
        let login = try Run.releve(["connexion", "--nir", "1850575112003"], environment: environment, input: "84061539\n")
        let importStillRunning = importer.isRunning
        importer.waitUntilExit()
        #expect(login.status == 77, "\(login.stderr)")
        #expect(importStillRunning, "the login waited for the whole import")
        #expect(importer.terminationStatus == 0)
        let audit = try Run.releve(["admin", "audit", "--nombre", "5", "--format", "json"], environment: environment)
        #expect(audit.stdout.contains(#""kind":"login""#))
    }
}
