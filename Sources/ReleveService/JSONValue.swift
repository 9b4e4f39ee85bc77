/// A JSON document built in code, written compactly without reflection or `Codable` (FHIR
/// bundles): numbers are text (exact decimals for money, integers as they are), members keep the
/// order they are given in.
indirect enum JSONValue {
    case object([(String, JSONValue)])
    case array([JSONValue])
    case string(String)
    /// A number, already written (`-200`, `30.50`).
    case number(String)
    case bool(Bool)

    static func integer<Integer: BinaryInteger>(_ value: Integer) -> JSONValue { .number(String(value)) }

    /// `{"a":1,"b":[true]}`, members in their given order.
    func write(into out: inout String) {
        switch self {
        case .object(let members):
            out += "{"
            for (index, (key, value)) in members.enumerated() {
                if index > 0 { out += "," }
                Self.quote(key, into: &out)
                out += ":"
                value.write(into: &out)
            }
            out += "}"
        case .array(let values):
            out += "["
            for (index, value) in values.enumerated() {
                if index > 0 { out += "," }
                value.write(into: &out)
            }
            out += "]"
        case .string(let text): Self.quote(text, into: &out)
        case .number(let text): out += text
        case .bool(let flag): out += flag ? "true" : "false"
        }
    }

    /// A JSON string: `"` and `\` escaped, control characters as `\n`, `\b`… or `\u00XX`; `/` and
    /// every other character as they are.
    static func quote(_ text: String, into out: inout String) {
        out += "\""
        if isPlain(text.utf8) {
            out += text
        } else {
            for scalar in text.unicodeScalars {
                switch scalar {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                case "\r": out += "\\r"
                case "\t": out += "\\t"
                case "\u{8}": out += "\\b"
                case "\u{c}": out += "\\f"
                case _ where scalar.value < 0x20:
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                default: out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }

    /// Whether a string's UTF-8 needs no escaping: no control character, `"` or `\`.
    static func isPlain(_ utf8: some Sequence<UInt8>) -> Bool {
        !utf8.contains { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }
    }

    static func quote(_ text: String) -> String {
        var out = ""
        quote(text, into: &out)
        return out
    }
}

/// JSON written as it is produced, in the form Foundation's `JSONEncoder` gives with
/// `[.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]` (two spaces per level, `"key" : value`,
/// an empty list or object as `[\n\n]`): the payments export's published form, byte for byte,
/// at a fraction of the encoder's cost (a fifth of the server's time on `GET /api/v1/paiements`,
/// docs/BENCHMARKS.md). The caller gives members in key order; PaymentsServiceTests compares the
/// result with the encoder's.
struct PrettyJSONWriter {
    /// UTF-8 as it is written: appending bytes, digits and indents to an array costs a fraction
    /// of appending `String`s (a sixth of the API's time went to this writer, docs/BENCHMARKS.md).
    private(set) var bytes: [UInt8] = []
    /// For each open list or object: whether nothing was written in it yet.
    private var empty: [Bool] = []

    var text: String { String(decoding: bytes, as: UTF8.self) }

    init(capacity: Int = 4096) { bytes.reserveCapacity(capacity) }

    private mutating func newLine(depth: Int) {
        bytes.append(UInt8(ascii: "\n"))
        bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: 2 * depth))
    }

    /// Before a member or an element: the separator and the indent.
    private mutating func next() {
        guard !empty.isEmpty else { return }
        if !empty[empty.count - 1] { bytes.append(UInt8(ascii: ",")) }
        empty[empty.count - 1] = false
        newLine(depth: empty.count)
    }

    mutating func key(_ name: String) {
        next()
        quote(name)
        bytes.append(contentsOf: [UInt8(ascii: " "), UInt8(ascii: ":"), UInt8(ascii: " ")])
    }

    /// Opens an object as a value (after `key`, or as the next element with `element: true`).
    mutating func openObject(element: Bool = false) {
        if element { next() }
        bytes.append(UInt8(ascii: "{"))
        empty.append(true)
    }

    mutating func openArray(element: Bool = false) {
        if element { next() }
        bytes.append(UInt8(ascii: "["))
        empty.append(true)
    }

    private mutating func close(_ bracket: UInt8) {
        let wasEmpty = empty.removeLast()
        if wasEmpty { bytes.append(UInt8(ascii: "\n")) }
        newLine(depth: empty.count)
        bytes.append(bracket)
    }

    mutating func closeObject() { close(UInt8(ascii: "}")) }
    mutating func closeArray() { close(UInt8(ascii: "]")) }

    mutating func string(_ value: String, element: Bool = false) {
        if element { next() }
        quote(value)
    }

    /// A string as `JSONValue.quote` writes it; without anything to escape (nearly always), its
    /// bytes are copied as they are.
    private mutating func quote(_ value: String) {
        var value = value
        let clean = value.withUTF8 { utf8 in
            guard JSONValue.isPlain(utf8) else { return false }
            bytes.append(UInt8(ascii: "\""))
            bytes.append(contentsOf: utf8)
            bytes.append(UInt8(ascii: "\""))
            return true
        }
        if !clean {
            var quoted = ""
            JSONValue.quote(value, into: &quoted)
            bytes.append(contentsOf: quoted.utf8)
        }
    }

    /// Decimal digits, a `-` first for a negative value.
    mutating func integer<Integer: BinaryInteger>(_ value: Integer, element: Bool = false) {
        if element { next() }
        let number = Int64(value)
        if number < 0 { bytes.append(UInt8(ascii: "-")) }
        var magnitude = number.magnitude
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // room for 20 digits, written backwards
        withUnsafeMutableBytes(of: &digits) { buffer in
            var index = buffer.count
            repeat {
                index -= 1
                buffer[index] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            bytes.append(contentsOf: buffer[index...])
        }
    }

    mutating func bool(_ value: Bool) { bytes.append(contentsOf: (value ? "true" : "false").utf8) }

    mutating func member(_ name: String, _ value: String) {
        key(name)
        string(value)
    }

    mutating func member<Integer: BinaryInteger>(_ name: String, _ value: Integer) {
        key(name)
        integer(value)
    }

    mutating func member(_ name: String, _ value: Bool) {
        key(name)
        bool(value)
    }
}
