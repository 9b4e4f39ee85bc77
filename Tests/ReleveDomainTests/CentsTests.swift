import Testing

@testable import ReleveDomain

@Suite("Money")
struct CentsTests {
    @Test(
        "French formatting gives the same bytes everywhere",
        arguments: [
            (Int64(0), "0,00\u{00A0}€"), (5, "0,05\u{00A0}€"), (1610, "16,10\u{00A0}€"), (-200, "-2,00\u{00A0}€"),
            (123_456, "1\u{202F}234,56\u{00A0}€"), (100_000_000, "1\u{202F}000\u{202F}000,00\u{00A0}€"),
            (-123_456_789, "-1\u{202F}234\u{202F}567,89\u{00A0}€"),
        ])
    func formatting(cents: Int64, expected: String) {
        #expect(Cents(cents).formatted == expected)
        #expect(Array(Cents(cents).formatted.utf8) == Array(expected.utf8))
    }

    @Test("the number alone for tables")
    func formattedNumber() {
        #expect(Cents(123_456).formattedNumber == "1\u{202F}234,56")
    }

    @Test(
        "base × rate rounds half away from zero to the cent",
        arguments: [
            (Int64(2300), 7000, Int64(1610)),  // 23,00 € at 70 % = 16,10 €
            (2200, 3000, 660),  // 22,00 € at 30 % = 6,60 €
            (2650, 7000, 1855),  // 26,50 € at 70 % = 18,55 €
            (5, 5000, 3),  // 0,025 → 0,03
            (-5, 5000, -3),
            (1, 3000, 0),  // 0,003 → 0,00
            (2, 2500, 1),  // 0,005 → 0,01
            (1001, 1500, 150),  // 1,5015 → 1,50
            (10_000, 10_000, 10_000),
            (0, 7000, 0),
        ])
    func rounding(base: Int64, basisPoints: Int, expected: Int64) throws {
        #expect(Cents(base).applying(try Rate(basisPoints: basisPoints)) == Cents(expected))
    }

    @Test("rates outside 0–100 % are refused; rates print in French")
    func rates() throws {
        #expect(throws: DomainError.self) { try Rate(basisPoints: 10_001) }
        #expect(throws: DomainError.self) { try Rate(basisPoints: -1) }
        #expect(Rate(percent: 70).formatted == "70\u{00A0}%")
        #expect(try Rate(basisPoints: 1250).formatted == "12,5\u{00A0}%")
        #expect(try Rate(basisPoints: 1205).formatted == "12,05\u{00A0}%")
    }

    @Test("arithmetic")
    func arithmetic() {
        #expect(Cents(euros: 23, cents: 50) == Cents(2350))
        #expect(Cents(100) + Cents(-250) == Cents(-150))
        #expect(-Cents(5) == Cents(-5))
        #expect(Cents(150) * 3 == Cents(450))
    }
}
