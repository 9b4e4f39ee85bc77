import CCairo
import CPoppler
import Foundation

/// Reads PDFs back with poppler: the text of each page, the page count, and a PNG thumbnail of
/// page 1 (for the archive and the web view).
public final class PDFReader {
    public enum Failure: Error, Equatable {
        case unreadable(String)
    }

    private let document: OpaquePointer
    private let data: Data

    public init(bytes: [UInt8]) throws {
        data = Data(bytes)
        var error: UnsafeMutablePointer<GError>?
        let gbytes = data.withUnsafeBytes { g_bytes_new($0.baseAddress, gsize($0.count)) }
        defer { g_bytes_unref(gbytes) }
        guard let document = poppler_document_new_from_bytes(gbytes, nil, &error) else {
            let message = error.map { String(cString: $0.pointee.message) } ?? "PDF illisible"
            if let error { g_error_free(error) }
            throw Failure.unreadable(message)
        }
        self.document = document
    }

    deinit {
        g_object_unref(UnsafeMutableRawPointer(document))
    }

    public var pageCount: Int { Int(poppler_document_get_n_pages(document)) }

    /// The text of every page, in poppler's reading order.
    public func pagesText() -> [String] {
        (0..<pageCount).map { index in
            guard let page = poppler_document_get_page(document, Int32(index)) else { return "" }
            defer { g_object_unref(UnsafeMutableRawPointer(page)) }
            guard let text = poppler_page_get_text(page) else { return "" }
            defer { g_free(text) }
            return String(cString: text)
        }
    }

    /// Runs `body` with poppler's page `index` (for drawing it onto another cairo surface).
    func withPage(_ index: Int, _ body: (OpaquePointer) -> Void) {
        guard let page = poppler_document_get_page(document, Int32(index)) else { return }
        defer { g_object_unref(UnsafeMutableRawPointer(page)) }
        body(page)
    }

    /// Page 1 rendered `width` pixels wide on white, as PNG bytes.
    public func thumbnailPNG(width: Int) -> [UInt8] {
        guard let page = poppler_document_get_page(document, 0) else { return [] }
        defer { g_object_unref(UnsafeMutableRawPointer(page)) }
        var w = 0.0
        var h = 0.0
        poppler_page_get_size(page, &w, &h)
        let scale = Double(width) / w
        let surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, Int32(width), Int32((h * scale).rounded()))!
        let cr = cairo_create(surface)!
        cairo_set_source_rgb(cr, 1, 1, 1)
        cairo_paint(cr)
        cairo_scale(cr, scale, scale)
        poppler_page_render(page, cr)
        cairo_destroy(cr)
        final class Sink { var bytes: [UInt8] = [] }
        let sink = Sink()
        cairo_surface_write_to_png_stream(
            surface,
            { closure, data, length in
                guard let closure, let data else { return CAIRO_STATUS_WRITE_ERROR }
                Unmanaged<Sink>.fromOpaque(closure).takeUnretainedValue().bytes.append(
                    contentsOf: UnsafeBufferPointer(start: data, count: Int(length)))
                return CAIRO_STATUS_SUCCESS
            }, Unmanaged.passUnretained(sink).toOpaque())
        cairo_surface_destroy(surface)
        return sink.bytes
    }
}
