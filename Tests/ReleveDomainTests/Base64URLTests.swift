import Foundation
import ReleveDomain
import Testing

@Suite("Base64url")
struct Base64URLTests {
    @Test("RFC 4648 §10 vectors, without padding")
    func vectors() {
        let cases = ["": "", "f": "Zg", "fo": "Zm8", "foo": "Zm9v", "foob": "Zm9vYg", "fooba": "Zm9vYmE", "foobar": "Zm9vYmFy"]
        for (text, expected) in cases {
            #expect(Base64URL.encode(Data(text.utf8)) == expected)
        }
    }

    @Test("the URL alphabet (- and _ for + and /) on every length up to 70 bytes of random data")
    func againstFoundation() {
        var generator = SystemRandomNumberGenerator()
        for length in 0...70 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let expected = Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
                .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
            #expect(Base64URL.encode(Data(bytes)) == expected)
            #expect(Base64URL.encode(bytes[...]) == expected)
        }
        #expect(Base64URL.encode(Data([0xFB, 0xFF, 0xBF])) == "-_-_")
    }
}
