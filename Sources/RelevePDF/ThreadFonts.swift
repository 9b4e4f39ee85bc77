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
///
/// Two limits of cairo 1.16 shape this. cairo keeps at most ten font files open and, past
/// that, closes one and opens another with FreeType's `FT_New_Face` outside any lock, which
/// FreeType forbids on a shared library: with more slots than that, threads that come and go
/// crashed in `FT_Set_Transform` on a face that failed to open (`ThreadFontsTests`). So there
/// are three slots (nine files), each slot's faces are made and their files opened once,
/// under one lock, when the slot is first used; and a slot's configuration and faces live as
/// long as the process (a face whose last reference went with an ending thread's font map
/// would be destroyed while another thread looks it up).
final class ThreadFonts {
    private let slot: Slot

    static let slots = 3
    private static let nextSlot = Mutex(0)

    /// One slot's fonts: a fontconfig configuration that adds the slot's links, and the faces
    /// matched in it (never freed, see above). Read-only once made.
    private final class Slot: @unchecked Sendable {
        let config: OpaquePointer
        let faces: [Int: OpaquePointer]

        init(config: OpaquePointer, faces: [Int: OpaquePointer]) {
            self.config = config
            self.faces = faces
        }
    }

    /// The slots made so far, by index (entries never removed). The lock also keeps the
    /// making of faces, and the opening of their files, to one thread at a time.
    private static let made = Mutex<[Int: Slot]>([:])

    private static func slot(_ index: Int) -> Slot? {
        made.withLock { slots in
            if let slot = slots[index] { return slot }
            guard let files = UnhintedFonts.files(slot: index), let config = FcInitLoadConfigAndFonts() else { return nil }
            for file in files where FcConfigAppFontAddFile(config, file) == 0 {
                FcConfigDestroy(config)
                return nil
            }
            // The font options of a PDF surface (no hinting), which every canvas draws on.
            let surface = cairo_pdf_surface_create(nil, 10, 10)
            let options = cairo_font_options_create()
            defer {
                cairo_font_options_destroy(options)
                cairo_surface_destroy(surface)
            }
            cairo_surface_get_font_options(surface, options)
            var faces: [Int: OpaquePointer] = [:]
            for key in 0..<4 {
                guard let face = Self.face(bold: key & 2 != 0, italic: key & 1 != 0, config: config, options: options!)
                else { continue }
                faces[key] = face
            }
            let slot = Slot(config: config, faces: faces)
            slots[index] = slot
            return slot
        }
    }

    /// The face cairo's `select_font_face(family, slant, weight)` gives on a surface with
    /// these font options, from the slot's files: the same pattern (family, oblique or roman,
    /// bold or medium, the surface's options), matched in the slot's configuration. pango's
    /// fonts are matched with the same options, so both give one face and the PDF one subset
    /// per font. Its file is opened here (a scaled font's face locked once).
    private static func face(bold: Bool, italic: Bool, config: OpaquePointer, options: OpaquePointer) -> OpaquePointer? {
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
        var identity = cairo_matrix_t()
        cairo_matrix_init_identity(&identity)
        let scaled = cairo_scaled_font_create(face, &identity, &identity, options)
        defer { cairo_scaled_font_destroy(scaled) }
        guard cairo_font_face_status(face) == CAIRO_STATUS_SUCCESS, cairo_scaled_font_status(scaled) == CAIRO_STATUS_SUCCESS,
            cairo_ft_scaled_font_lock_face(scaled) != nil
        else {
            cairo_font_face_destroy(face)
            return nil
        }
        cairo_ft_scaled_font_unlock_face(scaled)
        return face
    }

    /// Made once per thread, before the thread lays out any text (its pango font map then
    /// reads the slot's configuration).
    init?() {
        let index = Self.nextSlot.withLock { next in
            defer { next = (next + 1) % Self.slots }
            return next
        }
        guard let slot = Self.slot(index), let map = pango_cairo_font_map_get_default(),
            g_type_check_instance_is_a(UnsafeMutablePointer<GTypeInstance>(OpaquePointer(map)), pango_fc_font_map_get_type())
                != 0
        else { return nil }
        pango_fc_font_map_set_config(OpaquePointer(map), slot.config)
        self.slot = slot
    }

    /// The slot's face for this style (see `face(bold:italic:config:options:)`).
    func face(bold: Bool, italic: Bool) -> OpaquePointer? {
        slot.faces[(bold ? 2 : 0) + (italic ? 1 : 0)]
    }
}
