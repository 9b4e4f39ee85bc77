/// The numéro d'inscription au répertoire (numéro de sécurité sociale): a 13-character body
/// and a 2-digit control key (DOMAIN.md §1).
///
/// Validated once, at construction, on the input's bytes: only ASCII digits (and `A`/`B` in the
/// Corsican département positions) are accepted; Arabic-Indic, full-width or superscript digits
/// are rejected, never normalised. Spaces and dots are tolerated and removed, `2a`/`2b` are
/// upper-cased. A 15-character input must carry the right key; a 13-character one is the body
/// alone, as typed in the login form.
public struct NIR: Hashable, Sendable, LosslessStringConvertible, Codable {
    /// The 13-character body, upper-cased, without separators: `1701275112034`, `285032A004117`.
    public let body: String

    /// Parses a NIR of 13 characters (body) or 15 (body and key), with optional spaces and dots.
    public init(parsing input: String) throws(DomainError) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(15)
        for byte in input.utf8 {
            if byte == UInt8(ascii: " ") || byte == UInt8(ascii: ".") { continue }
            guard byte < 0x80 else {
                throw Self.error(
                    "contient un caractère non autorisé ; seuls les chiffres 0 à 9 (et A ou B pour un département corse) sont acceptés"
                )
            }
            bytes.append(byte)
            if bytes.count > 15 { break }
        }
        guard bytes.count == 13 || bytes.count == 15 else {
            let count = bytes.count > 15 ? "plus de 15" : String(bytes.count)
            throw Self.error(
                "doit comporter 13 caractères (ou 15 avec la clé) ; \(count) caractère\(bytes.count > 1 ? "s" : "") saisi\(bytes.count > 1 ? "s" : "")"
            )
        }
        // Corsica: a lowercase 2a/2b is tolerated and normalised.
        if bytes[5] == UInt8(ascii: "2") && (bytes[6] == UInt8(ascii: "a") || bytes[6] == UInt8(ascii: "b")) {
            bytes[6] -= 0x20
        }
        try Self.validateBody(bytes[0..<13])
        let body = String(decoding: bytes[0..<13], as: UTF8.self)
        if bytes.count == 15 {
            guard let key = ASCII.number(bytes[13..<15]) else {
                throw Self.error("la clé (deux derniers caractères) doit être composée de deux chiffres")
            }
            guard (1...97).contains(key) else {
                throw Self.error("la clé \(CivilDate.twoDigits(key)) est impossible (une clé va de 01 à 97)")
            }
            let expected = Self.key(ofBody: bytes[0..<13])
            guard key == expected else {
                throw Self.error(
                    "la clé \(CivilDate.twoDigits(key)) ne correspond pas au numéro (clé attendue : \(CivilDate.twoDigits(expected))) ; vérifiez chaque chiffre"
                )
            }
        }
        self.body = body
    }

    public init?(_ description: String) {
        guard let nir = try? NIR(parsing: description) else { return nil }
        self = nir
    }

    /// The 13-character body, as stored and as typed at login.
    public var description: String { body }

    /// Control key: 97 − (body mod 97), with 2A → 19 and 2B → 18. Always 1…97.
    public var key: Int { Self.key(ofBody: Array(body.utf8)[...]) }

    /// `1 70 12 75 112 034 23`, or `1 60 04 974 11 005 65` overseas.
    public var formatted: String {
        let b = Array(body)
        let k = CivilDate.twoDigits(key)
        func s(_ r: Range<Int>) -> String { String(b[r]) }
        if case .overseas = birthPlace {
            return "\(s(0..<1)) \(s(1..<3)) \(s(3..<5)) \(s(5..<8)) \(s(8..<10)) \(s(10..<13)) \(k)"
        }
        return "\(s(0..<1)) \(s(1..<3)) \(s(3..<5)) \(s(5..<7)) \(s(7..<10)) \(s(10..<13)) \(k)"
    }

    /// The 15 characters without separators, key included.
    public var withKey: String { body + CivilDate.twoDigits(key) }

    /// For logs and print manifests: sex and birth year/month only (`1 70 12 XX XXX XXX XX`).
    public var masked: String {
        let b = Array(body)
        return "\(b[0]) \(String(b[1..<3])) \(String(b[3..<5])) XX XXX XXX XX"
    }

    // MARK: Decoded fields

    public enum Sex: String, Sendable, Hashable, Codable {
        case male = "M"
        case female = "F"

        public var french: String { self == .male ? "homme" : "femme" }

        /// "Assuré" or "Assurée", agreed with the person's sex (never "Assuré(e)").
        public var insuredLabel: String { self == .male ? "Assuré" : "Assurée" }
    }

    public var sex: Sex {
        switch body.utf8.first! {
        case UInt8(ascii: "1"), UInt8(ascii: "3"), UInt8(ascii: "7"): .male
        default: .female
        }
    }

    /// 3/4: foreign-born person still being registered; 7/8: provisional number.
    public var isTemporary: Bool {
        let first = body.utf8.first!
        return first == UInt8(ascii: "3") || first == UInt8(ascii: "4")
    }

    public var isProvisional: Bool {
        let first = body.utf8.first!
        return first == UInt8(ascii: "7") || first == UInt8(ascii: "8")
    }

    /// Last two digits of the year of birth (the century is ambiguous).
    public var birthYearTwoDigits: Int { ASCII.number(Array(body.utf8)[1..<3])! }

    public enum BirthMonth: Hashable, Sendable {
        /// 01–12.
        case known(Int)
        /// 20–30 or 50–99: the civil-status record gave no month.
        case fictitious(Int)
        /// 31–42: incomplete record that still gave the month (value − 30).
        case pseudoFictitious(code: Int, month: Int)

        /// The real month when it is known.
        public var month: Int? {
            switch self {
            case .known(let m): m
            case .fictitious: nil
            case .pseudoFictitious(_, let m): m
            }
        }
    }

    public var birthMonth: BirthMonth {
        let code = ASCII.number(Array(body.utf8)[3..<5])!
        switch code {
        case 1...12: return .known(code)
        case 31...42: return .pseudoFictitious(code: code, month: code - 30)
        default: return .fictitious(code)
        }
    }

    public enum BirthPlace: Hashable, Sendable {
        /// Metropolitan département (01–96, or 20 for Corsica before 1976) and 3-digit commune.
        case mainland(department: String, commune: String)
        /// 2A (Corse-du-Sud) or 2B (Haute-Corse) and 3-digit commune.
        case corsica(department: String, commune: String)
        /// 3-digit overseas département or collectivity (971…988) and 2-digit commune.
        case overseas(department: String, commune: String)
        /// Born abroad: 99 and the INSEE country code.
        case abroad(countryCode: String)
    }

    public var birthPlace: BirthPlace {
        let b = Array(body)
        let two = String(b[5..<7])
        if two == "2A" || two == "2B" { return .corsica(department: two, commune: String(b[7..<10])) }
        if two == "97" || two == "98" { return .overseas(department: String(b[5..<8]), commune: String(b[8..<10])) }
        if two == "99" { return .abroad(countryCode: String(b[7..<10])) }
        return .mainland(department: two, commune: String(b[7..<10]))
    }

    /// Birth-register rank in the commune and month (001–999).
    public var orderNumber: String { String(Array(body)[10..<13]) }

    /// Whether this NIR can belong to someone born on `birthDate` of sex `sex`:
    /// same sex, same two-digit year, same month unless the NIR's month is fictitious.
    /// Throws the French reason of the first mismatch.
    public func checkConsistency(birthDate: CivilDate, sex: Sex? = nil) throws(DomainError) {
        if let sex, sex != self.sex {
            throw Self.error(
                "le premier chiffre indique le sexe « \(self.sex.french) », la personne est de sexe « \(sex.french) »")
        }
        guard birthYearTwoDigits == birthDate.year % 100 else {
            throw Self.error(
                "l'année de naissance du numéro (\(CivilDate.twoDigits(birthYearTwoDigits))) ne correspond pas à la date de naissance \(birthDate.formatted)"
            )
        }
        if let month = birthMonth.month, month != birthDate.month {
            throw Self.error(
                "le mois de naissance du numéro (\(CivilDate.twoDigits(month))) ne correspond pas à la date de naissance \(birthDate.formatted)"
            )
        }
    }

    // MARK: Rules

    private static func error(_ reason: String) -> DomainError {
        .invalid(field: "NIR", reason: reason)
    }

    static func key(ofBody body: ArraySlice<UInt8>) -> Int {
        var digits = Array(body)
        // Corsica: 2A counts as 19, 2B as 18.
        if digits[6] == UInt8(ascii: "A") || digits[6] == UInt8(ascii: "B") {
            digits[6] = digits[6] == UInt8(ascii: "A") ? UInt8(ascii: "9") : UInt8(ascii: "8")
            digits[5] = UInt8(ascii: "1")
        }
        var value: Int64 = 0
        for byte in digits {
            value = value * 10 + Int64(byte) - 0x30
        }
        return Int(97 - value % 97)
    }

    private static func validateBody(_ b: ArraySlice<UInt8>) throws(DomainError) {
        let b = Array(b)
        func digits(_ r: Range<Int>) -> Int? { ASCII.number(b[r]) }
        func text(_ r: Range<Int>) -> String { String(decoding: b[r], as: UTF8.self) }

        guard let sex = digits(0..<1), [1, 2, 3, 4, 7, 8].contains(sex) else {
            throw error(
                "le premier caractère « \(text(0..<1)) » doit être 1 ou 2 (homme ou femme), 3 ou 4 (immatriculation en cours), 7 ou 8 (numéro provisoire)"
            )
        }
        guard digits(1..<3) != nil else {
            throw error("l'année de naissance (caractères 2 et 3) doit être composée de deux chiffres")
        }
        guard let month = digits(3..<5) else {
            throw error("le mois de naissance (caractères 4 et 5) doit être composé de deux chiffres")
        }
        guard (1...12).contains(month) || (20...42).contains(month) || (50...99).contains(month) else {
            throw error(
                "le mois de naissance « \(text(3..<5)) » est impossible (01 à 12, ou 20 à 42 et 50 à 99 pour un mois inconnu)")
        }
        let department = text(5..<7)
        let commune: Range<Int>
        if department == "2A" || department == "2B" {
            commune = 7..<10
        } else if let dept = digits(5..<7) {
            switch dept {
            case 97, 98:
                let dom = digits(5..<8) ?? 0
                guard (971...978).contains(dom) || dom == 984 || (986...988).contains(dom) else {
                    throw error("le département ou la collectivité d'outre-mer « \(text(5..<8)) » n'existe pas")
                }
                guard let c = digits(8..<10), c > 0 else {
                    throw error("la commune d'outre-mer « \(text(8..<10)) » doit être un nombre de 01 à 99")
                }
                commune = 8..<10
            case 99:
                guard let country = digits(7..<10), country > 0 else {
                    throw error("le code pays « \(text(7..<10)) » doit être un nombre de 001 à 999")
                }
                commune = 7..<10
            case 1...96:
                commune = 7..<10
            default:
                throw error("le département de naissance « \(department) » n'existe pas")
            }
        } else {
            throw error("le département de naissance « \(department) » n'existe pas (2A et 2B pour la Corse)")
        }
        if commune == 7..<10 {
            guard let c = digits(7..<10), c > 0 else {
                throw error("la commune ou le pays de naissance « \(text(7..<10)) » doit être un nombre de 001 à 999")
            }
        }
        guard let order = digits(10..<13), order > 0 else {
            throw error("le numéro d'ordre « \(text(10..<13)) » doit être un nombre de 001 à 999")
        }
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        self = try NIR(parsing: text)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(body)
    }
}
