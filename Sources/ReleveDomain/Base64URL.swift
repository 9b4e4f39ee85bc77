import Foundation

/// Base64url without padding (RFC 4648 §5): tokens, cursors, PKCE challenges, the forms' CSRF
/// tokens (one per page view: written directly, without Foundation's base64 and three
/// replacements, which were 3 % of a page's CPU).
public enum Base64URL {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    public static func encode<Bytes: Collection>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        let count = bytes.count
        let length = (count * 4 + 2) / 3
        return String(unsafeUninitializedCapacity: length) { output in
            var written = 0
            var iterator = bytes.makeIterator()
            while let first = iterator.next() {
                let second = iterator.next()
                let third = second == nil ? nil : iterator.next()
                let group = UInt32(first) << 16 | UInt32(second ?? 0) << 8 | UInt32(third ?? 0)
                output[written] = alphabet[Int(group >> 18 & 63)]
                output[written + 1] = alphabet[Int(group >> 12 & 63)]
                written += 2
                if second != nil {
                    output[written] = alphabet[Int(group >> 6 & 63)]
                    written += 1
                }
                if third != nil {
                    output[written] = alphabet[Int(group & 63)]
                    written += 1
                }
            }
            return written
        }
    }
}
