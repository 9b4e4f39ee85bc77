import Foundation
import Testing

@testable import RelevePDF

#if canImport(Glibc)
    import Glibc
#endif

/// Issue 14: each rendering thread draws with fonts of its own (cairo shared one glyph cache,
/// behind one mutex, between the threads), and the PDFs stay byte for byte the same.
@Suite("Fonts per thread")
struct ThreadFontsTests {
    /// The `/BaseFont` names of a PDF, one per embedded font subset.
    static func subsets(_ bytes: [UInt8]) -> [String] {
        String(decoding: bytes, as: UTF8.self).matches(of: /\/BaseFont \/[A-Z]{6}\+([A-Za-z-]+)/).map { String($0.1) }
    }

    @Test("statements drawn on four threads at once are byte for byte the ones drawn alone, one subset per font")
    func sameBytesOnThreads() {
        let documents = (0..<8).map { StatementRendererTests.document(rows: 3 + 4 * $0, name: "M. Jean MARTIN \($0)") }
        let alone = documents.map { StatementRenderer.render($0) }
        for pdf in alone { #expect(Self.subsets(pdf).sorted() == ["ReleveSans", "ReleveSans-Bold", "ReleveSans-Oblique"]) }
        let results = Results(count: 4 * documents.count)
        // Threads of their own (not the test's task pool): each makes its fonts on first use.
        DispatchQueue.concurrentPerform(iterations: 4) { thread in
            for (index, document) in documents.enumerated() {
                results.set(thread * documents.count + index, StatementRenderer.render(document))
            }
        }
        for thread in 0..<4 {
            for index in documents.indices {
                #expect(results.get(thread * documents.count + index) == alone[index], "thread \(thread), document \(index)")
            }
        }
    }

    @Test("a slot's fonts are links to the prepared files, made again when one is replaced")
    func slotLinks() throws {
        let files = try #require(UnhintedFonts.files)
        let slot = ThreadFonts.slots - 1
        let linked = try #require(UnhintedFonts.files(slot: slot))
        #expect(linked.count == files.count)
        for (file, link) in zip(files, linked) {
            #expect(file != link)
            #expect(Self.inode(file) == Self.inode(link))
        }
        // A link replaced by another file (an older font, a damaged copy) is not used.
        let first = try #require(linked.first)
        #expect(unlink(first) == 0)
        try Data("pas une police".utf8).write(to: URL(fileURLWithPath: first))
        #expect(Self.inode(first) != Self.inode(files[0]))
        #expect(UnhintedFonts.files(slot: slot) == linked)
        #expect(Self.inode(first) == Self.inode(files[0]))
        // The PDFs drawn after that are the same.
        let document = StatementRendererTests.document(rows: 5)
        #expect(StatementRenderer.render(document) == StatementRenderer.render(document))
    }

    static func inode(_ path: String) -> UInt64? {
        var info = stat()
        return stat(path, &info) == 0 ? UInt64(info.st_ino) : nil
    }

    /// Rendered PDFs by index, written from several threads.
    final class Results: @unchecked Sendable {
        private var values: [[UInt8]]
        private let lock = NSLock()
        init(count: Int) { values = Array(repeating: [], count: count) }
        func set(_ index: Int, _ value: [UInt8]) { lock.withLock { values[index] = value } }
        func get(_ index: Int) -> [UInt8] { lock.withLock { values[index] } }
    }
}
