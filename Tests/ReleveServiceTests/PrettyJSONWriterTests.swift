import Foundation
import Testing

@testable import ReleveService

@Suite("Pretty JSON writer")
struct PrettyJSONWriterTests {
    @Test("integers at their bounds, booleans, escapes and nesting come out as JSONEncoder writes them")
    func againstTheEncoder() throws {
        struct Sample: Encodable {
            let a: [Int64]
            let b: Bool
            let c: String
            let d: [String: Int]
        }
        let numbers: [Int64] = [0, -1, 7, 10, -10, 1_000_000, Int64.max, Int64.min]
        let text = "ligne\ncontrôle \u{1} \"cité\" \\ 🦷"
        var out = PrettyJSONWriter()
        out.openObject()
        out.key("a")
        out.openArray()
        for number in numbers { out.integer(number, element: true) }
        out.closeArray()
        out.member("b", false)
        out.member("c", text)
        out.key("d")
        out.openObject()
        out.closeObject()
        out.closeObject()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let expected = String(decoding: try encoder.encode(Sample(a: numbers, b: false, c: text, d: [:])), as: UTF8.self)
        #expect(out.text == expected)
    }
}
