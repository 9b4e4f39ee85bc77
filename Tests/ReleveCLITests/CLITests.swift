import Foundation
import ReleveTestSupport
import Testing

/// End-to-end runs of the real `releve` binary.
@Suite("CLI", .serialized)
struct CLITests {
    @Test("releve nir explains a valid number and exits 0")
    func nirValid() throws {
        let result = try Run.releve(["nir", "2 85 03 2A 004 117 77"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("NIR valide : 2 85 03 2A 004 117 77"))
        #expect(result.stdout.contains("Corse-du-Sud"))
        #expect(result.stdout.contains("mars"))
    }

    @Test(
        "releve nir refuses bad numbers with exit 65 and a French reason",
        arguments: [
            ("295109912611199", "clé"), ("17012751120", "13 caractères"), ("١٧٠١٢٧٥١١٢٠٣٤", "caractère non autorisé"),
            ("１７０１２７５１１２０３４", "caractère non autorisé"), ("170127511203400", "clé 00"),
        ])
    func nirInvalid(input: String, reason: String) throws {
        let result = try Run.releve(["nir", input])
        #expect(result.status == 65)
        #expect(result.stderr.contains(reason))
        #expect(result.stdout.isEmpty)
    }

    @Test("usage errors exit 64; --version and --help answer")
    func usage() throws {
        #expect(try Run.releve(["importer"]).status == 64)
        #expect(try Run.releve(["inconnue"]).status == 64)
        #expect(try Run.releve(["echantillon", "--assures", "0", "--sortie", "/tmp/x"]).status == 64)
        let version = try Run.releve(["--version"])
        #expect(version.status == 0)
        #expect(!version.stdout.isEmpty)
        let help = try Run.releve(["--help"])
        #expect(help.stdout.contains("importer"))
        #expect(help.stdout.contains("Codes de sortie"))
    }

    @Test("importer: a good file, the same again, then a bad one (file:line, exit 65, nothing changed)")
    func importer() throws {
        let directory = Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let base = directory.appendingPathComponent("r.sqlite").path
        let feed = directory.appendingPathComponent("feed.jsonl").path
        #expect(
            try Run.releve(["echantillon", "--assures", "20", "--mois", "6", "--fin", "2026-10", "--sortie", feed]).status == 0)
        let first = try Run.releve(["importer", "--base", base, feed])
        #expect(first.status == 0)
        #expect(first.stdout.contains("20 assurés ajoutés"))
        let again = try Run.releve(["importer", feed], environment: ["RELEVE_BASE": base])
        #expect(again.status == 0)
        #expect(again.stdout.contains("déjà importé"))
        let bad = Fixtures.write("{\"type\":\"paiement\"}\n", named: "bad.jsonl", in: directory)
        let refused = try Run.releve(["importer", "--base", base, bad, feed])
        #expect(refused.status == 65)
        #expect(refused.stderr.contains("bad.jsonl:1: champ « reference » manquant"))
        #expect(refused.stderr.contains("Fichiers non traités"))
        #expect(try Run.releve(["importer", "--base", base, directory.appendingPathComponent("absent.csv").path]).status == 66)
    }

    @Test("echantillon never leaves a partial file: an unwritable output exits 73")
    func unwritableOutput() throws {
        let directory = Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try Run.releve(["echantillon", "--assures", "2", "--sortie", directory.path])
        #expect(result.status == 73)
        #expect(result.stderr.contains("c'est un dossier"))
        let missing = try Run.releve(["echantillon", "--assures", "2", "--sortie", directory.path + "/absent/feed.jsonl"])
        #expect(missing.status == 73)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
    }

    @Test("demo builds a fresh database from SampleData")
    func demo() throws {
        let directory = Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let base = directory.appendingPathComponent("demo.sqlite").path
        let arguments = [
            "demo", "--preparer-seulement", "--base", base, "--donnees",
            Fixtures.packageRoot.appendingPathComponent("SampleData").path,
        ]
        let first = try Run.releve(arguments)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("8 assurés"))
        // Fresh each time: a second run rebuilds rather than finding the file already imported.
        let second = try Run.releve(arguments)
        #expect(second.status == 0)
        #expect(second.stdout.contains("importé en"))
    }
}

@Suite("CLI: a wrong --base")
struct WrongBaseTests {
    @Test("a file that is not a base: exit 74, a French reason, and no lock file left beside it")
    func notABase() throws {
        let directory = Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = Fixtures.write("# Notes\n", named: "README.md", in: directory)
        let result = try Run.releve(["admin", "audit", "--base", file])
        #expect(result.status == 74)
        #expect(result.stderr.contains("n'est pas une base Releve"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["README.md"])
    }
}
