import Foundation

/// A `multipart/form-data` body (RFC 7578), read for the document check only: its text fields
/// and at most one file, all in memory (the body is bounded before it gets here). Nothing in
/// a part is interpreted beyond its name; a malformed body is refused as a whole.
struct Multipart: Sendable {
    var fields: [String: String] = [:]
    var files: [String: [UInt8]] = [:]

    /// The boundary of a `multipart/form-data` content type, if it is one.
    static func boundary(contentType: String) -> String? {
        let parts = contentType.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.first?.lowercased() == "multipart/form-data" else { return nil }
        for part in parts.dropFirst() where part.lowercased().hasPrefix("boundary=") {
            var value = String(part.dropFirst("boundary=".count))
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            // RFC 2046: 1 to 70 characters.
            return (1...70).contains(value.count) ? value : nil
        }
        return nil
    }

    enum Failure: Error {
        case malformed
    }

    init(body: [UInt8], boundary: String) throws(Failure) {
        let delimiter = Array("--\(boundary)".utf8)
        let crlf: [UInt8] = [13, 10]
        guard var position = Self.find(delimiter, in: body, from: 0) else { throw .malformed }
        position += delimiter.count
        while true {
            // After a delimiter: "--" ends the body, CRLF starts a part.
            if body[position...].starts(with: [45, 45]) { return }
            guard body[position...].starts(with: crlf) else { throw .malformed }
            position += 2
            guard let headersEnd = Self.find(crlf + crlf, in: body, from: position),
                let next = Self.find(crlf + delimiter, in: body, from: headersEnd + 4)
            else { throw .malformed }
            let headers = String(decoding: body[position..<headersEnd], as: UTF8.self)
            let content = Array(body[(headersEnd + 4)..<next])
            guard
                let disposition = headers.split(separator: "\r\n").first(where: {
                    $0.lowercased().hasPrefix("content-disposition:")
                }),
                let name = Self.parameter("name", in: String(disposition))
            else { throw .malformed }
            if Self.parameter("filename", in: String(disposition)) != nil {
                if files[name] == nil { files[name] = content }
            } else if fields[name] == nil {
                fields[name] = String(decoding: content, as: UTF8.self)
            }
            position = next + 2 + delimiter.count
            guard position <= body.count else { throw .malformed }
        }
    }

    /// `name="value"` in a Content-Disposition header.
    static func parameter(_ name: String, in header: String) -> String? {
        for piece in header.split(separator: ";").dropFirst() {
            let pair = piece.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, pair[0].trimmingCharacters(in: .whitespaces).lowercased() == name else { continue }
            var value = pair[1].trimmingCharacters(in: .whitespaces)
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            return value
        }
        return nil
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard !needle.isEmpty, haystack.count >= needle.count, start <= haystack.count - needle.count else { return nil }
        let first = needle[0]
        var index = start
        let last = haystack.count - needle.count
        while index <= last {
            if haystack[index] == first && haystack[index..<(index + needle.count)].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }
}
