import Foundation
import ReleveDomain
import RelevePDF
import ReleveService
import ReleveTestSupport
import Testing

/// Documents on request (period, décompte, yearly summary), read back with poppler, and the
/// public check that says "genuine" or "unknown or altered" and nothing about whose it is.
@Suite("Documents and the public check")
struct DocumentServiceTests {
    /// Jean Martin with an account and payments in 2025 and in October–November 2026.
    static func world() async throws -> (AccountWorld, AccountService.Authenticated) {
        let world = try await AccountWorld()
        _ = try await world.store.importFile(ImportLedgerEntry(sha256: "d", fileName: "d", importedAt: "x")) { session in
            for (reference, care, paid) in [
                ("751-D-1", "2025-03-03", "2025-03-10"), ("751-D-2", "2025-11-03", "2025-11-12"),
                ("751-D-3", "2026-10-02", "2026-10-06"), ("751-D-4", "2026-10-20", "2026-10-23"),
                ("751-D-5", "2026-11-02", "2026-11-05"),
            ] {
                _ = try await session.insert(Fixtures.consultation(reference: reference, careDate: care, paidOn: paid))
            }
            _ = try await session.insert(
                Fixtures.consultation(reference: "591-D-9", nir: "1480599999356", careDate: "2026-10-02", paidOn: "2026-10-06"))
        }
        try await world.openAccount()
        return (world, try await world.user())
    }

    /// With RELEVE_PNG set, page 1 as PNG in /tmp, to look at.
    static func look(_ bytes: [UInt8], _ name: String) throws {
        guard ProcessInfo.processInfo.environment["RELEVE_PNG"] != nil else { return }
        try Data(PDFReader(bytes: bytes).thumbnailPNG(width: 1000)).write(to: URL(fileURLWithPath: "/tmp/releve-\(name).png"))
    }

    /// poppler's text in content order (`pdftotext -raw`).
    static func rawText(_ bytes: [UInt8]) throws -> String {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("releve-raw-\(UUID().uuidString).pdf")
        try Data(bytes).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/pdftotext")
        process.arguments = ["-raw", file.path, "-"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    static func text(_ bytes: [UInt8]) throws -> String {
        try PDFReader(bytes: bytes).pagesText().joined(separator: "\n").split(whereSeparator: \.isWhitespace)
            .joined(separator: " ")
    }

    @Test("a period, detailed or synthetic: totals of the same request, fingerprint, same bytes and reference twice")
    func period() async throws {
        let (world, user) = try await Self.world()
        let today = Fixtures.date("2026-11-27")
        let filter = PaymentsService.Filter(months: 2)
        let report = try await world.services.payments.report(for: user.person.person, filter: filter, today: today)
        let detailed = try await world.services.documents.period(
            user, filter: filter, detailed: true, today: today, now: world.now)
        let text = try Self.text(detailed.bytes)
        let euros = { (cents: Cents) in cents.formatted.replacingOccurrences(of: "\u{00A0}", with: " ") }
        #expect(text.contains("Vos remboursements du 01/10/2026 au 27/11/2026"))
        // The totals box reads as the JSON export of the same request adds up (poppler gives
        // the labels, then the amounts in the same order).
        let gross = report.payments.reduce(Cents.zero) { $0 + $1.totalReimbursedGross }
        let totals = [
            report.totalPaid, report.totalBase, gross, report.totalDeductions, report.totalReimbursed, report.totalRemaining,
        ].map(euros).joined(separator: " ")
        #expect(text.contains(totals), "\(totals) — \(text)")
        #expect(text.contains("Total remboursé"))
        #expect(text.contains(detailed.record.fingerprint) && text.contains(detailed.record.reference))
        #expect(text.contains("Vérifiez ce document sur https://releve.test/verifier"))
        #expect(detailed.record.pages == (try PDFReader(bytes: detailed.bytes).pageCount))
        #expect(report.payments.count == 3)

        let again = try await world.services.documents.period(user, filter: filter, detailed: true, today: today, now: world.now)
        #expect(again.bytes == detailed.bytes && again.record == detailed.record)
        let synthetic = try await world.services.documents.period(
            user, filter: filter, detailed: false, today: today, now: world.now)
        #expect(synthetic.record.reference != detailed.record.reference)
        #expect(try Self.text(synthetic.bytes).contains("Octobre 2026 — 2 paiements"))
        try Self.look(detailed.bytes, "periode")
        // In content order (what a screen reader is given), the page reads title, each payment
        // and its rows, then the totals, then the footer.
        let raw = try Self.rawText(detailed.bytes)
        let order = [
            "Vos remboursements du", "Paiement du 06/10/2026", "Paiement du 23/10/2026", "Paiement du 05/11/2026",
            "Total remboursé", "Empreinte SHA-256",
        ].map { raw.range(of: $0)?.lowerBound }
        #expect(order.allSatisfy { $0 != nil } && order.compactMap { $0 } == order.compactMap { $0 }.sorted(), "\(raw)")
        try Self.look(synthetic.bytes, "periode-synthese")
        #expect(try await world.services.documents.documents(of: user).count == 2)

        let file = world.archive.appendingPathComponent(detailed.record.file).path
        let mode = try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int
        #expect(mode == 0o400)
        for wrong in [
            PaymentsService.Filter(from: Fixtures.date("2024-01-01"), months: 6),
            PaymentsService.Filter(from: Fixtures.date("2026-11-01"), to: Fixtures.date("2026-10-01")),
            PaymentsService.Filter(months: 28),
        ] {
            await #expect(throws: ServiceError.self) {
                _ = try await world.services.documents.period(user, filter: wrong, detailed: true, today: today, now: world.now)
            }
        }

        // The archive check reads the documents back too: one byte changed is found.
        #expect(try await world.services.statements.verifyArchive().problems.isEmpty)
        chmod(file, 0o600)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: file))
        try handle.seek(toOffset: 100)
        try handle.write(contentsOf: Data("X".utf8))
        try handle.close()
        let check = try await world.services.statements.verifyArchive()
        #expect(check.problems.count == 1 && check.problems[0].contains(detailed.record.reference))
    }

    @Test("a payment's décompte; someone else's or an unknown reference is the same nil")
    func decompte() async throws {
        let (world, user) = try await Self.world()
        let today = Fixtures.date("2026-11-27")
        let document = try #require(
            try await world.services.documents.payment(user, reference: "751-D-3", today: today, now: world.now))
        let text = try Self.text(document.bytes)
        #expect(text.contains("Décompte du paiement du 06/10/2026") && text.contains("751-D-3"))
        #expect(try await world.services.documents.payment(user, reference: "591-D-9", today: today, now: world.now) == nil)
        #expect(try await world.services.documents.payment(user, reference: "000-NOPE", today: today, now: world.now) == nil)
    }

    @Test("a yearly summary for a closed year in the retention; the current year and older ones refused")
    func yearly() async throws {
        let (world, user) = try await Self.world()
        let today = Fixtures.date("2026-11-27")
        let summary = try await world.services.documents.yearly(user, year: 2025, today: today, now: world.now)
        let text = try Self.text(summary.bytes)
        #expect(text.contains("Récapitulatif annuel de vos remboursements — 2025"))
        #expect(text.contains("Par bénéficiaire") && text.contains("Par nature de soins") && text.contains("Novembre 2025"))
        // Two 30 € consultations for Jean at 70 %, each with its 2 € participation.
        #expect(text.contains("2 actes") && text.contains("Consultation (2 actes)"), "\(text)")
        #expect(text.contains("Participations et franchises (2 lignes)") && text.contains("42,00") && text.contains("-4,00"))
        // Only November 2025 is within the 27 months (from September 2024 on: both are).
        #expect(text.contains("Mars 2025"))
        for year in [2026, 2023, 1900] {
            await #expect(throws: ServiceError.self) {
                _ = try await world.services.documents.yearly(user, year: year, today: today, now: world.now)
            }
        }
        try Self.look(summary.bytes, "annuel")
        let png = try PDFReader(bytes: summary.bytes).thumbnailPNG(width: 300)
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]))
    }

    @Test("the public check: genuine by file or by reference and fingerprint; altered or unknown, one answer, nothing personal")
    func publicCheck() async throws {
        let (world, user) = try await Self.world()
        let today = Fixtures.date("2026-11-27")
        let documents = world.services.documents
        let document = try await documents.period(user, filter: .init(months: 2), detailed: true, today: today, now: world.now)

        let genuine = try await documents.check(pdf: document.bytes, channel: "web", now: world.now)
        guard case .authentic(let record) = genuine else {
            Issue.record("not recognised")
            return
        }
        #expect(record.reference == document.record.reference && record.caisse == "CPAM de Paris")
        #expect(genuine.french.contains("Document authentique") && genuine.french.contains("du 01/10/2026 au 27/11/2026"))
        #expect(!genuine.french.contains("Martin") && !genuine.french.contains("€") && !genuine.french.contains("1 70"))

        var altered = document.bytes
        altered[altered.count / 2] ^= 0x01
        #expect(try await documents.check(pdf: altered, channel: "web", now: world.now) == .unknownOrAltered)
        #expect(
            try await documents.check(
                reference: document.record.reference.lowercased(), fingerprint: document.record.fingerprint.uppercased(),
                channel: "cli", now: world.now) == genuine)
        let wrong = String(document.record.fingerprint.dropLast()) + (document.record.fingerprint.hasSuffix("0") ? "1" : "0")
        let unknown = try await documents.check(
            reference: document.record.reference, fingerprint: wrong, channel: "web", now: world.now)
        let missing = try await documents.check(
            reference: "DOC-751-P2026-0000000000000000", fingerprint: document.record.fingerprint, channel: "web", now: world.now)
        #expect(unknown == .unknownOrAltered && missing == .unknownOrAltered && unknown.french == missing.french)
        for bad in [Array("pas un PDF".utf8), Array(repeating: 0x25, count: DocumentService.maxUpload + 1)] {
            await #expect(throws: ServiceError.self) { _ = try await documents.check(pdf: bad, channel: "web", now: world.now) }
        }
        await #expect(throws: ServiceError.self) {
            _ = try await documents.check(reference: "x' OR 1=1 --", fingerprint: wrong, channel: "web", now: world.now)
        }
        // A PDF with JavaScript is only hashed: never parsed, run or kept.
        let archived = try FileManager.default.subpathsOfDirectory(atPath: world.archive.path).count
        let script = Array(
            "%PDF-1.4\n1 0 obj << /Type /Catalog /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >> endobj\n%%EOF".utf8)
        #expect(try await documents.check(pdf: script, channel: "web", now: world.now) == .unknownOrAltered)
        #expect(try FileManager.default.subpathsOfDirectory(atPath: world.archive.path).count == archived)

        // A monthly statement is checked the same way.
        _ = try await world.services.statements.issue(
            month: try Month(parsing: "2026-10"), today: Fixtures.date("2026-11-02"), now: world.now, workers: 1,
            thumbnails: false)
        let (_, statement) = try await world.services.statements.download(
            user, month: try Month(parsing: "2026-10"), today: today)
        #expect(try Self.text(statement).contains("Vérifiez ce document sur https://releve.test/verifier avec sa référence REL-"))
        let answer = try await documents.check(pdf: statement, channel: "web", now: world.now)
        #expect(answer.french.contains("relevé mensuel d'octobre 2026"), "\(answer.french)")

        let checks = try await world.store.auditEvents(limit: 100).filter { $0.kind == "document_check" }
        #expect(checks.count == 7 && checks.allSatisfy { $0.subject == nil })
    }
}
