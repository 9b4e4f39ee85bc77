import Foundation
import ReleveTestSupport
import Testing

/// `releve connexion --franceconnect` through the real binary, as RFC 8252 describes a native
/// app: the address printed, the browser (here curl) signing in at the real test provider and
/// following its redirect to the loopback port, then the same session file as the code login.
@Suite("CLI: FranceConnect", .serialized)
struct FranceConnectCLITests {
    final class Sandbox: @unchecked Sendable {
        let directory = Fixtures.temporaryDirectory()
        let provider: TestProvider
        var base: String { directory.appendingPathComponent("releve.sqlite").path }
        var environment: [String: String] {
            [
                "RELEVE_BASE": base, "XDG_CONFIG_HOME": directory.appendingPathComponent("config").path,
                "RELEVE_FC_EMETTEUR": provider.issuer, "RELEVE_FC_CLIENT": provider.clientID,
                "RELEVE_FC_SECRET": provider.clientSecret, "DISPLAY": "",
            ]
        }

        init() throws {
            provider = try TestProvider()
            let demo = try Run.releve([
                "demo", "--preparer-seulement", "--base", base, "--donnees",
                Fixtures.packageRoot.appendingPathComponent("SampleData").path,
            ])
            precondition(demo.status == 0, demo.stderr)
        }

        deinit { try? FileManager.default.removeItem(at: directory) }

        /// Runs `releve connexion --franceconnect`, signs in at the provider as `subject` when
        /// the address shows, follows the redirect like a browser; `input` answers the prompts.
        func federatedLogin(as subject: String, input: String = "") throws -> (ProcessResult, browser: String) {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: Fixtures.releveBinary)
            process.arguments = ["connexion", "--franceconnect", "--sans-navigateur"]
            var env = ProcessInfo.processInfo.environment
            for (key, value) in environment { env[key] = value }
            process.environment = env
            let out = Pipe()
            let err = Pipe()
            let stdin = Pipe()
            process.standardOutput = out
            process.standardError = err
            process.standardInput = stdin
            try process.run()
            stdin.fileHandleForWriting.write(Data(input.utf8))
            try? stdin.fileHandleForWriting.close()
            var printed = Data()
            var url: String?
            while url == nil {
                let chunk = out.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                printed.append(chunk)
                url = String(decoding: printed, as: UTF8.self).split(separator: "\n").first { $0.hasPrefix("http") }
                    .map(String.init)
            }
            var browser = ""
            if let url {
                browser = try TestProvider.browse(try provider.redirect(url, as: subject))
            }
            printed.append(out.fileHandleForReading.readDataToEndOfFile())
            let errors = err.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return (
                ProcessResult(
                    status: process.terminationStatus, stdout: String(decoding: printed, as: UTF8.self),
                    stderr: String(decoding: errors, as: UTF8.self)), browser
            )
        }

        func run(_ arguments: [String]) throws -> ProcessResult {
            try Run.releve(arguments, environment: environment)
        }
    }

    @Test("an assuré with an account signs in with FranceConnect and uses the CLI as after a code login")
    func login() throws {
        let box = try Sandbox()
        // The demo base opens no account: the first login opens hers, the second finds it.
        let (first, _) = try box.federatedLogin(as: "fc-marie-ange-santoni", input: "oui\nmarie-ange@exemple.fr\n")
        #expect(first.status == 0, "\(first.stderr)")
        #expect(try box.run(["deconnexion"]).status == 0)
        let (result, browser) = try box.federatedLogin(as: "fc-marie-ange-santoni")
        #expect(result.status == 0, "\(result.stderr) \(result.stdout)")
        #expect(result.stdout.contains("ouvrez cette adresse dans votre navigateur"))
        #expect(result.stdout.contains("Bienvenue, "))
        #expect(!result.stdout.contains("pas encore de compte"))
        #expect(browser.contains("vous pouvez fermer cette fenêtre"))
        let account = try box.run(["compte"])
        #expect(account.status == 0)
        #expect(account.stdout.contains("Santoni") || account.stdout.contains("SANTONI"))
        // Just signed in with FranceConnect: a sensitive change asks no code.
        let email = try box.run(["compte", "email", "--nouvelle", "marie-ange.nouvelle@exemple.fr"])
        #expect(email.status == 0, "\(email.stderr)")
        #expect(email.stderr.contains("aucun code n'est demandé"))
        #expect(try box.run(["deconnexion"]).status == 0)
    }

    @Test("an identity without an account opens one from the terminal (terms, e-mail)")
    func opening() throws {
        let box = try Sandbox()
        let (result, _) = try box.federatedLogin(as: "fc-ghjulia-albertini", input: "oui\nghjulia@exemple.fr\n")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("Vous n'avez pas encore de compte Releve"))
        #expect(result.stdout.contains("Compte ouvert"))
        #expect(try box.run(["compte"]).status == 0)
        // Refusing the terms opens nothing.
        #expect(try box.run(["deconnexion"]).status == 0)
        let (refused, _) = try box.federatedLogin(as: "fc-anna-muller", input: "non\n")
        #expect(refused.status == 65)
        #expect(refused.stderr.contains("aucun compte n'a été créé"))
        #expect(try box.run(["compte"]).status == 77)
    }

    @Test("no match: a French refusal that points at the code journey, exit 68, no session")
    func noMatch() throws {
        let box = try Sandbox()
        let (result, _) = try box.federatedLogin(as: "fc-inconnu")
        #expect(result.status == 68)
        #expect(result.stderr.contains("ne correspond à aucun assuré"))
        #expect(result.stderr.contains("releve compte code-provisoire"))
        #expect(try box.run(["compte"]).status == 77)
    }

    @Test("the operator's check reads discovery and keys, and says what is missing")
    func operatorCheck() throws {
        let box = try Sandbox()
        let ready = try box.run(["admin", "franceconnect", "verifier"])
        #expect(ready.status == 0, "\(ready.stdout)")
        #expect(ready.stdout.contains("Jeu de clés lu : 2 clés"))
        #expect(!ready.stdout.contains(box.provider.clientSecret))
        box.provider.stop()
        let down = try box.run(["admin", "franceconnect", "verifier"])
        #expect(down.status == 69)
        #expect(down.stdout.contains("✗ Découverte"))
    }
}
