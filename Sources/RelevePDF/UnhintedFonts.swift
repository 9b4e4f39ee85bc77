internal import CPango
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The PDFs' fonts: DejaVu Sans (Book, Bold, Oblique) without its TrueType hinting, under the
/// family name "Releve Sans".
///
/// Hinting is bytecode that snaps outlines to a screen's pixel grid at small sizes: printers
/// and PDF viewers at any zoom ignore it or do better without it, and it is more than half of
/// what each embedded font subset weighs (the `fpgm`, `prep`, `cvt ` tables and each glyph's
/// instructions; about 15 kB of a 35 kB statement). The outlines, metrics, kerning and every
/// other table stay as DejaVu ships them, so pages look the same. The fonts are written once
/// per machine and user, beside the temporary files, keyed by a hash of the fonts they
/// come from, and handed to fontconfig for this process only. The DejaVu licence allows
/// modified copies under another name; its notice is kept in the name table.
///
/// When anything fails (no DejaVu file, an unsafe folder), the system's DejaVu Sans is used:
/// the same pages, heavier files.
enum UnhintedFonts {
    /// The three prepared fonts (Book, Bold, Oblique), handed to fontconfig; nil when the
    /// system's DejaVu Sans is used instead.
    static let files: [String]? = prepare()

    /// The family the canvases ask for: "Releve Sans" once prepared, else "DejaVu Sans".
    static let family: String = files == nil ? "DejaVu Sans" : "Releve Sans"

    static let styles: [(pattern: String, style: String, postScript: String)] = [
        ("DejaVu Sans:style=Book", "Book", "ReleveSans"),
        ("DejaVu Sans:style=Bold", "Bold", "ReleveSans-Bold"),
        ("DejaVu Sans:style=Oblique", "Oblique", "ReleveSans-Oblique"),
    ]

    private static func prepare() -> [String]? {
        if ProcessInfo.processInfo.environment["RELEVE_POLICES_SYSTEME"] == "1" { return nil }
        var sources: [(path: String, bytes: [UInt8])] = []
        for (pattern, _, _) in styles {
            guard let path = match(pattern), let data = FileManager.default.contents(atPath: path) else { return nil }
            sources.append((path, Array(data)))
        }
        // FNV-1a over the sources and this code's version: new DejaVu files, new folder.
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in sources.flatMap(\.bytes) + Array("releve-sans-v1".utf8) {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        let key = String(hash, radix: 16)
        guard let folder = privateFolder("releve-polices-\(getuid())/\(key)") else { return nil }
        var files: [String] = []
        for (index, (_, style, postScript)) in styles.enumerated() {
            let path = "\(folder)/\(postScript).ttf"
            // Made again in memory each time (a few milliseconds) and compared: a file left
            // damaged or altered in the folder is replaced, never used.
            guard
                let font = try? TrueTypeFont(sources[index].bytes).unhinted(
                    family: "Releve Sans", style: style, postScript: postScript)
            else { return nil }
            if FileManager.default.contents(atPath: path).map(Array.init) != font {
                guard write(font, to: path) else { return nil }
            }
            files.append(path)
        }
        guard let config = FcConfigGetCurrent() else { return nil }
        for file in files where FcConfigAppFontAddFile(config, file) == 0 { return nil }
        return match("Releve Sans:style=Bold").map { $0.hasSuffix("ReleveSans-Bold.ttf") } == true ? files : nil
    }

    /// The file fontconfig picks for `pattern`, when it is the font asked for.
    private static func match(_ pattern: String) -> String? {
        guard let query = FcNameParse(pattern) else { return nil }
        defer { FcPatternDestroy(query) }
        FcConfigSubstitute(nil, query, FcMatchPattern)
        FcDefaultSubstitute(query)
        var result = FcResultNoMatch
        guard let found = FcFontMatch(nil, query, &result) else { return nil }
        defer { FcPatternDestroy(found) }
        var file: UnsafeMutablePointer<FcChar8>?
        guard FcPatternGetString(found, FC_FILE, 0, &file) == FcResultMatch, let file else { return nil }
        var family: UnsafeMutablePointer<FcChar8>?
        guard FcPatternGetString(found, FC_FAMILY, 0, &family) == FcResultMatch, let family,
            pattern.hasPrefix(String(cString: family))
        else { return nil }
        return String(cString: file)
    }

    /// The prepared fonts under paths of their own for `slot` (hard links in a folder beside
    /// them): cairo keys the fonts it shares between threads by file path (see `ThreadFonts`).
    /// nil when the fonts are not prepared or a link cannot be made.
    static func files(slot: Int) -> [String]? {
        guard let files, let first = files.first, let cut = first.lastIndex(of: "/"),
            let folder = privateFolder("fil-\(slot)", under: String(first[..<cut]))
        else { return nil }
        return links(to: files, in: folder)
    }

    /// Hard links to `files` in `folder`, same names; a name there that is not a link to its
    /// file (left by an earlier run to a font since rewritten, or replaced) is made again.
    static func links(to files: [String], in folder: String) -> [String]? {
        var paths: [String] = []
        for file in files {
            guard let slash = file.lastIndex(of: "/") else { return nil }
            let path = "\(folder)/\(file[file.index(after: slash)...])"
            var source = stat()
            var existing = stat()
            guard stat(file, &source) == 0 else { return nil }
            if lstat(path, &existing) != 0 || existing.st_ino != source.st_ino || existing.st_dev != source.st_dev {
                let temporary = "\(path).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).partiel"
                guard link(file, temporary) == 0 else { return nil }
                guard rename(temporary, path) == 0 else {
                    unlink(temporary)
                    return nil
                }
            }
            paths.append(path)
        }
        return paths
    }

    /// `<base>/<relative>` (base: the temporary folder), created 0700, refused unless every level
    /// it creates is a real folder of ours.
    private static func privateFolder(_ relative: String, under base: String = NSTemporaryDirectory()) -> String? {
        var path = base
        while path.hasSuffix("/") && path.count > 1 { path.removeLast() }
        for part in relative.split(separator: "/") {
            path += "/\(part)"
            if mkdir(path, 0o700) != 0 && errno != EEXIST { return nil }
            var info = stat()
            guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR, info.st_uid == getuid(),
                info.st_mode & 0o022 == 0
            else { return nil }
        }
        return path
    }

    /// Written under a temporary name then renamed: another process sees the whole font or none.
    private static func write(_ bytes: [UInt8], to path: String) -> Bool {
        let temporary = "\(path).\(getpid()).partiel"
        guard FileManager.default.createFile(atPath: temporary, contents: Data(bytes), attributes: [.posixPermissions: 0o600])
        else { return false }
        return rename(temporary, path) == 0
    }
}

/// A TrueType font's tables, and the same font without hinting (see `UnhintedFonts`).
struct TrueTypeFont {
    enum Failure: Error { case malformed(String) }

    var tables: [String: [UInt8]]

    init(_ bytes: [UInt8]) throws {
        guard bytes.count >= 12 else { throw Failure.malformed("header") }
        let count = Int(Self.u16(bytes, 4))
        tables = [:]
        for index in 0..<count {
            let record = 12 + 16 * index
            guard record + 16 <= bytes.count else { throw Failure.malformed("directory") }
            let tag = String(decoding: bytes[record..<record + 4], as: UTF8.self)
            let offset = Int(Self.u32(bytes, record + 8))
            let length = Int(Self.u32(bytes, record + 12))
            guard offset + length <= bytes.count else { throw Failure.malformed(tag) }
            tables[tag] = Array(bytes[offset..<offset + length])
        }
        for required in ["head", "loca", "glyf", "maxp", "name"] where tables[required] == nil {
            throw Failure.malformed(required)
        }
    }

    static func u16(_ bytes: [UInt8], _ at: Int) -> UInt16 { UInt16(bytes[at]) << 8 | UInt16(bytes[at + 1]) }
    static func u32(_ bytes: [UInt8], _ at: Int) -> UInt32 {
        UInt32(bytes[at]) << 24 | UInt32(bytes[at + 1]) << 16 | UInt32(bytes[at + 2]) << 8 | UInt32(bytes[at + 3])
    }
    static func put16(_ value: UInt16, _ bytes: inout [UInt8], _ at: Int) {
        bytes[at] = UInt8(value >> 8)
        bytes[at + 1] = UInt8(value & 0xFF)
    }
    static func append16(_ value: UInt16, _ bytes: inout [UInt8]) { bytes += [UInt8(value >> 8), UInt8(value & 0xFF)] }
    static func append32(_ value: UInt32, _ bytes: inout [UInt8]) {
        bytes += [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }

    /// The font without hinting tables and glyph instructions, renamed.
    func unhinted(family: String, style: String, postScript: String) throws -> [UInt8] {
        var tables = self.tables
        for tag in ["fpgm", "prep", "cvt ", "hdmx", "LTSH", "VDMX"] { tables[tag] = nil }
        var head = tables["head"]!
        let longOffsets = Self.u16(head, 50) == 1
        let loca = tables["loca"]!
        let glyphCount = Int(Self.u16(tables["maxp"]!, 4))
        let offset = { (index: Int) -> Int in
            longOffsets ? Int(Self.u32(loca, index * 4)) : Int(Self.u16(loca, index * 2)) * 2
        }
        let glyf = tables["glyf"]!
        var newGlyf: [UInt8] = []
        var newLoca: [UInt8] = []
        for index in 0..<glyphCount {
            Self.append32(UInt32(newGlyf.count), &newLoca)
            let start = offset(index)
            let end = offset(index + 1)
            guard end > start else { continue }
            guard end <= glyf.count else { throw Failure.malformed("glyf \(index)") }
            newGlyf += try Self.withoutInstructions(Array(glyf[start..<end]))
            while newGlyf.count % 4 != 0 { newGlyf.append(0) }
        }
        Self.append32(UInt32(newGlyf.count), &newLoca)
        tables["glyf"] = newGlyf
        tables["loca"] = newLoca
        Self.put16(1, &head, 50)
        tables["head"] = head
        var maxp = tables["maxp"]!
        if maxp.count >= 32 { Self.put16(0, &maxp, 26) }
        tables["maxp"] = maxp
        tables["name"] = try renamed(family: family, style: style, postScript: postScript)
        return Self.assemble(tables)
    }

    /// One glyph's outline without its instructions (simple or composite).
    static func withoutInstructions(_ glyph: [UInt8]) throws -> [UInt8] {
        guard glyph.count >= 10 else { throw Failure.malformed("glyph header") }
        let contours = Int16(bitPattern: u16(glyph, 0))
        if contours >= 0 {
            let lengthAt = 10 + 2 * Int(contours)
            guard lengthAt + 2 <= glyph.count else { throw Failure.malformed("simple glyph") }
            let instructions = Int(u16(glyph, lengthAt))
            guard lengthAt + 2 + instructions <= glyph.count else { throw Failure.malformed("instructions") }
            return Array(glyph[0..<lengthAt]) + [0, 0] + Array(glyph[(lengthAt + 2 + instructions)...])
        }
        var result = glyph
        var at = 10
        while true {
            guard at + 4 <= glyph.count else { throw Failure.malformed("composite glyph") }
            var flags = u16(glyph, at)
            flags &= ~UInt16(0x0100)  // WE_HAVE_INSTRUCTIONS
            put16(flags, &result, at)
            at += 4 + (flags & 0x0001 != 0 ? 4 : 2)
            if flags & 0x0008 != 0 {
                at += 2
            } else if flags & 0x0040 != 0 {
                at += 4
            } else if flags & 0x0080 != 0 {
                at += 8
            }
            if flags & 0x0020 == 0 { break }  // MORE_COMPONENTS
        }
        guard at <= glyph.count else { throw Failure.malformed("composite glyph") }
        return Array(result[0..<at])
    }

    /// A name table (Windows, Unicode, US English) with the new family, and the original's
    /// copyright, version and licence records.
    func renamed(family: String, style: String, postScript: String) throws -> [UInt8] {
        let name = tables["name"]!
        let count = Int(Self.u16(name, 2))
        let storage = Int(Self.u16(name, 4))
        var kept: [UInt16: [UInt8]] = [:]
        for index in 0..<count {
            let record = 6 + 12 * index
            guard record + 12 <= name.count else { throw Failure.malformed("name") }
            let (platform, encoding, language, id) = (
                Self.u16(name, record), Self.u16(name, record + 2), Self.u16(name, record + 4), Self.u16(name, record + 6)
            )
            guard platform == 3, encoding == 1, language == 0x409, [0, 5, 13, 14].contains(id) else { continue }
            let length = Int(Self.u16(name, record + 8))
            let offset = storage + Int(Self.u16(name, record + 10))
            guard offset + length <= name.count else { throw Failure.malformed("name string") }
            kept[id] = Array(name[offset..<offset + length])
        }
        let utf16 = { (text: String) -> [UInt8] in text.utf16.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] } }
        let full = style == "Book" ? family : "\(family) \(style)"
        kept[1] = utf16(family)
        kept[2] = utf16(style)
        kept[3] = utf16("\(full); sans hinting, d'après DejaVu Sans")
        kept[4] = utf16(full)
        kept[6] = utf16(postScript)
        let ids = kept.keys.sorted()
        var table: [UInt8] = []
        Self.append16(0, &table)
        Self.append16(UInt16(ids.count), &table)
        Self.append16(UInt16(6 + 12 * ids.count), &table)
        var strings: [UInt8] = []
        for id in ids {
            let value = kept[id]!
            for field in [3, 1, 0x409, id, UInt16(value.count), UInt16(strings.count)] as [UInt16] {
                Self.append16(field, &table)
            }
            strings += value
        }
        return table + strings
    }

    /// The font file: directory sorted by tag, tables on 4-byte boundaries with their checksums,
    /// and the head table's whole-font adjustment.
    static func assemble(_ tables: [String: [UInt8]]) -> [UInt8] {
        let tags = tables.keys.sorted()
        var power = 1
        var selector = 0
        while power * 2 <= tags.count {
            power *= 2
            selector += 1
        }
        var file: [UInt8] = [0, 1, 0, 0]
        append16(UInt16(tags.count), &file)
        append16(UInt16(power * 16), &file)
        append16(UInt16(selector), &file)
        append16(UInt16(tags.count * 16 - power * 16), &file)
        var body: [UInt8] = []
        var headAt = 0
        let bodyStart = 12 + 16 * tags.count
        for tag in tags {
            var table = tables[tag]!
            if tag == "head" {
                for index in 8..<12 { table[index] = 0 }
                headAt = bodyStart + body.count
            }
            file += Array(tag.utf8)
            append32(checksum(table), &file)
            append32(UInt32(bodyStart + body.count), &file)
            append32(UInt32(table.count), &file)
            body += table
            while body.count % 4 != 0 { body.append(0) }
        }
        file += body
        let adjustment = 0xB1B0_AFBA &- checksum(file)
        file[headAt + 8] = UInt8(adjustment >> 24)
        file[headAt + 9] = UInt8(adjustment >> 16 & 0xFF)
        file[headAt + 10] = UInt8(adjustment >> 8 & 0xFF)
        file[headAt + 11] = UInt8(adjustment & 0xFF)
        return file
    }

    static func checksum(_ bytes: [UInt8]) -> UInt32 {
        var sum: UInt32 = 0
        var index = 0
        while index < bytes.count {
            var word: UInt32 = 0
            for shift in 0..<4 {
                word = word << 8 | UInt32(index + shift < bytes.count ? bytes[index + shift] : 0)
            }
            sum = sum &+ word
            index += 4
        }
        return sum
    }
}
