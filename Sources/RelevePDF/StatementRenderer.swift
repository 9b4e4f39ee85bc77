import CCairo
internal import CPango

/// Renders a `StatementDocument` to PDF bytes: A4, the address block where a window envelope
/// shows it, the payments grouped by payment date with their lines, totals, a 6-month bar chart,
/// "Page n/N", the reference and the fingerprint on every page. Long months run over several
/// pages, with the table header repeated. Deterministic: the same document gives the same bytes.
public enum StatementRenderer {
    static let pageWidth = 595.2756
    static let pageHeight = 841.8898
    static let left = 42.0
    static let right = pageWidth - 42.0
    static let contentWidth = right - left
    static let bottom = pageHeight - 58.0

    /// Table columns: x and width.
    static let columns: [(x: Double, width: Double)] = [
        (left, 52), (left + 52, 66), (left + 118, 192), (left + 310, 50), (left + 360, 50), (left + 410, 34), (left + 444, 67),
    ]

    enum Item {
        case tableHeader
        case section(StatementDocument.Section)
        case row(StatementDocument.Row)
        case empty(String)
        case totals
        case explanation
    }

    struct Placed {
        let item: Item
        let y: Double
        let height: Double
    }

    public static func render(_ document: StatementDocument) -> [UInt8] {
        renderCountingPages(document).bytes
    }

    /// The PDF and its page count (known from the layout: no need to read the file back).
    public static func renderCountingPages(_ document: StatementDocument) -> (bytes: [UInt8], pages: Int) {
        let sink = ByteSink()
        var pageCount = 0
        let surface = cairo_pdf_surface_create_for_stream(
            { closure, data, length in
                guard let closure, let data else { return CAIRO_STATUS_WRITE_ERROR }
                Unmanaged<ByteSink>.fromOpaque(closure).takeUnretainedValue().bytes.append(
                    contentsOf: UnsafeBufferPointer(start: data, count: Int(length)))
                return CAIRO_STATUS_SUCCESS
            }, Unmanaged.passUnretained(sink).toOpaque(), pageWidth, pageHeight)!
        cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, document.title)
        cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_AUTHOR, document.caisse)
        cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "Releve")
        cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATE_DATE, document.creationDate)
        cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_MOD_DATE, document.creationDate)
        let cr = cairo_create(surface)!
        do {
            let canvas = Canvas(context: cr)
            let pages = paginate(document, canvas)
            pageCount = pages.count
            for (index, page) in pages.enumerated() {
                if index == 0 { drawFirstPageHeader(document, canvas) } else { drawContinuationHeader(document, canvas) }
                for placed in page { draw(placed, document, canvas) }
                drawFooter(document, canvas, page: index + 1, of: pages.count)
                cairo_show_page(cr)
            }
        }
        cairo_destroy(cr)
        cairo_surface_finish(surface)
        cairo_surface_destroy(surface)
        return (PDFLanguage.tag(sink.bytes), pageCount)
    }

    final class ByteSink {
        var bytes: [UInt8] = []
        init() { bytes.reserveCapacity(40_000) }
    }

    // MARK: Layout

    static let continuationTableTop = 78.0

    static func height(of item: Item, _ document: StatementDocument, _ canvas: Canvas) -> Double {
        switch item {
        case .tableHeader: return 16
        case .section(let section):
            let header = canvas.measure(section.header, font: "DejaVu Sans Bold 9.5", width: 360)
            let mention = canvas.measure(section.mention, font: "DejaVu Sans Oblique 8", width: contentWidth - 364, maxLines: 2)
            return max(header, mention, 10) + 7
        case .row(let row):
            var tallest = 9.5
            for (index, cell) in rowCells(row).enumerated() where !cell.isEmpty {
                let style = cellStyle(index, row)
                tallest = max(
                    tallest,
                    canvas.cellHeight(
                        cell, width: columns[index].width - 4, size: style.size, bold: style.bold, italic: style.italic,
                        shrink: style.shrink))
            }
            return tallest + 3
        case .empty(let note): return canvas.measure(note, font: "DejaVu Sans 10.5", width: contentWidth) + 12
        case .totals: return max(totalsHeight(document, canvas) + 16, 118)
        case .explanation: return canvas.measure(document.explanation, font: "DejaVu Sans 8", width: contentWidth) + 8
        }
    }

    /// A row's cells, in column order.
    static func rowCells(_ row: StatementDocument.Row) -> [String] {
        [row.careDate, row.beneficiary, row.nature, row.paid, row.base, row.rate, row.reimbursed]
    }

    /// How a row's cell is set: the date smaller, the amount reimbursed bold, deductions in
    /// italics; dates, amounts and rates shrink to stay on one line, words wrap.
    static func cellStyle(_ index: Int, _ row: StatementDocument.Row) -> (
        size: Double, bold: Bool, italic: Bool, shrink: Bool
    ) {
        (size: index == 0 ? 8 : 9, bold: index == 6, italic: row.isDeduction && index != 6, shrink: index == 0 || index >= 3)
    }

    static let totalsLabelWidth = 180.0

    /// The height of one line of the totals box: its label may wrap.
    static func totalsLineHeight(_ label: String, _ canvas: Canvas) -> Double {
        max(canvas.cellHeight(label, width: totalsLabelWidth, size: 9) + 2.5, 13)
    }

    static func totalsHeight(_ document: StatementDocument, _ canvas: Canvas) -> Double {
        document.totals.filter { $0.count == 2 }.reduce(0) { $0 + totalsLineHeight($1[0], canvas) }
    }

    /// Where the table starts on page 1: below the address block and the title, however long.
    static func firstPageTop(_ document: StatementDocument, _ canvas: Canvas) -> Double {
        var addressBottom = addressTop
        for (index, line) in document.addressBlock.enumerated() {
            addressBottom +=
                canvas.measure(line, font: index == 0 ? "DejaVu Sans Bold 9.5" : "DejaVu Sans 9.5", width: addressWidth) + 1
        }
        let titleTop = max(212, addressBottom + 14)
        let titleHeight = canvas.measure(document.title, font: "DejaVu Sans Bold 15", width: contentWidth, maxLines: 2)
        let beneficiariesHeight = canvas.measure(document.beneficiaries, font: "DejaVu Sans 9", width: contentWidth)
        return titleTop + titleHeight + 3 + beneficiariesHeight + 10.5
    }

    static let addressTop = 140.0
    static let addressWidth = 250.0

    static func paginate(_ document: StatementDocument, _ canvas: Canvas) -> [[Placed]] {
        var flow: [Item] = []
        if document.sections.isEmpty {
            flow.append(.empty(document.emptyNote ?? ""))
        } else {
            flow.append(.tableHeader)
            for section in document.sections {
                flow.append(.section(section))
                for row in section.rows { flow.append(.row(row)) }
            }
        }
        flow += [.totals, .explanation]
        var pages: [[Placed]] = [[]]
        var y = firstPageTop(document, canvas)
        let heights = flow.map { height(of: $0, document, canvas) }
        var index = 0
        while index < flow.count {
            let item = flow[index]
            var needed = heights[index]
            // Keep a payment's header with its first line, and the table header with a section.
            if case .section = item, index + 1 < flow.count { needed += height(of: flow[index + 1], document, canvas) }
            if case .tableHeader = item, index + 2 < flow.count {
                needed += height(of: flow[index + 1], document, canvas) + height(of: flow[index + 2], document, canvas)
            }
            if y + needed > bottom && !(pages[pages.count - 1].isEmpty) {
                pages.append([])
                y = continuationTableTop
                var inTable = false
                if case .row = item { inTable = true }
                if case .section = item { inTable = true }
                if inTable {
                    pages[pages.count - 1].append(Placed(item: .tableHeader, y: y, height: 16))
                    y += 16
                }
            }
            let h = heights[index]
            pages[pages.count - 1].append(Placed(item: item, y: y, height: h))
            y += h
            if case .totals = item { y += 4 }
            index += 1
        }
        return pages
    }

    // MARK: Drawing

    static func drawFirstPageHeader(_ document: StatementDocument, _ canvas: Canvas) {
        canvas.text(document.caisse, x: left, y: 40, width: 250, font: "DejaVu Sans Bold 13")
        canvas.text("Assurance Maladie", x: left, y: 56, width: 250, font: "DejaVu Sans 9.5", gray: 0.35)
        var y = 86.0
        for pair in document.identity where pair.count == 2 {
            let labelHeight = canvas.text(pair[0], x: left, y: y, width: 104, font: "DejaVu Sans 9", gray: 0.35)
            // A long reference is set smaller rather than broken (it is copied by hand).
            let valueHeight = canvas.cell(pair[1], x: left + 106, y: y, width: 166, size: 9, shrink: true)
            y += max(labelHeight, valueHeight) + 3
        }
        // The address block sits where a French window envelope (DL, window on the right) shows it.
        var ay = addressTop
        for (index, line) in document.addressBlock.enumerated() {
            ay +=
                canvas.text(
                    line, x: 318, y: ay, width: addressWidth, font: index == 0 ? "DejaVu Sans Bold 9.5" : "DejaVu Sans 9.5") + 1
        }
        let titleTop = max(212, ay + 14)
        if let mark = document.mark {
            canvas.rectangle(x: left, y: titleTop - 26, width: contentWidth, height: 20, gray: 0.15)
            canvas.text(
                mark, x: left, y: titleTop - 23, width: contentWidth, font: "DejaVu Sans Bold 12", align: .center, gray: 1)
        }
        let titleHeight = canvas.text(
            document.title, x: left, y: titleTop, width: contentWidth, font: "DejaVu Sans Bold 15", maxLines: 2)
        canvas.text(
            document.beneficiaries, x: left, y: titleTop + titleHeight + 3, width: contentWidth, font: "DejaVu Sans 9",
            gray: 0.25)
    }

    static func drawContinuationHeader(_ document: StatementDocument, _ canvas: Canvas) {
        canvas.text(document.title, x: left, y: 36, width: contentWidth - 120, font: "DejaVu Sans Bold 10.5", maxLines: 1)
        canvas.text(document.caisse, x: right - 200, y: 36, width: 200, font: "DejaVu Sans 9", align: .right, gray: 0.35)
        if let mark = document.mark {
            canvas.text(mark, x: left, y: 52, width: contentWidth, font: "DejaVu Sans Bold 9.5", gray: 0.2)
        }
        canvas.line(x1: left, y1: 66, x2: right, y2: 66, gray: 0.6)
    }

    static func drawFooter(_ document: StatementDocument, _ canvas: Canvas, page: Int, of pages: Int) {
        let y = pageHeight - 46
        canvas.line(x1: left, y1: y - 4, x2: right, y2: y - 4, gray: 0.7)
        canvas.line("Référence \(document.reference)", x: left, y: y, width: 300, size: 8, gray: 0.3)
        canvas.line("Page \(page)/\(pages)", x: right - 80, y: y, width: 80, size: 8.5, bold: true, align: .right)
        canvas.line("Empreinte SHA-256 : \(document.fingerprint)", x: left, y: y + 11, width: contentWidth, size: 7, gray: 0.3)
        if let verification = document.verification {
            canvas.line(verification, x: left, y: y + 20, width: contentWidth, size: 7, gray: 0.3)
        }
    }

    static func draw(_ placed: Placed, _ document: StatementDocument, _ canvas: Canvas) {
        let y = placed.y
        switch placed.item {
        case .tableHeader:
            canvas.rectangle(x: left, y: y, width: contentWidth, height: 13, gray: 0.9)
            for (index, title) in document.columnTitles.prefix(columns.count).enumerated() {
                canvas.line(
                    title, x: columns[index].x + 2, y: y + 3, width: columns[index].width - 4, size: 7, bold: true,
                    align: index >= 3 ? .right : .left)
            }
        case .section(let section):
            canvas.line(x1: left, y1: y + 2, x2: right, y2: y + 2, gray: 0.75)
            canvas.text(section.header, x: left, y: y + 5, width: 360, font: "DejaVu Sans Bold 9.5")
            canvas.text(
                section.mention, x: left + 364, y: y + 5, width: contentWidth - 364, font: "DejaVu Sans Oblique 8", align: .right,
                gray: 0.3, maxLines: 2)
        case .row(let row):
            // Most cells are one short line (cairo's text calls); a long nature or first name wraps
            // (pango), and the row's height, computed the same way, leaves room for it.
            for (index, cell) in rowCells(row).enumerated() where !cell.isEmpty {
                let style = cellStyle(index, row)
                canvas.cell(
                    cell, x: columns[index].x + 2, y: y + 1.5, width: columns[index].width - 4, size: style.size,
                    bold: style.bold, italic: style.italic, shrink: style.shrink, align: index >= 3 ? .right : .left)
            }
        case .empty(let note):
            canvas.text(note, x: left, y: y + 4, width: contentWidth, font: "DejaVu Sans 10.5", gray: 0.2)
        case .totals:
            drawChart(document, canvas, y: y)
            canvas.rectangle(
                x: left + 240, y: y + 4, width: contentWidth - 240, height: placed.height - 6, gray: 0.6, fill: false)
            var ty = y + 10
            for pair in document.totals where pair.count == 2 {
                canvas.cell(pair[0], x: left + 248, y: ty, width: totalsLabelWidth, size: 9)
                canvas.cell(pair[1], x: right - 88, y: ty, width: 80, size: 9, bold: true, shrink: true, align: .right)
                ty += totalsLineHeight(pair[0], canvas)
            }
        case .explanation:
            canvas.text(document.explanation, x: left, y: y + 3, width: contentWidth, font: "DejaVu Sans 8", gray: 0.25)
        }
    }

    /// The 6-month bar chart, in the left part of the totals band.
    static func drawChart(_ document: StatementDocument, _ canvas: Canvas, y: Double) {
        let chartWidth = 225.0
        canvas.line(document.chartTitle, x: left, y: y + 4, width: chartWidth, size: 8.5, bold: true)
        let bars = document.chart
        guard !bars.isEmpty else { return }
        let maxValue = max(bars.map(\.cents).max() ?? 1, 1)
        let baseline = y + 98
        let slot = chartWidth / Double(bars.count)
        let barWidth = slot * 0.55
        canvas.line(x1: left, y1: baseline, x2: left + chartWidth, y2: baseline, gray: 0.5)
        // Up to 6 bars each say their amount and month; more (a year, a long period) name every
        // few months only, and the amounts are in the tables.
        let labelEvery = bars.count <= 6 ? 1 : Int((Double(bars.count) / 6).rounded(.up))
        for (index, bar) in bars.enumerated() {
            let height = 56 * Double(max(bar.cents, 0)) / Double(maxValue)
            let x = left + slot * Double(index) + (slot - barWidth) / 2
            canvas.rectangle(
                x: x, y: baseline - height, width: barWidth, height: height, gray: index == bars.count - 1 ? 0.25 : 0.6)
            if bars.count <= 6 {
                canvas.line(bar.valueText, x: x - 8, y: baseline - height - 10, width: barWidth + 16, size: 6, align: .center)
            }
            if index % labelEvery == 0 {
                let width = slot * Double(labelEvery)
                canvas.line(
                    bar.label, x: x + barWidth / 2 - width / 2, y: baseline + 3, width: width, size: 6.5, align: .center,
                    gray: 0.3)
            }
        }
    }
}
