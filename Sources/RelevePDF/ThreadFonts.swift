import CCairo
internal import CPango
import Synchronization

/// The fonts one rendering thread draws with, its own.
///
/// cairo shares a scaled font between every thread that draws the same font file at the same
/// size, and each glyph lookup in it (measuring, drawing, then writing the page) holds that
/// font's one mutex: two threads rendering statements side by side waited on each other's
/// lookups (`perf record -e sched:sched_switch`: the waits were in cairo's glyph extents under
/// `cairo_show_page` and `cairo_show_text`). cairo keys those fonts by the font file's path, so
/// each thread reads the prepared fonts through paths of its own (hard links, one folder per
/// slot, `UnhintedFonts.files(slot:)`): its pango font map through a fontconfig configuration
/// that adds them, and its one-line texts through font faces matched in that configuration.
/// The glyphs, metrics and embedded subsets are those of the same files: the PDFs are byte for
/// byte the ones the shared fonts give.
///
/// Threads beyond `slots` share a slot's files again (correct, only slower). When the fonts
/// are not prepared (the system's DejaVu Sans) or a link cannot be made, there are none and
/// the canvas uses the shared fonts.
final class ThreadFonts {
    private let config: OpaquePointer
    private var faces: [Int: OpaquePointer] = [:]

    static let slots = 16
    private static let nextSlot = Mutex(0)

    /// Made once per thread, before the thread lays out any text (its pango font map then
    /// reads this configuration).
    init?() {
        let slot = Self.nextSlot.withLock { next in
            defer { next = (next + 1) % Self.slots }
            return next
        }
        guard let files = UnhintedFonts.files(slot: slot), let config = FcInitLoadConfigAndFonts() else { return nil }
        for file in files where FcConfigAppFontAddFile(config, file) == 0 {
            FcConfigDestroy(config)
            return nil
        }
        guard let map = pango_cairo_font_map_get_default(),
            g_type_check_instance_is_a(UnsafeMutablePointer<GTypeInstance>(OpaquePointer(map)), pango_fc_font_map_get_type())
                != 0
        else {
            FcConfigDestroy(config)
            return nil
        }
        pango_fc_font_map_set_config(OpaquePointer(map), config)
        self.config = config
    }

    deinit {
        for face in faces.values { cairo_font_face_destroy(face) }
        FcConfigDestroy(config)
    }

    /// The face cairo's `select_font_face(family, slant, weight)` gives on a surface with
    /// these font options, from this thread's files: the same pattern (family, oblique or
    /// roman, bold or medium, the surface's options), matched in this thread's configuration.
    /// pango's fonts are matched with the same options, so both give one face and the PDF one
    /// subset per font.
    func face(bold: Bool, italic: Bool, options: OpaquePointer) -> OpaquePointer? {
        let key = (bold ? 2 : 0) + (italic ? 1 : 0)
        if let face = faces[key] { return face }
        guard let pattern = FcPatternCreate() else { return nil }
        defer { FcPatternDestroy(pattern) }
        FcPatternAddString(pattern, FC_FAMILY, UnhintedFonts.family)
        FcPatternAddInteger(pattern, FC_SLANT, italic ? FC_SLANT_OBLIQUE : FC_SLANT_ROMAN)
        FcPatternAddInteger(pattern, FC_WEIGHT, bold ? FC_WEIGHT_BOLD : FC_WEIGHT_MEDIUM)
        FcConfigSubstitute(config, pattern, FcMatchPattern)
        cairo_ft_font_options_substitute(options, pattern)
        FcDefaultSubstitute(pattern)
        var result = FcResultNoMatch
        guard let matched = FcFontMatch(config, pattern, &result) else { return nil }
        defer { FcPatternDestroy(matched) }
        guard let face = cairo_ft_font_face_create_for_pattern(matched) else { return nil }
        guard cairo_font_face_status(face) == CAIRO_STATUS_SUCCESS else {
            cairo_font_face_destroy(face)
            return nil
        }
        faces[key] = face
        return face
    }
}
