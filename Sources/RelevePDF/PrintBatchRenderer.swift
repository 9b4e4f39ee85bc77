import CCairo
internal import CPango
import CPoppler

/// One letter of a print batch.
public struct PrintLetter: Sendable {
    public enum Content: Sendable {
        /// A typed letter: the address in the window, the date, then the text.
        case text(body: String)
        /// Archived statement pages reproduced as they are, optionally after a cover letter and
        /// with a band across the top of every page (the "DUPLICATA" mark).
        case statement(pdf: [UInt8], cover: String?, band: String?)
    }

    public var address: [String]
    public var date: String
    public var content: Content
    /// Printed in the margin of every page, for the print shop: batch, letter number, page.
    public var marginNote: String

    public init(address: [String], date: String, content: Content, marginNote: String) {
        self.address = address
        self.date = date
        self.content = content
        self.marginNote = marginNote
    }
}

/// Renders a print batch: A4 pages for a duplex printer, each letter starting on a recto
/// (a blank verso is added after a letter with an odd page count), the address block where a
/// French window envelope shows it. The PDF is streamed to `write` as cairo produces it, so a
/// batch of thousands of letters stays small in memory. Deterministic for the same input.
public enum PrintBatchRenderer {
    public enum Failure: Error, Equatable {
        case unreadableStatement(index: Int, reason: String)
        case writeFailed
    }

    /// Pages of each letter (without the blank versos) and the total of sheets' sides.
    public struct Layout: Sendable, Equatable {
        public var pages: [Int]
        public var firstPage: [Int]
        public var totalPages: Int
    }

    static let pageWidth = StatementRenderer.pageWidth
    static let pageHeight = StatementRenderer.pageHeight
    static let left = StatementRenderer.left

    public static func render(
        _ letters: some Sequence<PrintLetter>, title: String, creationDate: String, write: @escaping ([UInt8]) -> Bool
    ) throws(Failure) -> Layout {
        let sink = Sink(write)
        let surface = cairo_pdf_surface_create_for_stream(
            { closure, data, length in
                guard let closure, let data else { return CAIRO_STATUS_WRITE_ERROR }
                let sink = Unmanaged<Sink>.fromOpaque(closure).takeUnretainedValue()
                guard sink.write(Array(UnsafeBufferPointer(start: data, count: Int(length)))) else {
                    sink.failed = true
                    return CAIRO_STATUS_WRITE_ERROR
                }
                return CAIRO_STATUS_SUCCESS
            }, Unmanaged.passUnretained(sink).toOpaque(), pageWidth, pageHeight)!
        cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, title)
        cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "Releve")
        cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATE_DATE, creationDate)
        cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_MOD_DATE, creationDate)
        let cr = cairo_create(surface)!
        var layout = Layout(pages: [], firstPage: [], totalPages: 0)
        var failure: Failure?
        do {
            let canvas = Canvas(context: cr)
            for (index, letter) in letters.enumerated() {
                layout.firstPage.append(layout.totalPages + 1)
                let counter = PageCounter()
                let finishPage = {
                    counter.pages += 1
                    canvas.line(
                        "\(letter.marginNote) · page \(counter.pages)", x: left, y: pageHeight - 16, width: 400, size: 5.5,
                        gray: 0.45)
                    cairo_show_page(cr)
                }
                switch letter.content {
                case .text(let body):
                    drawTextLetter(letter, body: body, canvas, finishPage: finishPage)
                case .statement(let pdf, let cover, let band):
                    if let cover { drawTextLetter(letter, body: cover, canvas, finishPage: finishPage) }
                    do {
                        try drawStatement(pdf, band: band, cr, canvas, finishPage: finishPage)
                    } catch {
                        failure = .unreadableStatement(index: index, reason: error.reason)
                    }
                }
                if failure != nil { break }
                let pages = counter.pages
                layout.pages.append(pages)
                layout.totalPages += pages
                if pages % 2 == 1 {
                    // Blank verso: the next letter starts on a recto.
                    cairo_show_page(cr)
                    layout.totalPages += 1
                }
            }
        }
        cairo_destroy(cr)
        cairo_surface_finish(surface)
        cairo_surface_destroy(surface)
        if let failure { throw failure }
        if sink.failed { throw .writeFailed }
        return layout
    }

    final class Sink {
        let write: ([UInt8]) -> Bool
        var failed = false
        init(_ write: @escaping ([UInt8]) -> Bool) { self.write = write }
    }

    final class PageCounter {
        var pages = 0
    }

    static func drawAddress(_ lines: [String], _ canvas: Canvas) {
        var y = StatementRenderer.addressTop
        for (index, line) in lines.enumerated() {
            y +=
                canvas.text(
                    line, x: 318, y: y, width: StatementRenderer.addressWidth,
                    font: index == 0 ? "DejaVu Sans Bold 9.5" : "DejaVu Sans 9.5") + 1
        }
    }

    /// A typed letter: paragraphs wrapped to the text width, continued on further pages.
    /// The body's first line is the sender (the caisse), set as the letterhead.
    static func drawTextLetter(_ letter: PrintLetter, body: String, _ canvas: Canvas, finishPage: () -> Void) {
        var paragraphs = body.components(separatedBy: "\n")
        let sender = paragraphs.isEmpty ? "" : paragraphs.removeFirst()
        canvas.text(sender, x: left, y: 40, width: 250, font: "DejaVu Sans Bold 13")
        canvas.text("Assurance Maladie", x: left, y: 56, width: 250, font: "DejaVu Sans 9.5", gray: 0.35)
        while paragraphs.first?.isEmpty == true { paragraphs.removeFirst() }
        drawAddress(letter.address, canvas)
        canvas.text(letter.date, x: 318, y: 250, width: StatementRenderer.addressWidth, font: "DejaVu Sans 10")
        let width = StatementRenderer.contentWidth
        let bottom = StatementRenderer.bottom
        var y = 290.0
        for paragraph in paragraphs {
            let text = paragraph.isEmpty ? " " : paragraph
            let height = canvas.measure(text, font: "DejaVu Sans 10.5", width: width)
            if y + height > bottom {
                finishPage()
                y = 60
            }
            y += canvas.text(text, x: left, y: y, width: width, font: "DejaVu Sans 10.5") + 2
        }
        finishPage()
    }

    struct ReadFailure: Error {
        let reason: String
    }

    /// The archived pages, drawn as vectors by poppler (the text stays text), with the band.
    static func drawStatement(_ pdf: [UInt8], band: String?, _ cr: OpaquePointer, _ canvas: Canvas, finishPage: () -> Void)
        throws(ReadFailure)
    {
        let reader: PDFReader
        do { reader = try PDFReader(bytes: pdf) } catch { throw ReadFailure(reason: "\(error)") }
        guard reader.pageCount > 0 else { throw ReadFailure(reason: "aucune page") }
        for index in 0..<reader.pageCount {
            reader.withPage(index) { page in
                cairo_save(cr)
                poppler_page_render_for_printing(page, cr)
                cairo_restore(cr)
            }
            if let band {
                canvas.rectangle(x: left, y: 8, width: StatementRenderer.contentWidth, height: 20, gray: 0.15)
                canvas.text(
                    band, x: left, y: 11, width: StatementRenderer.contentWidth, font: "DejaVu Sans Bold 11", align: .center,
                    gray: 1)
            }
            finishPage()
        }
    }
}
