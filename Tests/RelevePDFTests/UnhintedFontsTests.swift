import Foundation
import ReleveTestSupport
import Testing

@testable import RelevePDF

/// Issue 19: the statements embed DejaVu Sans without its hinting (half of each font subset),
/// renamed "Releve Sans"; outlines, metrics and every other table are DejaVu's own.
@Suite("Unhinted fonts")
struct UnhintedFontsTests {
    static let dejavu = "/usr/share/fonts/truetype/dejavu"

    /// What fontconfig's own scanner reads from a font file (family, style, PostScript name).
    static func scan(_ path: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/fc-scan")
        process.arguments = ["--format", "%{family}|%{style}|%{postscriptname}", path]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    @Test(
        "each DejaVu face loses its hinting tables and instructions only, and loads as Releve Sans",
        arguments: [("DejaVuSans.ttf", "Book", "ReleveSans"), ("DejaVuSans-Bold.ttf", "Bold", "ReleveSans-Bold")])
    func unhinted(file: String, style: String, postScript: String) throws {
        let original = Array(try Data(contentsOf: URL(fileURLWithPath: "\(Self.dejavu)/\(file)")))
        let source = try TrueTypeFont(original)
        let bytes = try source.unhinted(family: "Releve Sans", style: style, postScript: postScript)
        let font = try TrueTypeFont(bytes)
        #expect(["fpgm", "prep", "cvt "].allSatisfy { source.tables[$0] != nil && font.tables[$0] == nil })
        // Outlines, metrics, character map, kerning and shaping tables: DejaVu's, byte for byte.
        for tag in source.tables.keys
        where !["fpgm", "prep", "cvt ", "hdmx", "LTSH", "VDMX", "glyf", "loca", "head", "maxp", "name"].contains(tag) {
            #expect(font.tables[tag] == source.tables[tag], "\(tag)")
        }
        // The whole-font checksum a validator checks: 0xB1B0AFBA.
        #expect(TrueTypeFont.checksum(bytes) == 0xB1B0_AFBA)
        // Smaller outlines table, same glyphs, and no instruction left in any glyph.
        #expect(font.tables["glyf"]!.count < source.tables["glyf"]!.count)
        let glyphs = Int(TrueTypeFont.u16(source.tables["maxp"]!, 4))
        #expect(font.tables["loca"]!.count == (glyphs + 1) * 4)
        let (loca, glyf) = (font.tables["loca"]!, font.tables["glyf"]!)
        var instructed = 0
        for index in 0..<glyphs {
            let start = Int(TrueTypeFont.u32(loca, index * 4))
            guard Int(TrueTypeFont.u32(loca, index * 4 + 4)) > start else { continue }
            let contours = Int16(bitPattern: TrueTypeFont.u16(glyf, start))
            if contours >= 0 {
                if TrueTypeFont.u16(glyf, start + 10 + 2 * Int(contours)) != 0 { instructed += 1 }
            } else if TrueTypeFont.u16(glyf, start + 10) & 0x0100 != 0 {
                instructed += 1
            }
        }
        #expect(instructed == 0)
        let directory = Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("\(postScript).ttf").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        #expect(try Self.scan(path) == "Releve Sans|\(style)|\(postScript)")
    }

    @Test("the canvases use them: a statement's fonts are Releve Sans subsets, and it renders the same text")
    func statementsUseThem() throws {
        #expect(UnhintedFonts.family == "Releve Sans")
        let bytes = StatementRenderer.render(StatementRendererTests.document(rows: 15))
        let text = String(decoding: bytes, as: UTF8.self)
        let fonts = Set(text.matches(of: /\/BaseFont \/[A-Z]{6}\+([A-Za-z-]+)/).map { String($0.1) })
        #expect(fonts == ["ReleveSans", "ReleveSans-Bold", "ReleveSans-Oblique"])
        #expect(!text.contains("DejaVu"))
        let pages = try PDFReader(bytes: bytes).pagesText()
        #expect(pages[0].contains("Relevé mensuel de vos remboursements"))
    }
}
