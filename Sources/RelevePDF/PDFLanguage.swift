import Foundation

/// Declares the document's language (`/Lang` in the catalog, PDF 1.7 §14.9.2), which cairo
/// cannot write: a screen reader then reads the text as French. Done as an incremental update
/// (the catalog again, with `/Lang`, and a one-entry cross-reference section after the
/// original bytes, which are left untouched), so it is deterministic and cannot break the
/// file cairo wrote. A file it cannot read as cairo writes them is returned unchanged.
enum PDFLanguage {
    static func tag(_ bytes: [UInt8], language: String = "fr-FR") -> [UInt8] {
        // The trailer and startxref are in the last kilobyte.
        let tail = String(decoding: bytes.suffix(1024), as: UTF8.self)
        guard let trailer = tail.range(of: "trailer", options: .backwards).map({ String(tail[$0.upperBound...]) }),
            let size = Self.number(after: "/Size", in: trailer), let root = Self.number(after: "/Root", in: trailer),
            let startxref = tail.range(of: "startxref", options: .backwards).flatMap({
                Int(tail[$0.upperBound...].trimmingCharacters(in: .whitespacesAndNewlines).prefix { $0.isNumber })
            })
        else { return bytes }
        let info = Self.number(after: "/Info", in: trailer)
        // The catalog as cairo wrote it: "N 0 obj\n<< … >>\nendobj", found in the bytes (the
        // file is mostly binary streams: no decoding of the whole of it).
        guard let start = Self.last(Array("\n\(root) 0 obj\n".utf8), in: bytes, before: bytes.count),
            let end = Self.first(Array("endobj".utf8), in: bytes, from: start.upperBound),
            let close = Self.last(Array(">>".utf8), in: bytes, before: end.lowerBound), close.lowerBound >= start.upperBound
        else { return bytes }
        let dictionary = String(decoding: bytes[start.upperBound..<close.lowerBound], as: UTF8.self)
        guard dictionary.contains("/Type /Catalog"), !dictionary.contains("/Lang") else { return bytes }
        var out = bytes
        if out.last != 10 { out.append(10) }
        let objectOffset = out.count
        out += Array("\(root) 0 obj\n\(dictionary)   /Lang (\(language))\n>>\nendobj\n".utf8)
        let xrefOffset = out.count
        let entry = String(repeating: "0", count: 10 - String(objectOffset).count) + String(objectOffset)
        out += Array("xref\n0 1\n0000000000 65535 f \n\(root) 1\n\(entry) 00000 n \n".utf8)
        out += Array(
            "trailer\n<< /Size \(size)\n   /Root \(root) 0 R\n\(info.map { "   /Info \($0) 0 R\n" } ?? "")   /Prev \(startxref)\n>>\nstartxref\n\(xrefOffset)\n%%EOF\n"
                .utf8)
        return out
    }

    /// The last occurrence of `needle` ending at or before `end`.
    static func last(_ needle: [UInt8], in bytes: [UInt8], before end: Int) -> Range<Int>? {
        var index = end - needle.count
        while index >= 0 {
            if bytes[index] == needle[0] && bytes[index..<index + needle.count].elementsEqual(needle) {
                return index..<index + needle.count
            }
            index -= 1
        }
        return nil
    }

    /// The first occurrence of `needle` starting at or after `start`.
    static func first(_ needle: [UInt8], in bytes: [UInt8], from start: Int) -> Range<Int>? {
        var index = start
        while index + needle.count <= bytes.count {
            if bytes[index] == needle[0] && bytes[index..<index + needle.count].elementsEqual(needle) {
                return index..<index + needle.count
            }
            index += 1
        }
        return nil
    }

    /// The integer after `key` in a dictionary's text (`/Size 31` → 31, `/Root 30 0 R` → 30).
    static func number(after key: String, in text: String) -> Int? {
        guard let range = text.range(of: key + " ") else { return nil }
        return Int(text[range.upperBound...].prefix { $0.isNumber })
    }
}
