import Foundation
import Logging

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The operators' log (swift-log): one line of JSON per event on standard error when it is not
/// a terminal, a readable line on a terminal. Every line passes through `LogScrubber` first:
/// whatever a caller put in a message or in metadata, no run of 8 digits or more (a NIR, a
/// personal or provisional code), no e-mail address and no long token reaches the log
/// (SECURITY.md; `ObservabilityTests` greps a whole server run for the seeded secrets).
public struct ReleveLogHandler: LogHandler {
    public enum Format: String, Sendable {
        case json
        case text
    }

    public let label: String
    public let format: Format
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    public var logLevel: Logger.Level
    let sink: LogSink

    public init(label: String, format: Format, level: Logger.Level, sink: LogSink = .standardError) {
        self.label = label
        self.format = format
        self.logLevel = level
        self.sink = sink
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        let line = Self.line(
            date: Date(), level: event.level, label: label, message: "\(event.message)", metadata: merged, format: format)
        sink.write(line)
    }

    /// One event as a line (with its newline).
    static func line(
        date: Date, level: Logger.Level, label: String, message: String, metadata: Logger.Metadata, format: Format
    ) -> String {
        let time = Self.timestamp(date)
        // Hummingbird's own request counter (`hb.request.id`) gives way to the request id.
        let keys = metadata.keys.filter { !$0.hasPrefix("hb.") }.sorted()
        switch format {
        case .json:
            var text = "{\"time\":\"\(time)\",\"level\":\"\(level.rawValue)\",\"label\":" + JSONValue.quote(label)
            text += ",\"message\":" + JSONValue.quote(LogScrubber.scrub(message))
            for key in keys {
                text += "," + JSONValue.quote(key) + ":" + json(metadata[key]!, key: key)
            }
            return text + "}\n"
        case .text:
            var text = "\(time) \(level.rawValue) \(label) : \(LogScrubber.scrub(message))"
            for key in keys { text += " \(key)=\(plain(metadata[key]!, key: key))" }
            return text + "\n"
        }
    }

    static func json(_ value: Logger.Metadata.Value, key: String) -> String {
        switch value {
        case .string(let text):
            // Numbers the web writes as strings (status, duration) stay numbers for log tools.
            if Self.numericKeys.contains(key), Double(text) != nil { return text }
            return JSONValue.quote(LogScrubber.scrub(text, key: key))
        case .stringConvertible(let value):
            let text = value.description
            if Self.numericKeys.contains(key), Double(text) != nil { return text }
            return JSONValue.quote(LogScrubber.scrub(text, key: key))
        case .array(let values): return "[" + values.map { json($0, key: key) }.joined(separator: ",") + "]"
        case .dictionary(let values):
            return "{"
                + values.keys.sorted().map { JSONValue.quote($0) + ":" + json(values[$0]!, key: $0) }.joined(separator: ",")
                + "}"
        }
    }

    static func plain(_ value: Logger.Metadata.Value, key: String) -> String {
        switch value {
        case .string(let text): LogScrubber.scrub(text, key: key)
        case .stringConvertible(let value): LogScrubber.scrub(value.description, key: key)
        case .array(let values): "[" + values.map { plain($0, key: key) }.joined(separator: ", ") + "]"
        case .dictionary(let values):
            "[" + values.keys.sorted().map { "\($0)=\(plain(values[$0]!, key: $0))" }.joined(separator: ", ") + "]"
        }
    }

    /// Metadata written as JSON numbers when they parse as one.
    static let numericKeys: Set<String> = [
        "status", "duration_ms", "lines", "lines_per_second", "statements", "letters", "done", "total", "workers", "percent",
        "rate_per_second", "already_issued", "by_post", "files",
    ]

    static func timestamp(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        let millis = Int((date.timeIntervalSince1970 - Double(seconds)) * 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func padded(_ value: Int, _ width: Int) -> String {
            let digits = String(value)
            return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
        }
        return padded(Int(parts.tm_year) + 1900, 4) + "-" + padded(Int(parts.tm_mon) + 1, 2) + "-"
            + padded(Int(parts.tm_mday), 2) + "T" + padded(Int(parts.tm_hour), 2) + ":" + padded(Int(parts.tm_min), 2)
            + ":" + padded(Int(parts.tm_sec), 2) + "." + padded(millis, 3) + "Z"
    }

    /// Installs the handler for the whole process, once, as `RELEVE_JOURNAL_FORMAT` (`json`,
    /// `texte`, `auto`: JSON unless standard error is a terminal) and `RELEVE_JOURNAL_NIVEAU`
    /// (`debug`, `info`, `avertissement`, `erreur`; default `info`) say.
    /// `quietOnTerminal`: a command that prints its own French progress and summary on a terminal
    /// logs only warnings there unless a level is set (its info lines would repeat them).
    public static func bootstrap(
        environment: [String: String] = ProcessInfo.processInfo.environment, quietOnTerminal: Bool = false
    ) {
        let terminal = isatty(STDERR_FILENO) == 1
        let format: Format =
            switch environment["RELEVE_JOURNAL_FORMAT"] {
            case "json": .json
            case "texte": .text
            default: terminal ? .text : .json
            }
        let level =
            environment["RELEVE_JOURNAL_NIVEAU"] == nil && terminal && quietOnTerminal
            ? .warning : level(environment["RELEVE_JOURNAL_NIVEAU"])
        LoggingSystem.bootstrap { label in ReleveLogHandler(label: label, format: format, level: level) }
    }

    /// A level from its French name (the configuration's words), `info` when absent or unknown.
    public static func level(_ word: String?) -> Logger.Level {
        switch word {
        case "debug": .debug
        case "avertissement": .warning
        case "erreur": .error
        default: .info
        }
    }
}

/// Where log lines go: a file descriptor, written one whole line per `write` under a lock (lines
/// from concurrent requests never interleave), or a buffer (tests).
public final class LogSink: @unchecked Sendable {
    private let lock = NSLock()
    private let descriptor: Int32?
    private var captured: [String] = []

    init(descriptor: Int32?) {
        self.descriptor = descriptor
    }

    public static let standardError = LogSink(descriptor: STDERR_FILENO)

    /// A sink that keeps the lines in memory.
    public static func memory() -> LogSink { LogSink(descriptor: nil) }

    public var lines: [String] { lock.withLock { captured } }

    func write(_ line: String) {
        lock.withLock {
            guard let descriptor else {
                captured.append(line)
                return
            }
            var line = line
            line.withUTF8 { bytes in
                var offset = 0
                while offset < bytes.count {
                    let written = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                    if written < 0 && errno == EINTR { continue }
                    if written <= 0 { return }  // a closed or full standard error loses the line, never the request
                    offset += written
                }
            }
        }
    }
}

/// What must never be written in a log line, replaced whatever the caller passed.
public enum LogScrubber {
    /// Metadata whose values the code made or checked itself and keeps as is: the request id
    /// (letters, digits, `.`, `_`, `-`, at most 64, taken from the client or generated) and a
    /// print batch's reference (`LOT-` and its date, whose eight digits are not a code).
    static let checkedKeys: Set<String> = ["request_id", "batch"]

    /// `text` with every run of 8 digits or more (NIR, personal or provisional code, a phone
    /// number), every e-mail address and every run of 24 token characters or more (session and
    /// API tokens, links' secrets) replaced by `[masqué]`.
    public static func scrub(_ text: String, key: String = "") -> String {
        if checkedKeys.contains(key) { return text }
        var text = text
        // Byte by byte (every character that matters is ASCII): the ranges to mask, if any.
        let masked = text.withUTF8 { bytes -> [Range<Int>] in
            var ranges: [Range<Int>] = []
            var start = -1
            var consecutive = 0
            var longest = 0
            var at = false
            var dot = false
            func flush(_ end: Int) {
                if start >= 0 {
                    // A run never ends on the spaces it took in.
                    var last = end
                    while last > start && bytes[last - 1] == 0x20 { last -= 1 }
                    if longest >= 8 || last - start >= 24 || (at && dot) { ranges.append(start..<last) }
                }
                start = -1
                consecutive = 0
                longest = 0
                at = false
                dot = false
            }
            for index in 0..<bytes.count {
                let byte = bytes[index]
                let digit = byte >= 0x30 && byte <= 0x39
                let letter = (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A
                if digit || letter || Self.tokenPunctuation.contains(byte) {
                    if start < 0 { start = index }
                    consecutive = digit ? consecutive + 1 : 0
                    longest = max(longest, consecutive)
                    if byte == UInt8(ascii: "@") { at = true }
                    if byte == UInt8(ascii: ".") { dot = true }
                } else if byte == 0x20 && consecutive > 0 && index + 1 < bytes.count && bytes[index + 1] >= 0x30
                    && bytes[index + 1] <= 0x39
                {
                    // Digit groups with spaces between (« 1 84 12 75 … ») stay one run; a space
                    // before a word ends it (the word is not masked with the number).
                    continue
                } else {
                    flush(index)
                }
            }
            flush(bytes.count)
            return ranges
        }
        if masked.isEmpty { return text }
        var output = [UInt8]()
        output.reserveCapacity(text.utf8.count)
        var position = 0
        let bytes = Array(text.utf8)
        for range in masked {
            output += bytes[position..<range.lowerBound]
            output += Array("[masqué]".utf8)
            position = range.upperBound
        }
        output += bytes[position...]
        return String(decoding: output, as: UTF8.self)
    }

    /// Besides letters and digits, what tokens, codes and e-mail addresses are made of.
    static let tokenPunctuation: Set<UInt8> = Set("_-+.@%=".utf8)
}
