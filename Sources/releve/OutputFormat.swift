import ArgumentParser
import Foundation

/// `--format texte|json`: what people read, or what scripts parse (stable keys, ids as
/// numbers, amounts in cents, dates in ISO 8601; `docs/cli-json.md`).
struct FormatOptions: ParsableArguments {
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case texte, json
    }

    @Option(name: .customLong("format"), help: "texte (par défaut) ou json.")
    var format: Format = .texte

    var json: Bool { format == .json }

    /// One JSON document on standard output, keys sorted.
    static func print(_ value: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted]
        Swift.print(String(decoding: try encoder.encode(value), as: UTF8.self))
    }
}
