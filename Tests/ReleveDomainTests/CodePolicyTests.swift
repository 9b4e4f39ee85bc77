import ReleveTestSupport
import Testing

@testable import ReleveDomain

@Suite("Personal codes and the blocklist")
struct CodePolicyTests {
    let nir = Fixtures.nir("1701275112034")
    let birth = Fixtures.date("1970-12-03")

    func refused(_ code: String, provisional: String? = nil, nir: NIR? = nil, birth: CivilDate? = nil) -> Bool {
        guard let personal = try? PersonalCode(code) else { return true }
        do {
            try CodePolicy.check(
                personal, nir: nir ?? self.nir, birthDate: birth ?? self.birth,
                provisionalCode: provisional.map { try! ProvisionalCode($0) })
            return false
        } catch { return true }
    }

    @Test("8 to 13 ASCII digits, kept as text (leading zeros)")
    func shape() throws {
        #expect(try PersonalCode("01928374").digits == "01928374")
        #expect(try PersonalCode("0192837465123").digits.count == 13)
        for bad in [
            "1234567", "12345678901234", String(repeating: "7", count: 10_000), "", "1234 5678", "+12345678", "1e8", "1234567a",
            "12345678\u{0000}",
        ] {
            #expect(throws: DomainError.self) { try PersonalCode(bad) }
        }
        #expect(String(describing: try PersonalCode("39451827")) == "PersonalCode(••••)")
    }

    /// SECURITY.md goal 1: ≥ 300 codes made of non-ASCII digits, refused every time.
    @Test("non-ASCII digits are refused in codes (≥ 300 inputs)")
    func nonASCII() {
        let zeros: [UInt32] = [0x0660, 0x06F0, 0x0966, 0x09E6, 0x0E50, 0xFF10, 0x1D7CE, 0x1D7D8, 0x1D7E2, 0x1D7EC, 0x1D7F6]
        var inputs: [String] = []
        for zero in zeros {
            for seed in 0..<30 {
                var text = ""
                for position in 0..<(8 + seed % 6) {
                    let digit = UInt32((seed * 7 + position * 3) % 10)
                    // Mix: some positions ASCII, at least one foreign.
                    if position % 3 == 1 && seed % 2 == 0 {
                        text.unicodeScalars.append(Unicode.Scalar(0x30 + digit)!)
                    } else {
                        text.unicodeScalars.append(Unicode.Scalar(zero + digit)!)
                    }
                }
                inputs.append(text)
            }
        }
        inputs += ["¹²³⁴⁵⁶⁷⁸", "1234567²", "١٢٣٤٥٦٧٨", "１２３４５６７８", "३४५६७८९०"]
        #expect(inputs.count >= 300)
        for input in inputs {
            #expect(throws: DomainError.self, "\(input)") { try PersonalCode(input) }
            #expect(throws: DomainError.self) { try ProvisionalCode(input) }
        }
    }

    /// SECURITY.md goal 3: a corpus of ≥ 1 000 guessable codes, all refused.
    @Test("the blocklist refuses ≥ 1 000 guessable codes and accepts ordinary ones")
    func blocklist() {
        var corpus: [String] = []
        for length in 8...13 {
            for digit in 0...9 { corpus.append(String(repeating: String(digit), count: length)) }
            for start in 0...9 {
                corpus.append(String((0..<length).map { Character(String((start + $0) % 10)) }))
                corpus.append(String((0..<length).map { Character(String((start + 10 - $0 % 10) % 10)) }))
            }
            for a in 0...9 {
                corpus.append(String((0..<length).map { Character(String($0 % 2 == 0 ? a : (a + 3) % 10)) }))
            }
        }
        corpus += CodePolicy.commonCodes.filter { (8...13).contains($0.count) }
        // Birth dates in every form people use, for assurés born on many days.
        var births: [(NIR, CivilDate)] = []
        for (offset, day) in stride(from: 1, through: 28, by: 3).enumerated() {
            for month in [1, 4, 7, 10, 12] {
                let year = 1950 + offset * 5 + month
                let body = "1\(String(year % 100).count == 1 ? "0" : "")\(year % 100)\(month < 10 ? "0" : "")\(month)75112034"
                births.append((try! NIR(parsing: body), try! CivilDate(year: year, month: month, day: day)))
            }
        }
        var contextual = 0
        for (nir, birth) in births {
            for form in CodePolicy.birthDateForms(birth) where form.count >= 8 {
                #expect(refused(form, nir: nir, birth: birth), "\(form)")
                #expect(refused(form + "91", nir: nir, birth: birth), "\(form)91")
                contextual += 2
            }
            let digits = Array(nir.withKey)
            for length in 8...13 {
                for start in 0...(15 - length) {
                    let window = String(digits[start..<(start + length)])
                    #expect(refused(window, nir: nir, birth: birth), "\(window) from \(nir.withKey)")
                    contextual += 1
                }
            }
        }
        for code in corpus { #expect(refused(code), "\(code)") }
        #expect(refused("54990640", provisional: "54990640"))
        #expect(refused("1549906407", provisional: "54990640"))
        #expect(corpus.count + contextual >= 1000)
        for good in ["39451827", "8406153927", "5928371046", "93618254", "7205914836271"] {
            #expect(!refused(good), "\(good) should be accepted")
        }
    }

    @Test("secret answers are normalised: NFKC, case-folded, spaces collapsed")
    func answers() throws {
        #expect(try SecretQuestion.normalise("  Dupont-  MARTIN ") == SecretQuestion.normalise("dupont- martin"))
        #expect(try SecretQuestion.normalise("ＤＵＰＯＮＴ") == "dupont")
        #expect(try SecretQuestion.normalise("Me\u{301}nard") == SecretQuestion.normalise("Ménard"))
        #expect(throws: DomainError.self) { try SecretQuestion.normalise(" ") }
        #expect(throws: DomainError.self) { try SecretQuestion.number(9) }
    }

    @Test("e-mail addresses")
    func emails() throws {
        #expect(try EmailAddress("Jean.Martin@Exemple.FR").value == "Jean.Martin@exemple.fr")
        #expect(try EmailAddress("jean.martin@exemple.fr").masked == "j•••@exemple.fr")
        for bad in [
            "jean", "jean@", "@exemple.fr", "jean@exemple", "jean martin@exemple.fr", "jé@exemple.fr", "a@b@c.fr",
            "jean@exemple.fr\r\nBcc: x@y.fr",
        ] {
            #expect(throws: DomainError.self, "\(bad)") { try EmailAddress(bad) }
        }
    }
}

extension SecretQuestion {
    static func number(_ n: Int) throws -> SecretQuestion { try SecretQuestion(number: n) }
}

@Suite("Lockout policy")
struct LockoutPolicyTests {
    let policy = AccessPolicy.standard

    @Test("3 failures lock for 1 minute, then the delay doubles; 10 lock until recovery")
    func delays() {
        #expect(policy.lockState(consecutiveFailures: 2, lastFailure: 0, now: 1) == .open)
        #expect(policy.lockState(consecutiveFailures: 3, lastFailure: 0, now: 59) == .lockedUntil(60))
        #expect(policy.lockState(consecutiveFailures: 3, lastFailure: 0, now: 60) == .open)
        #expect(policy.delayAfter(4) == 120)
        #expect(policy.delayAfter(5) == 240)
        #expect(policy.delayAfter(9) == 3600)
        #expect(policy.lockState(consecutiveFailures: 10, lastFailure: 0, now: 1_000_000) == .lockedUntilRecovery)
    }

    @Test("thresholds are bounded: the hard limit is at most 20")
    func bounds() {
        #expect(throws: DomainError.self) { try AccessPolicy(hardLockThreshold: 21) }
        #expect(throws: DomainError.self) { try AccessPolicy(softLockThreshold: 5, hardLockThreshold: 4) }
    }
}
