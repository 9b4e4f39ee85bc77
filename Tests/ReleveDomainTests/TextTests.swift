import ReleveDomain
import Testing

/// Free text from feeds and forms: invisible characters that change how the text around them
/// reads are refused, with the field and a French reason; ordinary names pass unchanged.
@Suite("Free text")
struct TextTests {
    @Test(
        arguments: [
            0x202E, 0x200B, 0x2028, 0x2029, 0xFFFE, 0xFFFF, 0xFDD0, 0xE000, 0x00AD, 0x2066, 0x200D, 0x09, 0x00, 0xF0000, 0x1FFFE,
        ] as [UInt32])
    func invisibleAndControlCharactersAreRefused(_ value: UInt32) {
        var text = "Jean"
        text.unicodeScalars.insert(Unicode.Scalar(value)!, at: text.unicodeScalars.index(after: text.unicodeScalars.startIndex))
        #expect(throws: DomainError.self) { try Text.clean(text, field: "libellé", maxLength: 120) }
        do {
            _ = try Text.clean(text, field: "libellé", maxLength: 120)
        } catch {
            #expect(error.field == "libellé")
            #expect(error.message.hasPrefix("libellé : contient"))
        }
    }

    @Test(arguments: ["Hélène Müller-Öztürk", "Œuvre d'Ève", "Ngọc Ánh", "Zoë 李", "Ça coûte 12,50 €", "N’Diaye"])
    func ordinaryTextPasses(_ text: String) throws {
        #expect(try Text.clean(text, field: "nom", maxLength: 80) == text)
    }
}
