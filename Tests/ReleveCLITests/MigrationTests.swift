import Foundation
import ReleveTestSupport
import Testing

/// Issue 13, "moving over": `releve admin migrer --vers postgres://…` copies an embedded base
/// whole; the same key and folders then serve the same assurés from PostgreSQL.
@Suite(
    "CLI: SQLite to PostgreSQL", .serialized,
    .enabled(if: PostgresTestServer.url != nil, "no PostgreSQL cluster: Tests/postgres/grappe.sh demarrer"))
struct MigrationTests {
    /// "empreinte du contenu : …" of `admin sauvegarde`.
    static func contentDigest(_ output: String) -> String? {
        output.firstMatch(of: /empreinte du contenu : ([0-9a-f]{64})/).map { String($0.1) }
    }

    @Test("the sample installation moves to PostgreSQL: equal digests, the same code logs in, the archive checks")
    func roundTrip() throws {
        let box = try AccountJourneyTests.Sandbox()
        let nir = "1701275112034"
        let code = try box.orderCode(nir: nir, name: "Martin", birth: "03/12/1970", postalCode: "75012")
        #expect(try box.activate(nir: nir, code: code, personal: "39451827").status == 0)
        #expect(try box.run(["admin", "releves", "emettre", "--mois", "2026-09"]).status == 0)
        #expect(try box.login(nir: nir, code: "39451827").status == 0)
        let duplicata = try box.run(["duplicata", "2026-09"])
        #expect(duplicata.status == 0, "\(duplicata.stdout)\(duplicata.stderr)")
        let before = try box.run(["admin", "sauvegarde", "--vers", box.directory.appendingPathComponent("avant.sqlite").path])
        #expect(before.status == 0, "\(before.stderr)")

        let target = try PostgresTestServer.database().url
        let moved = try box.run(["admin", "migrer", "--vers", target])
        #expect(moved.status == 0, "\(moved.stdout)\n\(moved.stderr)")
        #expect(moved.stdout.contains("chacune vérifiée") && moved.stdout.contains("tous intacts"), "\(moved.stdout)")
        #expect(moved.stdout.contains(":***@"), "the password is not shown")
        let again = try box.run(["admin", "migrer", "--vers", target])
        #expect(again.status == 73, "a base that is not empty is refused: \(again.stderr)")

        // The PostgreSQL installation: same key file, same archive.
        let environment = [
            "RELEVE_BASE": target, "RELEVE_CLE": box.base + ".cle", "RELEVE_ARCHIVES": box.base + ".archives",
            "RELEVE_DOSSIER": box.directory.path, "XDG_CONFIG_HOME": box.directory.appendingPathComponent("pg").path,
        ]
        let after = try Run.releve(
            ["admin", "sauvegarde", "--vers", box.directory.appendingPathComponent("apres.dump").path], environment: environment)
        #expect(after.status == 0, "\(after.stderr)")
        let digests = (Self.contentDigest(before.stdout), Self.contentDigest(after.stdout))
        #expect(digests.0 != nil && digests.0 == digests.1, "\(before.stdout)\n\(after.stdout)")
        let login = try Run.releve(["connexion", "--nir", nir], environment: environment, input: "39451827\n")
        #expect(login.status == 0, "the personal code still works with the same key: \(login.stderr)")
        let statements = try Run.releve(["releves", "lister"], environment: environment)
        #expect(statements.status == 0 && statements.stdout.contains("septembre 2026"), "\(statements.stdout)")
        #expect(try Run.releve(["admin", "verifier"], environment: environment).status == 0)
        let audit = try Run.releve(["admin", "audit", "--nombre", "50"], environment: environment).stdout
        #expect(audit.contains("duplicata"), "the audit trail came along")
    }
}
