import Foundation
import Hummingbird
import NIOCore

/// A parsed `application/x-www-form-urlencoded` body or query string: each name once (the
/// first value wins), values percent-decoded, `+` as space.
struct Form: Sendable {
    var values: [String: String] = [:]

    init(_ encoded: String) {
        for pair in encoded.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = Self.decode(parts[0])
            let value = parts.count > 1 ? Self.decode(parts[1]) : ""
            if values[name] == nil { values[name] = value }
        }
    }

    static func decode(_ text: Substring) -> String {
        String(text).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
    }

    subscript(_ name: String) -> String? { values[name] }

    /// A field's value, trimmed, empty as nil.
    func text(_ name: String) -> String? {
        guard let value = values[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else { return nil }
        return value
    }

    /// The form of a POST, at most `limit` bytes (413 beyond).
    static func read(_ request: Request, limit: Int = 16 * 1024) async throws -> Form {
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw WebError.tooLarge
        }
        guard let text = buffer.getString(at: buffer.readerIndex, length: buffer.readableBytes) else {
            throw WebError.badRequest("formulaire illisible")
        }
        return Form(text)
    }

    static func query(_ request: Request) -> Form {
        Form(request.uri.query ?? "")
    }
}
