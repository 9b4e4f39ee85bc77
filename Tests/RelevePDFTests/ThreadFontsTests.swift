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

    @Test("threads that render and end, 64 of them four at a time, sharing three slots of fonts: every PDF the same")
    func threadsComeAndGo() {
        let document = StatementRendererTests.document(rows: 6)
        let expected = StatementRenderer.render(document)
        let results = Results(count: 64)
        for round in 0..<16 {
            let finished = DispatchGroup()
            for index in 0..<4 {
                finished.enter()
                // A thread of its own, which ends after one statement: its layouts and pango font
                // map go with it, its slot's fonts stay (cairo 1.16 crashed when faces were
                // reopened or destroyed under other threads, see `ThreadFonts`).
                let thread = Thread {
                    results.set(round * 4 + index, StatementRenderer.render(document))
                    finished.leave()
                }
                thread.start()
            }
            finished.wait()
        }
        for index in 0..<64 { #expect(results.get(index) == expected, "statement \(index)") }
    }

    @Test("a slot's fonts are links to the prepared files")
    func slotLinks() throws {
        let files = try #require(UnhintedFonts.files)
        let linked = try #require(UnhintedFonts.files(slot: 0))
        #expect(linked.count == files.count)
        for (file, link) in zip(files, linked) {
            #expect(file != link)
            #expect(Self.inode(file) == Self.inode(link))
        }
    }

    @Test("a link replaced by another file is made again, and a missing font gives no links")
    func linksRepaired() throws {
        // Copies of the fonts in a folder of the test's own: the slots' links in use by other
        // threads of this process are never touched.
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("releve-liens-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createDirectory(atPath: "\(folder)/fil", withIntermediateDirectories: true)
        var sources: [String] = []
        for file in try #require(UnhintedFonts.files) {
            let copy = "\(folder)/\(URL(fileURLWithPath: file).lastPathComponent)"
            try FileManager.default.copyItem(atPath: file, toPath: copy)
            sources.append(copy)
        }
        let linked = try #require(UnhintedFonts.links(to: sources, in: "\(folder)/fil"))
        let first = try #require(linked.first)
        #expect(unlink(first) == 0)
        try Data("pas une police".utf8).write(to: URL(fileURLWithPath: first))
        #expect(Self.inode(first) != Self.inode(sources[0]))
        #expect(UnhintedFonts.links(to: sources, in: "\(folder)/fil") == linked)
        #expect(Self.inode(first) == Self.inode(sources[0]))
        #expect(try String(contentsOfFile: first, encoding: .isoLatin1) != "pas une police")
        #expect(UnhintedFonts.links(to: sources + ["\(folder)/absente.ttf"], in: "\(folder)/fil") == nil)
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
