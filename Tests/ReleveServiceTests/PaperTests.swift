import Foundation
import ReleveDomain
import RelevePDF
import ReleveStore
import ReleveTestSupport
import Testing

@testable import ReleveService

/// Paper delivery with the sample assurés: who gets paper for which month, cancellation and
/// reopening, duplicatas, print batches and complementary-insurer exports.
@Suite("Paper delivery")
struct PaperTests {
    /// The committed sample (Jan 2023 – Oct 2026) in an account world, with an archive.
    final class World: @unchecked Sendable {
        let accounts: AccountWorld
        let directory = Fixtures.temporaryDirectory()
        var store: SQLiteStore { accounts.store }
        var service: AccountService { accounts.service }
        var statements: StatementService {
            StatementService(
                store: store, archive: directory.appendingPathComponent("archives").path,
                notices: (service.mail, service.publicURL))
        }
        var printing: PrintService {
            PrintService(
                store: store, archive: directory.appendingPathComponent("archives").path,
                directory: directory.appendingPathComponent("lots").path)
        }
        var exports: InsurerExportService {
            InsurerExportService(store: store, directory: directory.appendingPathComponent("exports").path)
        }
        static let muller = (nir: "2880999109042", name: "Müller", birth: "05/09/1988", postalCode: "67000")
        static let martin = "1701275112034"

        init(sample: Bool = true) async throws {
            accounts = try await AccountWorld()
            if sample {
                _ = try await FeedImporter(store: accounts.store).importFile(
                    at: Fixtures.packageRoot.appendingPathComponent("SampleData/echantillon.jsonl").path, now: accounts.now)
            }
        }

        deinit { try? FileManager.default.removeItem(at: directory) }

        func at(_ text: String) {
            accounts.now = ISO8601DateFormatter().date(from: text)!
        }

        /// Opens Anna Müller's account (born in Germany; her complémentaire has no NOEMIE link).
        func openMuller() async throws {
            let who = Self.muller
            let code = try await accounts.orderCode(
                nir: who.nir, lastName: who.name, birthDate: who.birth, postalCode: who.postalCode)
            var request = accounts.openingRequest(code: code, email: "anna.muller@exemple.de")
            request.nir = who.nir
            _ = try await service.openAccount(request, channel: .cli, now: accounts.now)
        }

        func issue(_ month: String, on day: String) async throws -> StatementService.IssueSummary {
            at("\(day)T06:00:00Z")
            return try await statements.issue(
                month: try Month(parsing: month), today: Fixtures.date(day), now: accounts.now, workers: 1, thumbnails: false)
        }

        /// Pending monthly-statement letters of this NIR.
        func postalStatements(_ nir: String) async throws -> Int {
            try await store.letters().filter { $0.kind == .monthlyStatement && $0.nir?.body == String(nir.prefix(13)) }.count
        }

        func login() async throws -> String {
            try await service.login(nir: Self.martin, code: AccountWorld.goodCode, channel: .cli, now: accounts.now).token
        }

        /// Jean Martin with a payment in October too, his account opened on 20 August, September issued.
        static func withMartinsAccount() async throws -> World {
            let world = try await World()
            try await world.addPayments(
                [Fixtures.consultation(reference: "751-X-10", careDate: "2026-10-12", paidOn: "2026-10-16")], ledger: "october")
            world.at("2026-08-20T10:00:00Z")
            try await world.accounts.openAccount()
            _ = try await world.issue("2026-09", on: "2026-10-02")
            return world
        }

        func addPayments(_ payments: [Payment], ledger: String) async throws {
            _ = try await store.importFile(ImportLedgerEntry(sha256: ledger, fileName: ledger, importedAt: "x")) { session in
                for payment in payments { _ = try await session.insert(payment) }
            }
        }
    }

    @Test("paperless for an account holder, paper and online under the NOEMIE exception, paper without an account")
    func whoGetsPaper() async throws {
        let world = try await World()
        world.at("2026-08-20T10:00:00Z")
        try await world.accounts.openAccount()
        try await world.openMuller()
        let september = try await world.issue("2026-09", on: "2026-10-02")
        let persons = try await world.store.statements(month: try Month(parsing: "2026-09")).count
        #expect(try await world.postalStatements(World.martin) == 0)
        #expect(try await world.postalStatements(World.muller.nir) == 1)
        // Every assuré without an account, and Anna Müller, get paper: all but Jean Martin.
        #expect(september.byPost == persons - 1)
        // Notices: Jean Martin confirmed his e-mail; Anna Müller did not confirm hers, so none for her.
        #expect(september.notices == 1)
        #expect(
            try world.accounts.mails().last?.contains("relevé mensuel de remboursements de septembre 2026 est disponible") == true
        )

        // What each is told.
        world.at("2026-10-03T10:00:00Z")
        let martin = try await world.service.authenticate(token: try await world.login(), now: world.accounts.now)
        #expect(try await world.service.delivery(martin, now: world.accounts.now).mode == .online)
        let muller = try await world.service.authenticate(
            token: try await world.service.login(
                nir: World.muller.nir, code: AccountWorld.goodCode, channel: .cli, now: world.accounts.now
            ).token, now: world.accounts.now)
        let rule = try await world.service.delivery(muller, now: world.accounts.now).mode
        #expect(rule.byPost && rule.online)
        #expect(rule.explanation.contains("NOEMIE"))
    }

    @Test("cancelled: paper from the month being issued, login refused; reopened: paper that month, paperless after")
    func cancellationAndReopening() async throws {
        let world = try await World.withMartinsAccount()
        #expect(try await world.postalStatements(World.martin) == 0)

        world.at("2026-10-10T10:00:00Z")
        let token = try await world.login()
        await #expect(throws: ServiceError.self) {
            try await world.service.cancelAccount(
                token: token, code: AccountWorld.goodCode, confirmed: false, channel: .cli, now: world.accounts.now)
        }
        let message = try await world.service.cancelAccount(
            token: token, code: AccountWorld.goodCode, confirmed: true, channel: .cli, now: world.accounts.now)
        #expect(message.contains("à partir de celui d'octobre 2026"))
        #expect(try await world.store.letters().contains { $0.kind == .cancellation && $0.nir?.body == "1701275112034" })
        #expect(try world.accounts.mails().last?.contains("Votre compte Releve a été résilié le 10 octobre 2026") == true)
        await expectError({ if case .notAuthenticated(.revoked) = $0 { true } else { false } }) {
            _ = try await world.service.authenticate(token: token, now: world.accounts.now)
        }
        await expectError({ if case .accountClosed = $0 { true } else { false } }) { _ = try await world.login() }
        #expect(try await world.store.auditEvents(limit: 20).contains { $0.kind == "cancellation" && $0.outcome == "success" })

        _ = try await world.issue("2026-10", on: "2026-11-02")
        #expect(try await world.postalStatements(World.martin) == 1)

        world.at("2026-11-10T10:00:00Z")
        // A new provisional code reopens the account (the e-mail, unchanged, stays confirmed).
        let code = try await world.accounts.orderCode()
        #expect(
            try await world.service.openAccount(world.accounts.openingRequest(code: code), channel: .cli, now: world.accounts.now)
                .kind == .reopening)
        #expect(try await !world.login().isEmpty)
        #expect(try await world.store.accountPeriods(of: InsuredPerson.ID(1)).count == 2)
        try await world.addPayments(
            [
                Fixtures.consultation(reference: "751-X-11", careDate: "2026-11-12", paidOn: "2026-11-16"),
                Fixtures.consultation(reference: "751-X-12", careDate: "2026-12-08", paidOn: "2026-12-11"),
            ], ledger: "later")
        _ = try await world.issue("2026-11", on: "2026-12-02")
        #expect(try await world.postalStatements(World.martin) == 2)  // November: reopened on the 10th
        _ = try await world.issue("2026-12", on: "2027-01-04")
        #expect(try await world.postalStatements(World.martin) == 2)  // December: paperless again
    }

    @Test("a duplicata asked twice is one request; quota; a month not the assuré's answers like a missing one")
    func duplicata() async throws {
        let world = try await World.withMartinsAccount()
        _ = try await world.issue("2026-10", on: "2026-11-02")
        // December: only Jean-Claude Hoarau has a payment.
        try await world.addPayments(
            [Fixtures.consultation(reference: "974-X-1", nir: "1600497411005", careDate: "2026-12-01", paidOn: "2026-12-03")],
            ledger: "hoarau")
        _ = try await world.issue("2026-11", on: "2026-12-02")
        _ = try await world.issue("2026-12", on: "2027-01-02")

        world.at("2027-01-05T10:00:00Z")
        let user = try await world.service.authenticate(token: try await world.login(), now: world.accounts.now)
        func failure(_ month: String) async -> String {
            do {
                _ = try await world.service.requestDuplicata(
                    user, month: try Month(parsing: month), channel: .cli, now: world.accounts.now)
                return "accepted"
            } catch let error as ServiceError { return error.message } catch { return "\(error)" }
        }
        let notIssued = await failure("2027-03")
        let someoneElses = await failure("2026-12")
        #expect(notIssued.contains("aucun relevé émis pour mars 2027"))
        #expect(someoneElses == notIssued.replacingOccurrences(of: "mars 2027", with: "décembre 2026"))

        let first = try await world.service.requestDuplicata(
            user, month: try Month(parsing: "2026-10"), channel: .cli, now: world.accounts.now)
        guard case .requested = first else { return #expect(Bool(false), "\(first)") }
        let second = try await world.service.requestDuplicata(
            user, month: try Month(parsing: "2026-10"), channel: .cli, now: world.accounts.now)
        #expect(second == .alreadyRequested(first.request))
        #expect(try await world.service.duplicatas(user).count == 1)

        try await world.service.setDuplicataQuota(1, now: world.accounts.now)
        await #expect(throws: ServiceError.self) {
            try await world.service.requestDuplicata(
                user, month: try Month(parsing: "2026-09"), channel: .cli, now: world.accounts.now)
        }
        let audits = try await world.store.auditEvents(limit: 50).filter { $0.kind == "duplicata" }.map(\.outcome)
        #expect(audits.sorted() == ["already_pending", "over_quota", "requested"])

        // Printed: the cover letter, then the archived pages under the DUPLICATA band, amounts included.
        guard
            case .created(let batch, _, _) = try await world.printing.makeBatch(
                date: Fixtures.date("2027-01-05"), now: world.accounts.now)
        else { return #expect(Bool(false)) }
        let bytes = Array(try Data(contentsOf: world.directory.appendingPathComponent("lots/\(batch.file)")))
        let text = try PDFReader(bytes: bytes).pagesText().joined(separator: "\n")
        let statement = try #require(
            try await world.store.statements(of: user.person.id).first { $0.month.description == "2026-10" })
        #expect(text.contains("DUPLICATA — demandé le 5 janvier 2027 — \(statement.reference)"))
        #expect(text.contains(statement.reimbursed.formattedNumber))
        #expect(try await world.service.duplicatas(user).first?.status == .printed)
        // The archive is untouched.
        let archived = Array(try Data(contentsOf: world.directory.appendingPathComponent("archives/\(statement.file)")))
        #expect(StatementService.sha256(archived) == statement.sha256)
    }

    @Test("print batch: empty outbox, provisional codes wiped once printed, an address that cannot fit stays pending")
    func printBatch() async throws {
        let world = try await World(sample: false)
        world.at("2026-11-27T12:00:00Z")
        #expect(
            try await world.printing.makeBatch(date: Fixtures.date("2026-11-27"), now: world.accounts.now) == .empty(skipped: []))
        _ = try await world.accounts.orderCode()
        let long = try InsuredPerson(
            nir: NIR(parsing: "1600497411005"), lastName: "Hoarau", firstNames: "Jean-Claude",
            birthDate: CivilDate(parsing: "1960-04-21"),
            address: PostalAddress(
                lines: [
                    "Résidence des Flamboyants du Grand Large, bâtiment A", "Appartement 1204, escalier C, 12e étage",
                    "Chemin des Anciens Moulins de la Rivière des Pluies", "Lieu-dit La Montagne des Trois Bassins",
                ], postalCode: "97400", city: "Saint-Denis"), regime: .general,
            caisse: Caisse(code: "974", name: "CGSS de La Réunion"),
            doctor: nil, longTermCondition: false,
            beneficiaries: [
                Beneficiary(rank: 1, firstName: "Jean-Claude", birthDate: CivilDate(parsing: "1960-04-21"), complementaire: nil)
            ])
        _ = try await world.store.importFile(ImportLedgerEntry(sha256: "long", fileName: "long", importedAt: "x")) { session in
            _ = try await session.upsert(long)
        }
        _ = try await world.service.requestProvisionalCode(
            nir: "1600497411005", lastName: "Hoarau", birthDate: "21/04/1960", postalCode: "97400", channel: .cli,
            now: world.accounts.now)
        let result = try await world.printing.makeBatch(date: Fixtures.date("2026-11-27"), now: world.accounts.now)
        guard case .created(let batch, let skipped, _) = result else { return #expect(Bool(false), "\(result)") }
        #expect(batch.letters == 1 && batch.pages == 2)
        #expect(skipped.count == 1 && skipped[0].reason.contains("fenêtre"))
        let letters = try await world.store.letters(all: true)
        let printed = try #require(letters.first { $0.status == .printed })
        #expect(printed.body.contains("effacé") && !printed.body.contains("Votre code provisoire"))
        #expect(letters.first { $0.status == .pending }?.nir?.body == "1600497411005")
        let text = try PDFReader(
            bytes: Array(try Data(contentsOf: world.directory.appendingPathComponent("lots/\(batch.file)")))
        ).pagesText()[0]
        #expect(text.contains("Votre code provisoire : ") && text.contains("75012 PARIS"))
        // Posting.
        let posted = try await world.printing.markPosted(reference: batch.reference, now: world.accounts.now)
        #expect(!posted.alreadyPosted && posted.batch.postedAt != nil)
        #expect(try await world.printing.markPosted(reference: batch.reference, now: world.accounts.now).alreadyPosted)
        await #expect(throws: ServiceError.self) {
            try await world.printing.markPosted(reference: "LOT-19990101", now: world.accounts.now)
        }
    }

    @Test("a large batch is split in volumes; the manifest says which file and page each letter starts on")
    func volumes() async throws {
        let world = try await World()
        let summary = try await world.issue("2026-09", on: "2026-10-02")
        world.at("2026-10-02T10:00:00Z")
        let printing = PrintService(
            store: world.store, archive: world.directory.appendingPathComponent("archives").path,
            directory: world.directory.appendingPathComponent("lots").path, volumeSize: 3)
        guard
            case .created(let batch, _, _) = try await printing.makeBatch(
                date: Fixtures.date("2026-10-02"), now: world.accounts.now)
        else { return #expect(Bool(false)) }
        #expect(batch.letters == summary.byPost && batch.volumes == (summary.byPost + 2) / 3)
        let manifest = try String(
            contentsOf: world.directory.appendingPathComponent("lots/\(batch.manifest)"), encoding: .utf8
        ).split(separator: "\r\n").dropFirst().map { $0.split(separator: ",") }
        #expect(Set(manifest.map { String($0[3]) }) == Set(batch.volumeFiles))
        var pages = 0
        for file in batch.volumeFiles {
            let reader = try PDFReader(bytes: Array(try Data(contentsOf: world.directory.appendingPathComponent("lots/\(file)"))))
            #expect(reader.pageCount % 2 == 0)  // every letter starts on a recto
            pages += reader.pageCount
        }
        #expect(pages == batch.pages)
        #expect(try await printing.makeBatch(date: Fixtures.date("2026-10-02"), now: world.accounts.now) == .existing(batch))
    }

    @Test("insurer exports: each transmitted line once across runs; a rerun of the same date changes nothing")
    func exports() async throws {
        let world = try await World()
        world.at("2026-11-27T12:00:00Z")
        let first = try await world.exports.export(date: Fixtures.date("2026-11-01"), now: world.accounts.now)
        // Independent count: lines flagged transmitted whose beneficiary's complémentaire has NOEMIE,
        // for the régimes this caisse serves (the MSA persona's insurer hears from the MSA).
        let feed = try String(
            contentsOf: Fixtures.packageRoot.appendingPathComponent("SampleData/echantillon.jsonl"), encoding: .utf8)
        var linked: [String: [Int: String]] = [:]  // nir → rank → insurer code
        var expected: [String: Int] = [:]
        for line in feed.split(separator: "\n") {
            let record = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            let nir = record["nir"] as! String
            if record["type"] as? String == "assure" {
                guard Regime(rawValue: record["regime"] as! String)!.isEligibleForAccount else { continue }
                var ranks: [Int: String] = [:]
                if let c = record["complementaire"] as? [String: Any], c["noemie"] as? Bool == true {
                    ranks[1] = c["code"] as? String
                }
                for b in record["ayants_droit"] as? [[String: Any]] ?? [] {
                    if let c = b["complementaire"] as? [String: Any], c["noemie"] as? Bool == true {
                        ranks[b["rang"] as! Int] = c["code"] as? String
                    }
                }
                linked[nir] = ranks
            } else {
                for l in record["lignes"] as! [[String: Any]] where l["transmis_complementaire"] as? Bool == true {
                    if let code = linked[nir]?[l["rang_beneficiaire"] as! Int] { expected[code, default: 0] += 1 }
                }
            }
        }
        #expect(!expected.isEmpty)
        #expect(
            Dictionary(uniqueKeysWithValues: first.map { ($0.insurer.code, $0.export.lines) }).filter { $0.value > 0 } == expected
        )
        for outcome in first {
            let text = try String(
                contentsOf: world.directory.appendingPathComponent("exports/\(outcome.export.file)"), encoding: .utf8)
            #expect(text.split(separator: "\r\n").count == outcome.export.lines + 1)
            #expect(text.hasPrefix(InsurerExportService.header.joined(separator: ",")))
        }
        // Same date again: nothing new. A later date: nothing left to export.
        let again = try await world.exports.export(date: Fixtures.date("2026-11-01"), now: world.accounts.now)
        #expect(again.allSatisfy { !$0.new } && again.map(\.export) == first.map(\.export))
        let later = try await world.exports.export(date: Fixtures.date("2026-11-02"), now: world.accounts.now)
        #expect(later.allSatisfy { $0.new && $0.export.lines == 0 })
        // A new payment: exactly its transmitted line goes to Jean Martin's insurer.
        try await world.addPayments(
            [Fixtures.consultation(reference: "751-X-NEW", careDate: "2026-11-20", paidOn: "2026-11-24")], ledger: "new")
        let next = try await world.exports.export(date: Fixtures.date("2026-11-27"), now: world.accounts.now)
        #expect(next.filter { $0.export.lines > 0 }.map { "\($0.insurer.code):\($0.export.lines)" } == ["MUT0751:1"])
        await #expect(throws: ServiceError.self) {
            try await world.exports.export(date: Fixtures.date("2027-01-01"), now: world.accounts.now)
        }
    }

    @Test("no insurer with a NOEMIE link: no file")
    func noLinkedInsurer() async throws {
        let world = try await World(sample: false)
        world.at("2026-11-27T12:00:00Z")
        _ = try await world.store.importFile(ImportLedgerEntry(sha256: "nolink", fileName: "nolink", importedAt: "x")) {
            session in
            _ = try await session.upsert(Fixtures.person(noemie: false))
        }
        #expect(try await world.exports.export(date: Fixtures.date("2026-11-27"), now: world.accounts.now).isEmpty)
    }
}
