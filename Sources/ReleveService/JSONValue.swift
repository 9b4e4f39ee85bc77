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
        var clean = true
        for byte in text.utf8 where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
            clean = false
            break
        }
        if clean {
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
    private(set) var text = ""
    /// For each open list or object: whether nothing was written in it yet.
    private var empty: [Bool] = []

    init(capacity: Int = 4096) { text.reserveCapacity(capacity) }

    private mutating func newLine(depth: Int) {
        text += "\n"
        for _ in 0..<depth { text += "  " }
    }

    /// Before a member or an element: the separator and the indent.
    private mutating func next() {
        guard !empty.isEmpty else { return }
        if !empty[empty.count - 1] { text += "," }
        empty[empty.count - 1] = false
        newLine(depth: empty.count)
    }

    mutating func key(_ name: String) {
        next()
        JSONValue.quote(name, into: &text)
        text += " : "
    }

    /// Opens an object as a value (after `key`, or as the next element with `element: true`).
    mutating func openObject(element: Bool = false) {
        if element { next() }
        text += "{"
        empty.append(true)
    }

    mutating func openArray(element: Bool = false) {
        if element { next() }
        text += "["
        empty.append(true)
    }

    mutating func close(_ bracket: String) {
        let wasEmpty = empty.removeLast()
        if wasEmpty { text += "\n" }
        newLine(depth: empty.count)
        text += bracket
    }

    mutating func closeObject() { close("}") }
    mutating func closeArray() { close("]") }

    mutating func string(_ value: String, element: Bool = false) {
        if element { next() }
        JSONValue.quote(value, into: &text)
    }

    mutating func integer<Integer: BinaryInteger>(_ value: Integer) { text += String(value) }
    mutating func bool(_ value: Bool) { text += value ? "true" : "false" }

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
