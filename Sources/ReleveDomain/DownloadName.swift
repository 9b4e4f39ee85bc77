/// The `Content-Disposition` of a download (RFC 6266): built by the server from a name it
/// chose, never from a path or a request. Whatever the name holds, the header is one line of
/// visible ASCII: an ASCII fallback (`filename="…"`, no quote, backslash, control or non-ASCII
/// byte) and the exact name percent-encoded in UTF-8 (`filename*=UTF-8''…`, RFC 8187).
public enum DownloadName {
    public static func contentDisposition(fileName: String) -> String {
        "attachment; filename=\"\(asciiFallback(fileName))\"; filename*=UTF-8''\(percentEncoded(fileName))"
    }

    /// Letters, digits, `-`, `_` and `.` kept; anything else becomes `_`; never empty, never a
    /// dot file, at most 100 bytes.
    public static func asciiFallback(_ name: String) -> String {
        var bytes = name.utf8.prefix(400).map { byte -> UInt8 in
            let isAlnum = (byte >= 0x30 && byte <= 0x39) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A)
            return isAlnum || byte == 0x2D || byte == 0x5F || byte == 0x2E ? byte : 0x5F
        }
        // Shortened first, then leading dots removed (found by the fuzzer: a suffix could start
        // with a dot again).
        if bytes.count > 100 { bytes = Array(bytes.suffix(100)) }
        while bytes.first == 0x2E { bytes.removeFirst() }
        return bytes.isEmpty ? "document" : String(decoding: bytes, as: UTF8.self)
    }

    /// RFC 8187 `attr-char`s kept, every other byte as `%XX`.
    public static func percentEncoded(_ name: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        for byte in name.utf8.prefix(400) {
            let isAlnum = (byte >= 0x30 && byte <= 0x39) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A)
            if isAlnum || "!#$&+-.^_`|~".utf8.contains(byte) {
                out.append(byte)
            } else {
                out += [0x25, hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
            }
        }
        return out.isEmpty ? "document" : String(decoding: out, as: UTF8.self)
    }
}
