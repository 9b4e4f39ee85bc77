import Foundation
import Testing

@testable import RelevePDF

@Suite("Statement PDF")
struct StatementRendererTests {
    static func document(rows: Int, name: String = "M. Jean MARTIN", mark: String? = nil) -> StatementDocument {
        var sections: [StatementDocument.Section] = []
        var remaining = rows
        var day = 1
        while remaining > 0 {
            let count = min(remaining, 5)
            let lines = (0..<count).map { index in
                index == count - 1 && count > 1
                    ? StatementDocument.Row(
                        careDate: "0\(day % 9 + 1)/10/2026", beneficiary: "Léa", nature: "Participation forfaitaire", paid: "",
                        base: "",
                        rate: "", reimbursed: "-2,00", isDeduction: true)
                    : StatementDocument.Row(
                        careDate: "0\(day % 9 + 1)/10/2026", beneficiary: "Jean",
                        nature: "Consultation G n°\(rows - remaining + index + 1)",
                        paid: "30,00", base: "30,00", rate: "70\u{00A0}%", reimbursed: "21,00", isDeduction: false)
            }
            sections.append(
                .init(
                    header: "Paiement du 0\(day % 9 + 1)/10/2026 — versé sur votre compte — 19,00\u{00A0}€",
                    mention: "Transmis à votre organisme complémentaire", rows: lines))
            remaining -= count
            day += 1
        }
        return StatementDocument(
            caisse: "CPAM de Paris", title: "Relevé mensuel de vos remboursements — octobre 2026",
            addressBlock: [name, "Appartement 12, escalier B", "145 avenue du Maréchal de Lattre de Tassigny", "75012 PARIS"],
            identity: [
                ["Assuré(e)", name], ["N° de sécurité sociale", "1 70 12 75 112 034 23"],
                ["Référence", "REL-751-202610-0000001"],
            ],
            beneficiaries: "Bénéficiaires : Jean (assuré), Léa, Hugo", sections: sections,
            emptyNote: rows == 0 ? "Aucun paiement ce mois-ci." : nil,
            totals: [["Total remboursé", "1\u{202F}234,56\u{00A0}€"], ["Reste à votre charge", "98,70\u{00A0}€"]],
            explanation: "Le remboursement est égal à la base multipliée par le taux.",
            chartTitle: "Vos remboursements des 6 derniers mois",
            chart: ["mai", "juin", "juil.", "août", "sept.", "oct."].enumerated().map {
                .init(label: $0.element, valueText: "\($0.offset * 10),00\u{00A0}€", cents: Int64($0.offset * 1000))
            }, reference: "REL-751-202610-0000001", fingerprint: String(repeating: "ab", count: 32),
            creationDate: "2026-11-01T00:00:00Z",
            mark: mark)
    }

    @Test("the same document gives the same bytes")
    func deterministic() {
        let a = StatementRenderer.render(Self.document(rows: 15))
        let b = StatementRenderer.render(Self.document(rows: 15))
        #expect(a == b)
        #expect(a.starts(with: Array("%PDF-".utf8)))
    }

    @Test("text reads back with poppler: French, euro sign, amounts, footer")
    func readBack() throws {
        let reader = try PDFReader(bytes: StatementRenderer.render(Self.document(rows: 15)))
        #expect(reader.pageCount >= 1)
        // poppler gives U+202F and U+00A0 back as spaces, and breaks wrapped lines: compare on single spaces.
        let text = reader.pagesText()[0].split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
        for expected in [
            "Relevé mensuel de vos remboursements — octobre 2026", "1 70 12 75 112 034 23", "Page 1/", "Maréchal de Lattre",
            "1 234,56 €", "Participation forfaitaire", "-2,00", "Empreinte SHA-256 : abab", "Transmis à votre organisme",
        ] {
            #expect(text.contains(expected), "missing: \(expected)")
        }
    }

    @Test("nothing is cut: long first names and labels wrap, large amounts stay whole, and nothing overlaps")
    func nothingCut() throws {
        var document = Self.document(rows: 4)
        document.sections[0].rows[0].beneficiary = "Marie-Antoinette"
        document.sections[0].rows[1].beneficiary = "Jean-Christophe-Emmanuel"
        document.sections[0].rows[1].nature = "Hospitalisation complète en établissement de santé, forfait journalier compris"
        document.sections[0].rows[1].paid = "123\u{202F}456,78"
        document.sections[0].rows[1].base = "99\u{202F}999,99"
        document.sections[0].rows[1].reimbursed = "1\u{202F}234\u{202F}567,89"
        document.totals.append([
            "Reste à charge (vous ou votre complémentaire santé, selon votre contrat)", "1\u{202F}234,56\u{00A0}€",
        ])
        document.beneficiaries =
            "Bénéficiaires : Jean-Christophe-Emmanuel (assuré), Marie-Antoinette, Anne-Charlotte, Pierre-Alexandre, "
            + "Louis-Ferdinand, Marguerite-Éléonore"
        let reader = try PDFReader(bytes: StatementRenderer.render(document))
        let raw = reader.pagesText().joined(separator: " ")
        #expect(!raw.contains("…"), "an ellipsis means something was cut")
        // Wrapped words come back split across lines (at a hyphen or a space): compare without them.
        let text = raw.filter { !$0.isWhitespace && $0 != "-" && $0 != "\u{202F}" && $0 != "\u{00A0}" }
        for expected in [
            "MarieAntoinette", "JeanChristopheEmmanuel", "forfaitjournaliercompris", "123456,78", "99999,99", "1234567,89",
            "selonvotrecontrat)", "MargueriteÉléonore",
        ] {
            #expect(text.contains(expected), "missing: \(expected)")
        }
        // The two-line name makes its row taller: the next row starts below it.
        let bytes = StatementRenderer.render(document)
        let canvas = Canvas.scratch()
        let tall = StatementRenderer.height(of: .row(document.sections[0].rows[1]), document, canvas)
        let short = StatementRenderer.height(of: .row(document.sections[0].rows[2]), document, canvas)
        #expect(tall > short * 1.8, "tall \(tall), short \(short)")
        #expect(!bytes.isEmpty)
        if ProcessInfo.processInfo.environment["RELEVE_PNG"] != nil {
            try Data(reader.thumbnailPNG(width: 1000)).write(to: URL(fileURLWithPath: "/tmp/releve-long.png"))
        }
    }

    @Test("the document says it is in French (/Lang fr-FR, as an incremental update poppler reads)")
    func language() throws {
        let bytes = StatementRenderer.render(Self.document(rows: 15))
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.contains("/Lang (fr-FR)") && text.contains("/Prev "))
        let reader = try PDFReader(bytes: bytes)
        #expect(reader.pageCount == 1 && reader.pagesText()[0].contains("Relevé mensuel"))
        #expect(PDFLanguage.tag(bytes) == bytes, "tagged once")
        #expect(PDFLanguage.tag(Array("pas un PDF".utf8)) == Array("pas un PDF".utf8))
    }

    @Test("500 lines paginate with the table header repeated on every page")
    func pagination() throws {
        let (bytes, counted) = StatementRenderer.renderCountingPages(Self.document(rows: 500))
        let reader = try PDFReader(bytes: bytes)
        #expect(counted == reader.pageCount, "the layout's page count is the file's")
        let pages = reader.pagesText()
        #expect(pages.count > 5)
        for (index, page) in pages.enumerated() {
            #expect(page.contains("Page \(index + 1)/\(pages.count)"))
            if index < pages.count - 1 { #expect(page.contains("Nature de la prestation"), "page \(index + 1)") }
        }
        let all = pages.joined()
        for line in [1, 250, 499] where line % 5 != 0 {
            #expect(all.contains("n°\(line)\n") || all.contains("n°\(line) "), "line \(line) missing")
        }
    }

    @Test("no payments, a duplicata mark, and a thumbnail")
    func variants() throws {
        let empty = try PDFReader(bytes: StatementRenderer.render(Self.document(rows: 0)))
        #expect(empty.pagesText()[0].contains("Aucun paiement ce mois-ci."))
        let duplicate = try PDFReader(
            bytes: StatementRenderer.render(Self.document(rows: 3, mark: "DUPLICATA — demandé le 02/12/2026")))
        #expect(duplicate.pagesText()[0].contains("DUPLICATA"))
        let png = duplicate.thumbnailPNG(width: 300)
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        #expect(throws: PDFReader.Failure.self) { try PDFReader(bytes: Array("pas un PDF".utf8)) }
    }

    @Test("visual check: page 1 as PNG", .enabled(if: ProcessInfo.processInfo.environment["RELEVE_PNG"] != nil))
    func visual() throws {
        let bytes = StatementRenderer.render(Self.document(rows: 40))
        try Data(bytes).write(to: URL(fileURLWithPath: "/tmp/releve-statement.pdf"))
        try Data(PDFReader(bytes: bytes).thumbnailPNG(width: 1000)).write(to: URL(fileURLWithPath: "/tmp/releve-statement.png"))
    }
}
