import Foundation
import ReleveTestSupport
import Testing

/// The account journey driven through the real `releve` binary, as a person (or a script)
/// would: secrets on standard input only, the code read from the postal outbox, the link from
/// the e-mail spool.
@Suite("CLI: account journey", .serialized)
struct AccountJourneyTests {
    final class Sandbox: @unchecked Sendable {
        let directory = Fixtures.temporaryDirectory()
        /// The base: a file, or a fresh PostgreSQL database (its neighbours in `directory`).
        let base: String
        private let drop: (@Sendable () -> Void)?
        /// Where the base's neighbours are (the outbox, the archive…).
        var neighbours: String { drop == nil ? base : directory.appendingPathComponent("releve").path }
        var environment: [String: String] {
            [
                "RELEVE_BASE": base, "XDG_CONFIG_HOME": directory.appendingPathComponent("config").path,
                "RELEVE_DOSSIER": directory.path,
            ]
        }

        /// A base prepared with `releve demo --preparer-seulement` on the sample data, or, with
        /// `empty`, with nothing in it.
        init(postgres: Bool = false, empty: Bool = false) throws {
            if postgres {
                let database = try PostgresTestServer.database()
                base = database.url
                drop = database.drop
            } else {
                base = directory.appendingPathComponent("releve.sqlite").path
                drop = nil
            }
            if empty { return }
            let demo = try Run.releve(
                [
                    "demo", "--preparer-seulement", "--base", base, "--donnees",
                    Fixtures.packageRoot.appendingPathComponent("SampleData").path,
                ], environment: ["RELEVE_DOSSIER": directory.path])
            precondition(demo.status == 0, demo.stderr)
        }

        deinit {
            drop?()
            try? FileManager.default.removeItem(at: directory)
        }

        @discardableResult
        func run(_ arguments: [String], input: String? = nil) throws -> ProcessResult {
            try Run.releve(arguments, environment: environment, input: input)
        }

        /// Orders a code and reads it from the newest pending letter, as the print shop would.
        func orderCode(nir: String, name: String, birth: String, postalCode: String) throws -> String {
            let order = try run([
                "compte", "code-provisoire", "--nir", nir, "--nom", name, "--naissance", birth, "--code-postal", postalCode,
            ])
            precondition(order.status == 0, order.stderr)
            let list = try run(["admin", "courriers"]).stdout.split(separator: "\n").filter { $0.contains("code provisoire") }
            let id = String(list.last!.split(separator: " ")[0].dropFirst(2))
            let letter = try run(["admin", "courriers", "afficher", id]).stdout
            let line = letter.split(separator: "\n").first { $0.hasPrefix("Votre code provisoire : ") }!
            return line.dropFirst("Votre code provisoire : ".count).replacingOccurrences(of: " ", with: "")
        }

        func activate(
            nir: String, code: String, personal: String, question: Int = 1, answer: String = "Dupont", accept: String = "oui"
        )
            throws -> ProcessResult
        {
            try run(
                ["compte", "activer", "--nir", nir],
                input: [code, accept, code, personal, personal, String(question), answer, answer, "assure@exemple.fr"].joined(
                    separator: "\n")
                    + "\n")
        }

        func lastLink() throws -> String {
            let spool = neighbours + ".courriels"
            let files = try FileManager.default.contentsOfDirectory(atPath: spool).sorted()
            let mail = String(decoding: try Data(contentsOf: URL(fileURLWithPath: spool + "/" + files.last!)), as: UTF8.self)
            return String(mail.split(separator: "\r\n").first { $0.contains("jeton=") }!)
        }

        func login(nir: String, code: String) throws -> ProcessResult {
            try run(["connexion", "--nir", nir], input: code + "\n")
        }
    }

    @Test("order a code → open the account from the letter → confirm the e-mail → log in → see the account → log out")
    func journey() throws {
        try Self.journey(try Sandbox())
    }

    @Test(
        "the same journey on PostgreSQL (--base postgres://…): every command unchanged",
        .enabled(if: PostgresTestServer.url != nil, "no PostgreSQL cluster: Tests/postgres/grappe.sh demarrer"))
    func journeyOnPostgres() throws {
        try Self.journey(try Sandbox(postgres: true))
    }

    static func journey(_ box: Sandbox) throws {
        let nir = "1701275112034"
        let code = try box.orderCode(nir: nir, name: "Martin", birth: "03/12/1970", postalCode: "75012")
        #expect(code.count == 8)
        // Refusing the terms is a choice, not an error: exit 0, a clear sentence, nothing opened.
        let refused = try box.activate(nir: nir, code: code, personal: "39451827", accept: "non")
        #expect(refused.status == 0)
        #expect(refused.stdout.contains("votre compte n'est pas ouvert et rien n'a été modifié"))
        #expect(try box.run(["compte"]).status == 77)
        let opened = try box.activate(nir: nir, code: code, personal: "39451827")
        #expect(opened.status == 0, "\(opened.stderr)")
        #expect(opened.stdout.contains("Votre compte est ouvert"))
        #expect(opened.stderr.contains("Conditions d'utilisation"))
        let confirm = try box.run(["compte", "confirmer-email"], input: try box.lastLink() + "\n")
        #expect(confirm.status == 0)
        #expect(try box.run(["compte"]).status == 77)
        let login = try box.login(nir: nir, code: "39451827")
        #expect(login.status == 0, "\(login.stderr)")
        let sessionFile = box.directory.appendingPathComponent("config/releve/session").path
        let permissions = try FileManager.default.attributesOfItem(atPath: sessionFile)[.posixPermissions] as? Int
        #expect(permissions == 0o600)
        let account = try box.run(["compte"])
        #expect(account.status == 0)
        #expect(account.stdout.contains("M. Jean MARTIN"))
        #expect(account.stdout.contains("(confirmée)"))
        #expect(account.stdout.contains("complémentaire : Mutuelle des Services Publics (reçoit vos remboursements par NOEMIE)"))
        #expect(account.stdout.contains("Relevé d"), "\(account.stdout)")
        // The same, and the listings, for scripts: JSON with stable keys and numeric ids.
        let json = try box.run(["compte", "--format", "json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        // The API's shape (GET /api/v1/compte): the same keys on both faces.
        #expect(
            (object["nir"] as? String)?.filter(\.isNumber).hasPrefix(nir) == true && object["email_confirme"] as? Bool == true)
        #expect(object["courrier"] is String && object["courrier_explication"] is String)
        #expect(
            (object["beneficiaires"] as? [[String: Any]])?.first?["complementaire"] as? String == "Mutuelle des Services Publics")
        let letters = try box.run(["admin", "courriers", "lister", "--tous", "--format", "json"])
        let list = try #require(try JSONSerialization.jsonObject(with: Data(letters.stdout.utf8)) as? [[String: Any]])
        // The code was spent: its letter, never printed, was withdrawn.
        #expect(list.allSatisfy { $0["numero"] is Int } && !list.contains { $0["type"] as? String == "code_provisoire" })
        for listing in [["releves", "lister"], ["duplicata", "--suivi"]] {
            let output = try box.run(listing + ["--format", "json"])
            let parsed = try JSONSerialization.jsonObject(with: Data(output.stdout.utf8))
            #expect(output.status == 0 && parsed is [Any], "\(listing)")
        }
        // On a wide terminal the detailed view puts each act on one line, amounts in columns.
        var wide = box.environment
        wide["COLUMNS"] = "120"
        let detail = try Run.releve(["paiements", "--detail", "--mois", "27"], environment: wide)
        #expect(detail.status == 0, "\(detail.stderr)")
        let lines = detail.stdout.split(separator: "\n")
        #expect(lines.allSatisfy { $0.count <= 120 }, "\(lines.map(\.count).max() ?? 0)")
        #expect(lines.contains { $0.contains("Payé") && $0.contains("Base") && $0.contains("Remboursé") && $0.contains("Reste") })
        #expect(lines.contains { $0.hasPrefix("  ") && $0.contains("%") && $0.components(separatedBy: "€").count >= 5 })
        let narrow = try box.run(["paiements", "--detail", "--mois", "27"])
        #expect(narrow.stdout.split(separator: "\n").allSatisfy { $0.count <= 80 })
        let described = try box.run(["nir", nir, "--format", "json"])
        #expect(described.stdout.contains(#""mois_naissance" : 12"#), "\(described.stdout)")
        #expect(try box.run(["deconnexion"]).status == 0)
        let after = try box.run(["compte"])
        #expect(after.status == 77)
        #expect(after.stderr.contains("releve connexion"))
        let audit = try box.run(["admin", "audit", "--format", "json"]).stdout
        for kind in [
            #""kind":"provisional_code_request""#, #""kind":"account_opening""#, #""kind":"email_confirmation""#,
            #""kind":"login","outcome":"success""#, #""kind":"logout""#,
        ] {
            #expect(audit.contains(kind), "\(kind) not audited")
        }
        #expect(!audit.contains("39451827") && !audit.contains(nir))
        // For people, the same trail in French.
        let text = try box.run(["admin", "audit"]).stdout
        #expect(text.contains("connexion  réussite") && text.contains("demande de code provisoire  code émis"), "\(text)")
        #expect(!text.contains("39451827") && !text.contains(nir))
    }

    @Test("another régime: told whom to contact, with its own exit code (67), and no letter")
    func otherRegime() throws {
        let box = try Sandbox()
        let answer = try box.run([
            "compte", "code-provisoire", "--nir", "1480599999356", "--nom", "Duval", "--naissance", "30/05/1948",
            "--code-postal", "59000",
        ])
        #expect(answer.status == 67, "\(answer.status): \(answer.stderr)")
        #expect(answer.stdout.contains("Adressez-vous à"))
        #expect(try box.run(["admin", "courriers"]).stdout.contains("Aucun courrier en attente."))
    }

    @Test("problème d'accès: code forgotten, code never received, account locked — each solved by a new provisional code")
    func accessProblems() throws {
        let box = try Sandbox()
        // Forgotten: a new code by post resets the personal code (with the secret answer).
        let nir = "285032A004117"
        let first = try box.orderCode(nir: nir, name: "Santoni", birth: "17/03/1985", postalCode: "20000")
        #expect(try box.activate(nir: nir, code: first, personal: "39451827").status == 0)
        let second = try box.orderCode(nir: nir, name: "SANTONI", birth: "17/03/1985", postalCode: "20000")
        #expect(try box.login(nir: nir, code: "39451827").status == 0)  // still works until the new code is used
        let wrongAnswer = try box.activate(nir: nir, code: second, personal: "84061539", answer: "Durand")
        #expect(wrongAnswer.status == 77)
        let recovered = try box.activate(nir: nir, code: second, personal: "84061539")
        #expect(recovered.status == 0, "\(recovered.stderr)")
        #expect(try box.login(nir: nir, code: "39451827").status == 77)
        #expect(try box.login(nir: nir, code: "84061539").status == 0)

        // Never received: ordering again replaces the lost code.
        let other = "2880999109042"
        let lost = try box.orderCode(nir: other, name: "Muller", birth: "05/09/1988", postalCode: "67000")
        let resent = try box.orderCode(nir: other, name: "Müller", birth: "05/09/1988", postalCode: "67000")
        #expect(try box.activate(nir: other, code: lost, personal: "39451827").status == (lost == resent ? 0 : 77))
        #expect(try box.activate(nir: other, code: resent, personal: "39451827").status == (lost == resent ? 77 : 0))

        // Locked: ten wrong codes lock until a new provisional code is used.
        var last = try box.login(nir: other, code: "61829374")
        for _ in 0..<11 { last = try box.login(nir: other, code: "61829374") }
        #expect(last.status == 77)
        #expect(last.stderr.contains("commandez un nouveau code provisoire") || last.stderr.contains("bloqué"))
        let unlock = try box.orderCode(nir: other, name: "Müller", birth: "05/09/1988", postalCode: "67000")
        #expect(try box.activate(nir: other, code: unlock, personal: "84061539").status == 0)
        #expect(try box.login(nir: other, code: "84061539").status == 0)
    }

    @Test("an unknown NIR and a wrong code print the same; no secret is ever accepted as an argument")
    func enumerationAndArguments() throws {
        let box = try Sandbox()
        let nir = "1701275112034"
        let code = try box.orderCode(nir: nir, name: "Martin", birth: "03/12/1970", postalCode: "75012")
        #expect(try box.activate(nir: nir, code: code, personal: "39451827").status == 0)
        let wrong = try box.login(nir: nir, code: "61829374")
        let unknown = try box.login(nir: "1600497411006", code: "61829374")
        #expect(wrong.status == unknown.status)
        #expect(wrong.stderr == unknown.stderr)
        for foreign in ["٣٩٤٥١٨٢٧", "３９４５１８２７", "3945182７", String(repeating: "9", count: 10_000)] {
            let result = try box.login(nir: nir, code: foreign)
            #expect(result.status == 65)
            #expect(result.stderr.contains("Code personnel"))
        }
        #expect(try box.run(["connexion", "--nir", nir, "--code", "39451827"]).status == 64)
        #expect(try box.run(["compte", "activer", "--code-provisoire", code]).status == 64)
        let maintenance = try box.run(["admin", "maintenance", "on", "--message", "Retour à 14 h."])
        #expect(maintenance.status == 0)
        let during = try box.login(nir: nir, code: "39451827")
        #expect(during.status == 69)
        #expect(during.stderr.contains("Retour à 14 h."))
        #expect(try box.run(["admin", "courriers"]).status == 0)  // operator commands keep working
        #expect(try box.run(["admin", "maintenance", "off"]).status == 0)
        #expect(try box.login(nir: nir, code: "39451827").status == 0)
    }
}

@Suite("CLI: payments", .serialized)
struct PaymentsCLITests {
    @Test("paiements needs a session; the table fits 80 columns; an empty filter says so and exits 0")
    func payments() throws {
        let box = try AccountJourneyTests.Sandbox()
        let nir = "1701275112034"
        #expect(try box.run(["paiements"]).status == 77)
        let code = try box.orderCode(nir: nir, name: "Martin", birth: "03/12/1970", postalCode: "75012")
        #expect(try box.activate(nir: nir, code: code, personal: "39451827").status == 0)
        #expect(try box.login(nir: nir, code: "39451827").status == 0)
        for arguments in [["paiements", "--mois", "27"], ["paiements", "--mois", "27", "--detail"]] {
            let result = try box.run(arguments)
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout.contains("Total remboursé"))
            for line in result.stdout.split(separator: "\n") { #expect(line.count <= 80, "\(line)") }
        }
        let none = try box.run(["paiements", "--mois", "27", "--nature", "indemnites_journalieres"])
        #expect(none.status == 0)
        #expect(none.stdout.contains("Aucun paiement"))
        let json = try box.run(["paiements", "--mois", "27", "--format", "json"])
        #expect(json.status == 0)
        #expect(json.stdout.contains("\"vue\" : \"synthetique\""))
        #expect(try box.run(["paiements", "--mois", "28"]).status == 64)
        #expect(try box.run(["paiements", "--beneficiaire", "Inconnu"]).status == 65)
        let doctor = try box.run(["medecin-traitant"])
        #expect(doctor.stdout.contains("Dr Claire Bernard"))
    }
}

@Suite("CLI: statements", .serialized)
struct StatementsCLITests {
    @Test("issue a month, list, download, verify; a tampered file, a directory and a month not issued are refused")
    func statements() throws {
        let box = try AccountJourneyTests.Sandbox()
        let nir = "1701275112034"
        let code = try box.orderCode(nir: nir, name: "Martin", birth: "03/12/1970", postalCode: "75012")
        #expect(try box.activate(nir: nir, code: code, personal: "39451827").status == 0)
        #expect(try box.login(nir: nir, code: "39451827").status == 0)
        #expect(try box.run(["releves"]).stdout.contains("Aucun relevé"))
        let issued = try box.run(["admin", "releves", "emettre", "--mois", "2026-09"])
        #expect(issued.status == 0, "\(issued.stderr)")
        #expect(try box.run(["admin", "releves", "emettre", "--mois", "2026-09"]).stdout.contains(" 0 émis"))
        let list = try box.run(["releves"])
        #expect(list.stdout.contains("septembre 2026"))
        let pdf = box.directory.appendingPathComponent("septembre.pdf").path
        let download = try box.run(["releves", "telecharger", "2026-09", "--sortie", pdf])
        #expect(download.status == 0, "\(download.stderr)")
        #expect(try box.run(["releves", "verifier", pdf]).stdout.contains("Authentique"))
        var bytes = try Data(contentsOf: URL(fileURLWithPath: pdf))
        bytes.append(0x0A)
        try bytes.write(to: URL(fileURLWithPath: pdf))
        #expect(try box.run(["releves", "verifier", pdf]).status == 65)
        #expect(try box.run(["releves", "telecharger", "2026-09", "--sortie", box.directory.path]).status == 73)
        #expect(try box.run(["releves", "telecharger", "2026-08", "--sortie", pdf + "2"]).status == 65)
        #expect(!FileManager.default.fileExists(atPath: pdf + "2"))
        #expect(try box.run(["admin", "releves", "emettre", "--mois", "2099-01"]).status == 65)
    }
}
