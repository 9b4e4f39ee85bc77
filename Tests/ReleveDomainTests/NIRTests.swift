import ReleveTestSupport
import Testing

@testable import ReleveDomain

@Suite("NIR")
struct NIRTests {
    // DOMAIN.md §1.5: published vectors (python-stdnum, CNAM spec, french-ssn) and the
    // project's synthetic examples; SECURITY.md §5 vectors.
    @Test(
        "valid vectors are accepted with the right key",
        arguments: [
            ("2 95 10 99 126 111 93", 93), ("2 53 07 2B 073 004 70", 70), ("2 53 07 2A 073 004 43", 43),
            ("2 84 05 88 321 025 32", 32), ("2 84 05 2A 321 025 52", 52), ("2 84 05 2B 321 025 79", 79),
            ("2 55 08 14 168 025 38", 38), ("1 78 05 99 330 108 17", 17), ("1701275112034 23", 23),
            ("285032A004117 77", 77), ("292072B033021 21", 21), ("1600497411005 65", 65), ("2880999109042 29", 29),
            ("1553599350012 53", 53), ("1480599999356 84", 84), ("295109912611193", 93), ("253072B07300470", 70),
            ("253072A07300443", 43), ("255081416802538", 38),
        ])
    func validVectors(input: String, key: Int) throws {
        let nir = try NIR(parsing: input)
        #expect(nir.key == key)
        #expect(nir.body.count == 13)
    }

    @Test(
        "invalid vectors are rejected with a French reason",
        arguments: [
            ("295109912611199", "clé 99"),  // wrong key (stdnum)
            ("253072C07300443", "département"),  // bad département 2C
            ("170127511203", "13 caractères"),  // 12 characters
            ("17012751120342", "13 caractères"),  // 14 characters
            ("1701275112034233", "plus de 15"),  // 16 characters
            ("170127511203400", "clé 00"),  // key 00
            ("170127511203498", "clé 98"),  // key 98
            ("170127511203424", "ne correspond pas"),  // wrong key within 01–97
            ("9701275112034", "premier caractère"),  // sex 9
            ("5701275112034", "premier caractère"),  // sex 5
            ("1701375112034", "mois"),  // month 13
            ("1700075112034", "mois"),  // month 00
            ("1704575112034", "mois"),  // month 45
            ("1701200112034", "département"),  // département 00
            ("1701297911034", "outre-mer"),  // 979 does not exist
            ("1701297400034", "commune d'outre-mer"),  // commune 00
            ("1701299000034", "code pays"),  // country 000
            ("1701275000034", "commune"),  // commune 000
            ("1701275112000", "numéro d'ordre"),  // order 000
            ("", "13 caractères"),
            ("   ", "13 caractères"),
            ("+1701275112034", "13 caractères"),
        ])
    func invalidVectors(input: String, expected: String) {
        #expect {
            try NIR(parsing: input)
        } throws: { error in
            guard let error = error as? DomainError else { return false }
            return error.field == "NIR" && error.message.contains(expected)
        }
    }

    @Test(
        "non-ASCII digits are rejected, never normalised",
        arguments: [
            "١٧٠١٢٧٥١١٢٠٣٤",  // Arabic-Indic
            "۱۷۰۱۲۷۵۱۱۲۰۳۴",  // extended Arabic-Indic
            "१७०१२७५११२०३४",  // Devanagari
            "１７０１２７５１１２０３４",  // full-width
            "¹701275112034",  // superscript one
            "𝟙701275112034",  // mathematical digit
            "170127511203\u{0664}",  // one Arabic-Indic digit at the end
            "1701275112034\u{00A0}23",  // no-break space as separator
            "1701275112034\u{0000}",
        ])
    func nonASCIIDigits(input: String) {
        #expect(throws: DomainError.self) { try NIR(parsing: input) }
    }

    @Test("spaces, dots and a lowercase 2a/2b are tolerated and normalised")
    func tolerantInput() throws {
        #expect(try NIR(parsing: "2.85.03.2a.004.117.77").body == "285032A004117")
        #expect(try NIR(parsing: "2 92 07 2b 033 021").body == "292072B033021")
        #expect(try NIR(parsing: " 1 70 12 75 112 034 23 ").body == "1701275112034")
    }

    @Test("formatted display groups the fields, overseas with a 3-digit département")
    func formatted() throws {
        #expect(try NIR(parsing: "1701275112034").formatted == "1 70 12 75 112 034 23")
        #expect(try NIR(parsing: "285032A004117").formatted == "2 85 03 2A 004 117 77")
        #expect(try NIR(parsing: "1600497411005").formatted == "1 60 04 974 11 005 65")
        #expect(try NIR(parsing: "1701275112034").masked == "1 70 12 XX XXX XXX XX")
    }

    @Test("decoded fields")
    func decodedFields() throws {
        let paris = try NIR(parsing: "1701275112034")
        #expect(paris.sex == .male)
        #expect(paris.birthYearTwoDigits == 70)
        #expect(paris.birthMonth == .known(12))
        #expect(paris.birthPlace == .mainland(department: "75", commune: "112"))
        #expect(paris.orderNumber == "034")
        #expect(try NIR(parsing: "285032A004117").birthPlace == .corsica(department: "2A", commune: "004"))
        #expect(try NIR(parsing: "1600497411005").birthPlace == .overseas(department: "974", commune: "11"))
        #expect(try NIR(parsing: "2880999109042").birthPlace == .abroad(countryCode: "109"))
        #expect(try NIR(parsing: "1553599350012").birthMonth == .pseudoFictitious(code: 35, month: 5))
        #expect(try NIR(parsing: "1552599350012").birthMonth == .fictitious(25))
        #expect(try NIR(parsing: "884058832102523").isProvisional)
        #expect(try NIR(parsing: "884058832102523").sex == .female)
        #expect(try NIR(parsing: "3701275112034").isTemporary)
        // Corsica before 1976: département 20 is accepted.
        #expect(try NIR(parsing: "1550320004117").birthPlace == .mainland(department: "20", commune: "004"))
    }

    @Test("consistency with a birth date and sex")
    func consistency() throws {
        let nir = try NIR(parsing: "1701275112034")
        try nir.checkConsistency(birthDate: Fixtures.date("1970-12-03"), sex: .male)
        #expect(throws: DomainError.self) { try nir.checkConsistency(birthDate: Fixtures.date("1971-12-03")) }
        #expect(throws: DomainError.self) { try nir.checkConsistency(birthDate: Fixtures.date("1970-11-03")) }
        #expect(throws: DomainError.self) { try nir.checkConsistency(birthDate: Fixtures.date("1970-12-03"), sex: .female) }
        // Pseudo-fictitious month 35 means May; a fictitious month matches any month.
        try NIR(parsing: "1553599350012").checkConsistency(birthDate: Fixtures.date("1955-05-12"))
        #expect(throws: DomainError.self) {
            try NIR(parsing: "1553599350012").checkConsistency(birthDate: Fixtures.date("1955-06-12"))
        }
        try NIR(parsing: "1552599350012").checkConsistency(birthDate: Fixtures.date("1955-08-12"))
    }

    @Test("1 000 random valid NIRs are accepted; every one-character mutation is rejected")
    func randomAndMutations() throws {
        var rng = TestRandom(seed: 42)
        var mutationsTried = 0
        for _ in 0..<1000 {
            let body = rng.validBody()
            let full = body + twoDigits(NIR.key(ofBody: Array(body.utf8)[...]))
            let nir = try NIR(parsing: full)
            #expect(nir.body == body)
            #expect(nir.withKey == full)
            // Replace one digit by another digit anywhere (body or key): never accepted.
            let position = rng.int(0...14)
            var bytes = Array(full.utf8)
            guard bytes[position] >= 0x30 && bytes[position] <= 0x39 else { continue }
            let original = bytes[position]
            repeat { bytes[position] = UInt8(0x30 + rng.int(0...9)) } while bytes[position] == original
            mutationsTried += 1
            let mutated = String(decoding: bytes, as: UTF8.self)
            #expect(throws: DomainError.self, "mutation accepted: \(full) → \(mutated)") { try NIR(parsing: mutated) }
        }
        #expect(mutationsTried > 900)
    }

    private func twoDigits(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
}

/// A deterministic generator of structurally valid NIR bodies of every kind.
struct TestRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func int(_ range: ClosedRange<Int>) -> Int { range.lowerBound + Int(next() % UInt64(range.count)) }

    func pad(_ v: Int, _ w: Int) -> String {
        let s = String(v)
        return String(repeating: "0", count: max(0, w - s.count)) + s
    }

    mutating func validBody() -> String {
        let sex = [1, 2, 3, 4, 7, 8][int(0...5)]
        let year = pad(int(0...99), 2)
        let monthChoices = [int(1...12), int(20...42), int(50...99)]
        let month = pad(monthChoices[int(0...2)], 2)
        let place: String
        switch int(0...4) {
        case 0: place = ["2A", "2B"][int(0...1)] + pad(int(1...999), 3)
        case 1: place = String([971, 972, 973, 974, 976, 984, 986, 987, 988][int(0...8)]) + pad(int(1...99), 2)
        case 2: place = "99" + pad(int(1...999), 3)
        default: place = pad(int(1...96), 2) + pad(int(1...999), 3)
        }
        return "\(sex)\(year)\(month)\(place)\(pad(int(1...999), 3))"
    }
}
