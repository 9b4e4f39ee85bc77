/// A JSON document built in code, written without reflection or `Codable`: numbers are text
/// (exact decimals for money, integers as they are), members keep the order they are given in.
/// Two forms: compact (FHIR bundles), and pretty with sorted keys — byte for byte what
/// Foundation's `JSONEncoder` writes with `[.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]`
/// (the payments export's published form), at a fraction of its cost: the encoder was a fifth of
/// the server's time on `GET /api/v1/paiements` (docs/BENCHMARKS.md).
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

    /// Two spaces per level, `"key" : value`, keys sorted, an empty list or object as `[\n\n]`.
    func writePretty(into out: inout String, indent: Int = 0) {
        switch self {
        case .object(let members):
            out += "{\n"
            // Built in key order where it is hot (the payments export): checked, not sorted again.
            let inOrder = zip(members, members.dropFirst()).allSatisfy { $0.0 < $1.0 }
            for (index, (key, value)) in (inOrder ? members : members.sorted(by: { $0.0 < $1.0 })).enumerated() {
                if index > 0 { out += ",\n" }
                Self.pad(&out, indent + 2)
                Self.quote(key, into: &out)
                out += " : "
                value.writePretty(into: &out, indent: indent + 2)
            }
            out += "\n"
            Self.pad(&out, indent)
            out += "}"
        case .array(let values):
            out += "[\n"
            for (index, value) in values.enumerated() {
                if index > 0 { out += ",\n" }
                Self.pad(&out, indent + 2)
                value.writePretty(into: &out, indent: indent + 2)
            }
            out += "\n"
            Self.pad(&out, indent)
            out += "]"
        default: write(into: &out)
        }
    }

    private static func pad(_ out: inout String, _ count: Int) {
        for _ in 0..<count { out += " " }
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
