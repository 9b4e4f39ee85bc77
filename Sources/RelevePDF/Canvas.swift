import CCairo
internal import CPango

/// A cairo context with pango text, fonts cached. Coordinates are PDF points from the top left.
///
/// A wrapped text is laid out once: the layout made to measure it (pagination) is kept, keyed by
/// its text and settings, and drawn later as it is. Measuring and then drawing with one reused
/// layout shaped every wrapped text twice (harfbuzz and pango's line breaking were a quarter of
/// a statement's time, docs/BENCHMARKS.md).
final class Canvas {
    let cr: OpaquePointer
    private let layout: OpaquePointer
    private var fonts: [String: OpaquePointer] = [:]

    enum Align: Hashable {
        case left, right, center
    }

    private struct LayoutKey: Hashable {
        var text: String
        var font: String
        var width: Double?
        var align: Align
        var maxLines: Int32
    }

    /// Layouts already made, for this canvas's document only.
    private var laidOut: [LayoutKey: OpaquePointer] = [:]
    /// Beyond this many, texts are laid out in the one shared layout again.
    private static let keptLayouts = 1024

    /// Layouts kept for the thread, across documents: the texts every statement repeats
    /// (explanations, headings, mentions) are then shaped once per thread, not once per
    /// statement. A pango layout belongs to the thread's default font map, so these are only
    /// ever used on the thread that made them; rendering a document is synchronous, so a canvas
    /// never changes thread. The first `threadLayoutLimit` texts seen are kept, for the life of
    /// the thread.
    private final class ThreadLayouts {
        var layouts: [LayoutKey: OpaquePointer] = [:]
        /// Widths of one-line texts measured on this thread (`advance`), the first
        /// `threadAdvanceLimit` kept: dates, amounts and labels recur from one statement to the
        /// next, and a width depends only on the text, the size and the style.
        var advances: [AdvanceKey: Double] = [:]
        /// The thread's own font files, made before its first layout (see `ThreadFonts`).
        let fonts: ThreadFonts?

        init() {
            fonts = UnhintedFonts.files == nil ? nil : ThreadFonts()
        }

        deinit {
            for kept in layouts.values { g_object_unref(UnsafeMutableRawPointer(kept)) }
        }
    }

    private static let threadLayoutLimit = 512
    private static let threadAdvanceLimit = 8192

    private static let threadKey: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key) { pointer in
            if let pointer { Unmanaged<ThreadLayouts>.fromOpaque(pointer).release() }
        }
        return key
    }()

    private static var threadLayouts: ThreadLayouts {
        if let pointer = pthread_getspecific(threadKey) {
            return Unmanaged<ThreadLayouts>.fromOpaque(pointer).takeUnretainedValue()
        }
        let layouts = ThreadLayouts()
        pthread_setspecific(threadKey, Unmanaged.passRetained(layouts).toOpaque())
        return layouts
    }

    /// What this thread keeps across documents, its own fonts among them.
    private let thread: ThreadLayouts

    init(context: OpaquePointer) {
        cr = context
        // The fonts are handed to fontconfig before pango's font map first reads its
        // configuration, and the thread's own configuration is set before its first layout.
        _ = UnhintedFonts.family
        thread = Self.threadLayouts
        layout = pango_cairo_create_layout(context)
        // Font sizes are PDF points: 72 units per inch, not pango's default 96.
        pango_cairo_context_set_resolution(pango_layout_get_context(layout), 72)
        pango_context_set_round_glyph_positions(pango_layout_get_context(layout), 0)
        pango_layout_context_changed(layout)
    }

    /// A canvas over a throwaway PDF surface, for measuring (tests, layout).
    static func scratch() -> Canvas {
        let surface = cairo_pdf_surface_create(nil, 100, 100)
        defer { cairo_surface_destroy(surface) }
        let canvas = Canvas(context: cairo_create(surface)!)
        canvas.ownsContext = true
        return canvas
    }

    /// Whether `deinit` destroys the cairo context (a scratch canvas's own).
    private var ownsContext = false

    deinit {
        for kept in laidOut.values { g_object_unref(UnsafeMutableRawPointer(kept)) }
        for font in fonts.values { pango_font_description_free(font) }
        g_object_unref(UnsafeMutableRawPointer(layout))
        if ownsContext { cairo_destroy(cr) }
    }

    private func font(_ description: String) -> OpaquePointer {
        if let font = fonts[description] { return font }
        let font = pango_font_description_from_string(
            description.replacingOccurrences(of: "DejaVu Sans", with: UnhintedFonts.family))!
        fonts[description] = font
        return font
    }

    /// A layout of `text` with these settings: one made before, or a new one kept for later.
    private func prepared(_ text: String, font description: String, width: Double?, align: Align, maxLines: Int32)
        -> OpaquePointer
    {
        let key = LayoutKey(text: text, font: description, width: width, align: align, maxLines: maxLines)
        if let kept = thread.layouts[key] ?? laidOut[key] { return kept }
        guard let fresh = pango_layout_new(pango_layout_get_context(layout)) else {
            prepare(layout, text, font: description, width: width, align: align, maxLines: maxLines)
            return layout
        }
        if thread.layouts.count < Self.threadLayoutLimit {
            prepare(fresh, text, font: description, width: width, align: align, maxLines: maxLines)
            thread.layouts[key] = fresh
            return fresh
        }
        guard laidOut.count < Self.keptLayouts else {
            g_object_unref(UnsafeMutableRawPointer(fresh))
            prepare(layout, text, font: description, width: width, align: align, maxLines: maxLines)
            return layout
        }
        prepare(fresh, text, font: description, width: width, align: align, maxLines: maxLines)
        laidOut[key] = fresh
        return fresh
    }

    private func prepare(
        _ layout: OpaquePointer, _ text: String, font description: String, width: Double?, align: Align, maxLines: Int32
    ) {
        pango_layout_set_font_description(layout, font(description))
        pango_layout_set_width(layout, width.map { Int32($0 * Double(PANGO_SCALE)) } ?? -1)
        pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR)
        pango_layout_set_ellipsize(layout, maxLines > 0 ? PANGO_ELLIPSIZE_END : PANGO_ELLIPSIZE_NONE)
        pango_layout_set_height(layout, maxLines > 0 ? -maxLines : -1)
        switch align {
        case .left: pango_layout_set_alignment(layout, PANGO_ALIGN_LEFT)
        case .right: pango_layout_set_alignment(layout, PANGO_ALIGN_RIGHT)
        case .center: pango_layout_set_alignment(layout, PANGO_ALIGN_CENTER)
        }
        setText(text, in: layout)
    }

    /// The layout's text, with each no-break space (U+00A0: before € and %) given as a plain
    /// space that no line may break after: the same width and the same lines, but no glyph
    /// outside the PDF's Latin font subset (see `show`).
    private func setText(_ text: String, in layout: OpaquePointer) {
        guard text.unicodeScalars.contains("\u{00A0}") else {
            pango_layout_set_attributes(layout, nil)
            pango_layout_set_text(layout, text, -1)
            return
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        let attributes = pango_attr_list_new()
        var scalars = text.unicodeScalars.makeIterator()
        var next = scalars.next()
        while let scalar = next {
            next = scalars.next()
            guard scalar == "\u{00A0}" else {
                bytes += Array(String(scalar).utf8)
                continue
            }
            // No break before the character after the space: the range covers it.
            let noBreak = pango_attr_allow_breaks_new(0)!
            noBreak.pointee.start_index = UInt32(bytes.count)
            noBreak.pointee.end_index = UInt32(bytes.count + 1 + (next.map { String($0).utf8.count } ?? 0))
            pango_attr_list_insert(attributes, noBreak)
            bytes.append(0x20)
        }
        bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { pango_layout_set_text(layout, $0.baseAddress, Int32($0.count)) }
        }
        pango_layout_set_attributes(layout, attributes)
        pango_attr_list_unref(attributes)
    }

    /// A pango font description string ("DejaVu Sans Bold 9.5") as cairo's toy text sees it.
    struct Style {
        let bold: Bool
        let italic: Bool
        let size: Double
        let plain: Bool
    }

    private var styles: [String: Style] = [:]

    private func style(_ description: String) -> Style {
        if let style = styles[description] { return style }
        let words = description.split(separator: " ")
        let size = Double(words.last ?? "") ?? 10
        let family = words.dropLast().joined(separator: " ")
        let style = Style(
            bold: family.contains("Bold"), italic: family.contains("Oblique"), size: size,
            plain: ["DejaVu Sans", "DejaVu Sans Bold", "DejaVu Sans Oblique"].contains(family))
        styles[description] = style
        return style
    }

    /// DejaVu's line height (ascent + descent) in em, as pango lays it out.
    static let lineHeight = 1.164

    /// Whether `text` fits on one line at `width` with cairo's text calls (then drawn without pango).
    private func fitsOnOneLine(_ text: String, _ style: Style, width: Double?) -> Bool {
        guard style.plain, !text.utf8.contains(10) else { return false }
        guard let width else { return true }
        return advance(text, size: style.size, bold: style.bold, italic: style.italic) <= width
    }

    /// The height `text` takes at this width, without drawing it (drawn later with the same
    /// settings, it is not laid out again).
    func measure(_ text: String, font: String, width: Double?, maxLines: Int32 = 0, align: Align = .left) -> Double {
        let style = style(font)
        if fitsOnOneLine(text, style, width: width) { return style.size * Self.lineHeight }
        let layout = prepared(text, font: font, width: width, align: align, maxLines: maxLines)
        var w: Int32 = 0
        var h: Int32 = 0
        pango_layout_get_size(layout, &w, &h)
        return Double(h) / Double(PANGO_SCALE)
    }

    /// Draws `text` with its top at `y`; returns its height.
    @discardableResult
    func text(
        _ text: String, x: Double, y: Double, width: Double? = nil, font: String = "DejaVu Sans 8", align: Align = .left,
        gray: Double = 0, maxLines: Int32 = 0
    ) -> Double {
        // Most strings are one short line: cairo's own text calls draw them many times faster.
        let style = style(font)
        if fitsOnOneLine(text, style, width: width) {
            line(
                text, x: x, y: y, width: width ?? 10_000, size: style.size, bold: style.bold, italic: style.italic, align: align,
                gray: gray)
            return style.size * Self.lineHeight
        }
        let layout = prepared(text, font: font, width: width, align: align, maxLines: maxLines)
        cairo_set_source_rgb(cr, gray, gray, gray)
        cairo_move_to(cr, x, y)
        pango_cairo_show_layout(cr, layout)
        var w: Int32 = 0
        var h: Int32 = 0
        pango_layout_get_size(layout, &w, &h)
        return Double(h) / Double(PANGO_SCALE)
    }

    /// A single line of short text with cairo's own text calls: no shaping or wrapping, many
    /// times cheaper than a pango layout, and enough for dates, amounts and labels in DejaVu
    /// (which has every glyph used: accents, €, no-break spaces). `y` is the top of the line.
    /// Text wider than `width` is set smaller, down to 70 % of `size`; only beyond that is it
    /// shortened with an ellipsis (callers that cannot be cut use `cell`, which wraps).
    func line(
        _ text: String, x: Double, y: Double, width: Double, size: Double, bold: Bool = false, italic: Bool = false,
        align: Align = .left, gray: Double = 0
    ) {
        var size = size
        var advance = self.advance(text, size: size, bold: bold, italic: italic)
        var shown = text
        if advance > width, let smaller = shrunk(text, width: width, size: size, bold: bold, italic: italic) {
            size = smaller
            advance = self.advance(text, size: size, bold: bold, italic: italic)
        } else if advance > width {
            size *= 0.7
            var characters = Array(text)
            while !characters.isEmpty && advance > width {
                characters.removeLast()
                shown = String(characters) + "…"
                advance = self.advance(shown, size: size, bold: bold, italic: italic)
            }
        }
        let startX: Double
        switch align {
        case .left: startX = x
        case .right: startX = x + width - advance
        case .center: startX = x + (width - advance) / 2
        }
        setFont(size: size, bold: bold, italic: italic)
        cairo_set_source_rgb(cr, gray, gray, gray)
        cairo_move_to(cr, startX, y + size * 0.93)
        show(shown)
    }

    /// `cairo_show_text`, except that no-break spaces (U+00A0, and the narrow U+202F between
    /// thousands) are drawn with the space's blank glyph at their own positions. All are blank,
    /// so the page looks the same, and the line never wraps here; but cairo's PDF output keeps
    /// its single-byte Latin font subsets for plain ASCII and Latin-1 letters, and for any other
    /// character (these two included) it embeds a second subset of the font: about 5 kB of a
    /// 40 kB statement for two blank glyphs.
    private func show(_ text: String) {
        guard text.unicodeScalars.contains(where: { $0 == "\u{202F}" || $0 == "\u{00A0}" }) else {
            return cairo_show_text(cr, text)
        }
        let font = cairo_get_scaled_font(cr)
        var x = 0.0
        var y = 0.0
        cairo_get_current_point(cr, &x, &y)
        var placed: UnsafeMutablePointer<cairo_glyph_t>?
        var placedCount: Int32 = 0
        let latin = String(String.UnicodeScalarView(text.unicodeScalars.map { $0 == "\u{202F}" || $0 == "\u{00A0}" ? " " : $0 }))
        var glyphs: UnsafeMutablePointer<cairo_glyph_t>?
        var count: Int32 = 0
        var clusters: UnsafeMutablePointer<cairo_text_cluster_t>?
        var clusterCount: Int32 = 0
        var flags = cairo_text_cluster_flags_t(0)
        defer {
            cairo_glyph_free(placed)
            cairo_glyph_free(glyphs)
            cairo_text_cluster_free(clusters)
        }
        guard
            cairo_scaled_font_text_to_glyphs(font, x, y, text, -1, &placed, &placedCount, nil, nil, nil) == CAIRO_STATUS_SUCCESS,
            cairo_scaled_font_text_to_glyphs(
                font, x, y, latin, -1, &glyphs, &count, &clusters, &clusterCount, &flags) == CAIRO_STATUS_SUCCESS,
            let placed, let glyphs, count == placedCount
        else { return cairo_show_text(cr, text) }
        for index in 0..<Int(count) {
            glyphs[index].x = placed[index].x
            glyphs[index].y = placed[index].y
        }
        cairo_show_text_glyphs(cr, latin, -1, glyphs, count, clusters, clusterCount, flags)
    }

    /// Selects DejaVu Sans at `size` for cairo's own text calls.
    private func setFont(size: Double, bold: Bool, italic: Bool) {
        if let face = thread.fonts?.face(bold: bold, italic: italic) {
            cairo_set_font_face(cr, face)
        } else {
            cairo_select_font_face(
                cr, UnhintedFonts.family, italic ? CAIRO_FONT_SLANT_OBLIQUE : CAIRO_FONT_SLANT_NORMAL,
                bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL)
        }
        cairo_set_font_size(cr, size)
    }

    private struct AdvanceKey: Hashable {
        var text: String
        var size: Double
        var bold: Bool
        var italic: Bool
    }

    /// Widths already measured in this document beyond the thread's own: a line is measured
    /// to paginate, then again to place it (cairo's text extents were a tenth of a
    /// statement's time).
    private var advances: [AdvanceKey: Double] = [:]

    /// The width of one line of `text` in DejaVu Sans at `size`.
    private func advance(_ text: String, size: Double, bold: Bool, italic: Bool) -> Double {
        let key = AdvanceKey(text: text, size: size, bold: bold, italic: italic)
        if let known = thread.advances[key] ?? advances[key] { return known }
        setFont(size: size, bold: bold, italic: italic)
        var extents = cairo_text_extents_t()
        cairo_text_extents(cr, text, &extents)
        if thread.advances.count < Self.threadAdvanceLimit {
            thread.advances[key] = extents.x_advance
        } else if advances.count < 4096 {
            advances[key] = extents.x_advance
        }
        return extents.x_advance
    }

    /// The largest size, down to 70 % of `size` by quarter points, at which `text` fits `width`.
    private func shrunk(_ text: String, width: Double, size: Double, bold: Bool, italic: Bool) -> Double? {
        var candidate = size - 0.25
        while candidate >= size * 0.7 {
            if advance(text, size: candidate, bold: bold, italic: italic) <= width { return candidate }
            candidate -= 0.25
        }
        return nil
    }

    /// How a table cell is set: one line at `size`, one line smaller (`shrink`: amounts and
    /// dates, which must stay on one line), or wrapped over several lines (words, names).
    private enum CellFit {
        case line(Double)
        case wrapped
    }

    private func fit(_ text: String, width: Double, size: Double, bold: Bool, italic: Bool, shrink: Bool) -> CellFit {
        if text.utf8.contains(10) { return .wrapped }  // a byte scan: no Foundation search per cell
        if advance(text, size: size, bold: bold, italic: italic) <= width { return .line(size) }
        if shrink, let smaller = shrunk(text, width: width, size: size, bold: bold, italic: italic) { return .line(smaller) }
        return .wrapped
    }

    private static func description(size: Double, bold: Bool, italic: Bool) -> String {
        "DejaVu Sans" + (bold ? " Bold" : "") + (italic ? " Oblique" : "") + " \(size)"
    }

    /// The height a table cell takes (see `cell`), without drawing it.
    func cellHeight(_ text: String, width: Double, size: Double, bold: Bool = false, italic: Bool = false, shrink: Bool = false)
        -> Double
    {
        switch fit(text, width: width, size: size, bold: bold, italic: italic, shrink: shrink) {
        case .line(let fitted): return fitted * Self.lineHeight
        case .wrapped:
            return measure(text, font: Self.description(size: size, bold: bold, italic: italic), width: width)
        }
    }

    /// Draws a table cell with its top at `y`, never cut: one line when it fits, smaller when it
    /// is an amount or a date (`shrink`), else wrapped at word (or, for one long word, character)
    /// boundaries. Returns its height, as `cellHeight` gives it.
    @discardableResult
    func cell(
        _ text: String, x: Double, y: Double, width: Double, size: Double, bold: Bool = false, italic: Bool = false,
        shrink: Bool = false, align: Align = .left, gray: Double = 0
    ) -> Double {
        switch fit(text, width: width, size: size, bold: bold, italic: italic, shrink: shrink) {
        case .line(let fitted):
            line(text, x: x, y: y, width: width, size: fitted, bold: bold, italic: italic, align: align, gray: gray)
            return fitted * Self.lineHeight
        case .wrapped:
            return self.text(
                text, x: x, y: y, width: width, font: Self.description(size: size, bold: bold, italic: italic), align: align,
                gray: gray)
        }
    }

    func rectangle(x: Double, y: Double, width: Double, height: Double, gray: Double, fill: Bool = true, lineWidth: Double = 0.5)
    {
        cairo_set_source_rgb(cr, gray, gray, gray)
        cairo_rectangle(cr, x, y, width, height)
        if fill {
            cairo_fill(cr)
        } else {
            cairo_set_line_width(cr, lineWidth)
            cairo_stroke(cr)
        }
    }

    func line(x1: Double, y1: Double, x2: Double, y2: Double, gray: Double = 0, width: Double = 0.5) {
        cairo_set_source_rgb(cr, gray, gray, gray)
        cairo_set_line_width(cr, width)
        cairo_move_to(cr, x1, y1)
        cairo_line_to(cr, x2, y2)
        cairo_stroke(cr)
    }
}
