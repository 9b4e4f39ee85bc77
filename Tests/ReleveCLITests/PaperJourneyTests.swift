import Foundation
import RelevePDF
import ReleveTestSupport
import Testing

/// Paper delivery through the real binary, with the clock moved by Debian's libfaketime:
/// open an account → paperless → cancel → the next statement is in the print batch and login
/// is refused → reopen → paper for the month of reopening, paperless the month after; and a
/// duplicata followed from request to posting.
@Suite("CLI: paper journey", .serialized)
struct PaperJourneyTests {
    final class Sandbox: @unchecked Sendable {
        let directory = Fixtures.temporaryDirectory()
        var base: String { directory.appendingPathComponent("releve.sqlite").path }
        var environment: [String: String] {
            ["RELEVE_BASE": base, "XDG_CONFIG_HOME": directory.appendingPathComponent("config").path]
        }
        let nir = "1701275112034"
        let code = "39451827"

        init() throws {
            let feed = directory.appendingPathComponent("flux.jsonl").path
            let made = try Run.releve([
                // Oct 2026 – Mar 2027: Jean Martin has payments every month from October to January.
                "echantillon", "--assures", "8", "--mois", "6", "--fin", "2027-03", "--graine", "2010", "--sortie", feed,
            ])
            precondition(made.status == 0, made.stderr)
            let imported = try Run.releve(["importer", feed], environment: environment)
            precondition(imported.status == 0, imported.stderr)
        }

        deinit { try? FileManager.default.removeItem(at: directory) }

        @discardableResult
        func run(_ arguments: [String], at clock: String, input: String? = nil) throws -> ProcessResult {
            try Run.releve(arguments, environment: environment, input: input, clock: clock)
        }

        /// Orders a provisional code and opens (or reopens) the account with it, on `day`.
        func open(on day: String) throws {
            let order = try run(
                [
                    "compte", "code-provisoire", "--nir", nir, "--nom", "Martin", "--naissance", "03/12/1970", "--code-postal",
                    "75012",
                ], at: "\(day) 09:00:00")
            precondition(order.status == 0, order.stderr)
            let list = try run(["admin", "courriers"], at: "\(day) 09:01:00").stdout.split(separator: "\n")
            let id = String(list.last { $0.contains("code provisoire") }!.split(separator: " ")[0].dropFirst(2))
            let letter = try run(["admin", "courriers", "afficher", id], at: "\(day) 09:01:00").stdout
            let line = letter.split(separator: "\n").first { $0.hasPrefix("Votre code provisoire : ") }!
            let provisional = line.dropFirst("Votre code provisoire : ".count).replacingOccurrences(of: " ", with: "")
            let opened = try run(
                ["compte", "activer", "--nir", nir], at: "\(day) 09:02:00",
                input: [provisional, "oui", provisional, code, code, "1", "Dupont", "Dupont", "jean.martin@exemple.fr"].joined(
                    separator: "\n") + "\n")
            precondition(opened.status == 0, opened.stderr + opened.stdout)
            let spool = base + ".courriels"
            let newest = try FileManager.default.contentsOfDirectory(atPath: spool).sorted().last!
            let mail = try String(contentsOfFile: spool + "/" + newest, encoding: .utf8)
            let link = String(mail.split(separator: "\r\n").first { $0.contains("jeton=") } ?? "")
            if !link.isEmpty {
                let confirmed = try run(["compte", "confirmer-email"], at: "\(day) 09:03:00", input: link + "\n")
                precondition(confirmed.status == 0, confirmed.stderr)
            }
        }

        func login(at clock: String) throws -> ProcessResult {
            try run(["connexion", "--nir", nir], at: clock, input: code + "\n")
        }

        /// Monthly-statement letters waiting for this assuré (masked NIR "1 70 12 …").
        func pendingStatementLetters(at clock: String) throws -> Int {
            try run(["admin", "courriers"], at: clock).stdout.split(separator: "\n")
                .filter { $0.contains("relevé mensuel") && $0.contains("1 70 12") }.count
        }

        func issue(_ month: String, at clock: String) throws -> ProcessResult {
            try run(["admin", "releves", "emettre", "--mois", month, "--sans-vignettes"], at: clock)
        }
    }

    @Test("cancel → the next statement is printed, login refused → reopen → paperless again from the following month")
    func cancelAndReopen() throws {
        let box = try Sandbox()
        try box.open(on: "2026-09-20")

        // October: the account was open from 1 October through issuing → paperless, with an e-mail notice.
        let october = try box.issue("2026-10", at: "2026-11-02 06:00:00")
        #expect(october.status == 0, "\(october.stderr)")
        #expect(october.stdout.contains("1 avis envoyé par e-mail"), "\(october.stdout)")
        #expect(try box.pendingStatementLetters(at: "2026-11-02 06:10:00") == 0)
        let rule = try box.run(["compte", "courrier"], at: "2026-11-02 08:00:00")
        #expect(rule.status != 0)  // not logged in yet
        #expect(try box.login(at: "2026-11-02 08:00:00").status == 0)
        let shown = try box.run(["compte", "courrier"], at: "2026-11-02 08:01:00")
        #expect(shown.stdout.contains("relevé dématérialisé"), "\(shown.stdout)")

        // Cancellation on 5 November: wrong code, then no confirmation, change nothing.
        #expect(try box.login(at: "2026-11-05 10:00:00").status == 0)
        let wrong = try box.run(["compte", "resilier"], at: "2026-11-05 10:01:00", input: "11112222\nRESILIER\n")
        #expect(wrong.status == 65 && wrong.stderr.contains("incorrect"), "\(wrong.stderr)")
        let unconfirmed = try box.run(["compte", "resilier"], at: "2026-11-05 10:02:00", input: "\(box.code)\nnon\n")
        #expect(unconfirmed.status == 65 && unconfirmed.stderr.contains("n'a pas été confirmée"), "\(unconfirmed.stderr)")
        let cancelled = try box.run(["compte", "resilier"], at: "2026-11-05 10:03:00", input: "\(box.code)\nRESILIER\n")
        #expect(cancelled.status == 0, "\(cancelled.stderr)")
        #expect(cancelled.stdout.contains("Votre compte est résilié"))
        #expect(cancelled.stderr.contains("de nouveau envoyés par courrier"))
        let again = try box.run(["compte", "resilier"], at: "2026-11-05 10:04:00", input: "\(box.code)\nRESILIER\n")
        #expect(again.status == 77, "\(again.stderr)")
        let refused = try box.login(at: "2026-11-05 10:05:00")
        #expect(refused.status == 77)
        #expect(refused.stderr.contains("résilié"), "\(refused.stderr)")

        // November is issued after the cancellation: it goes by post, into the print batch with the confirmation.
        #expect(try box.issue("2026-11", at: "2026-12-02 06:00:00").status == 0)
        #expect(try box.pendingStatementLetters(at: "2026-12-02 06:10:00") == 1)
        let lot = try box.run(["admin", "courriers", "lot", "--date", "2026-12-02"], at: "2026-12-02 07:00:00")
        #expect(lot.status == 0, "\(lot.stderr)")
        let manifest = try String(contentsOfFile: box.base + ".lots/LOT-20261202.csv", encoding: .utf8)
        let mine = manifest.split(separator: "\r\n").filter { $0.contains("1 70 12") }
        #expect(mine.contains { $0.contains("releve_mensuel") } && mine.contains { $0.contains("resiliation") }, "\(manifest)")
        let pdf = try PDFReader(bytes: Array(try Data(contentsOf: URL(fileURLWithPath: box.base + ".lots/LOT-20261202-001.pdf"))))
        let text = pdf.pagesText().joined(separator: "\n")
        #expect(text.contains("12 rue de Charenton") && text.contains("novembre 2026"))
        #expect(text.contains("Nous vous confirmons la résiliation de votre compte Releve le 5 novembre 2026"))
        #expect(pdf.pageCount % 2 == 0)

        // Reopened on 10 December: access is back; December still by post, January paperless.
        try box.open(on: "2026-12-10")
        #expect(try box.login(at: "2026-12-10 10:00:00").status == 0)
        let listed = try box.run(["releves", "lister"], at: "2026-12-10 10:01:00")
        #expect(listed.stdout.contains("novembre 2026"), "\(listed.stdout)")
        let december = try box.issue("2026-12", at: "2027-01-04 06:00:00")
        #expect(december.status == 0, "\(december.stderr)")
        #expect(try box.pendingStatementLetters(at: "2027-01-04 06:10:00") == 1)
        let january = try box.issue("2027-01", at: "2027-02-02 06:00:00")
        #expect(january.status == 0)
        #expect(try box.pendingStatementLetters(at: "2027-02-02 06:10:00") == 1)  // still only December's
    }

    @Test("a duplicata: asked twice gives one request, printed with its mark, followed to posting")
    func duplicata() throws {
        let box = try Sandbox()
        try box.open(on: "2026-09-20")
        #expect(try box.issue("2026-10", at: "2026-11-02 06:00:00").status == 0)
        #expect(try box.login(at: "2026-11-03 10:00:00").status == 0)
        let missing = try box.run(["duplicata", "2026-09"], at: "2026-11-03 10:01:00")
        #expect(missing.status == 65 && missing.stderr.contains("aucun relevé"), "\(missing.stderr)")
        let first = try box.run(["duplicata", "2026-10"], at: "2026-11-03 10:02:00")
        #expect(first.status == 0 && first.stdout.contains("demandé"), "\(first.stderr)")
        let second = try box.run(["duplicata", "2026-10"], at: "2026-11-03 10:03:00")
        #expect(second.status == 0 && second.stdout.contains("déjà demandé"), "\(second.stdout)")
        let follow = try box.run(["duplicata", "--suivi"], at: "2026-11-03 10:04:00")
        #expect(follow.stdout.split(separator: "\n").count == 1 && follow.stdout.contains("demandé le 3 novembre 2026"))

        let lot = try box.run(["admin", "courrier", "lot", "--date", "2026-11-03"], at: "2026-11-03 18:00:00")
        #expect(lot.status == 0, "\(lot.stderr)")
        let path = box.base + ".lots/LOT-20261103-001.pdf"
        let pdf = try PDFReader(bytes: Array(try Data(contentsOf: URL(fileURLWithPath: path))))
        let text = pdf.pagesText().joined(separator: "\n")
        #expect(text.contains("DUPLICATA — demandé le 3 novembre 2026"))
        #expect(text.contains("duplicata de votre relevé d'octobre 2026"))
        #expect(text.contains("12 rue de Charenton"))
        let rerun = try box.run(["admin", "courrier", "lot", "--date", "2026-11-03"], at: "2026-11-03 18:05:00")
        #expect(rerun.stdout.contains("existe déjà"))
        #expect(try box.run(["duplicata", "--suivi"], at: "2026-11-03 18:06:00").status == 77)  // idle session expired
        #expect(try box.run(["admin", "courrier", "poste", "LOT-20261103"], at: "2026-11-04 09:00:00").status == 0)
        #expect(try box.login(at: "2026-11-04 10:00:00").status == 0)
        let posted = try box.run(["duplicata", "--suivi"], at: "2026-11-04 10:01:00")
        #expect(posted.stdout.contains("posté le 4 novembre 2026"), "\(posted.stdout)")
    }
}
