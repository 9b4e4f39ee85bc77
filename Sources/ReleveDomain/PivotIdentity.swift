import Foundation

/// The "identité pivot" an identity federation (FranceConnect) vouches for: no NIR, but the
/// civil-status facts a registry record can be matched on.
public struct PivotIdentity: Sendable, Hashable, Codable {
    /// Every given name, in order, separated by spaces ("Marie Anne").
    public var givenNames: String
    /// The birth name.
    public var familyName: String
    public var birthDate: CivilDate
    public var sex: NIR.Sex
    /// The INSEE code of the birth commune (5 characters, "75107", "2A004"); nil when born abroad.
    public var birthplace: String?
    /// The INSEE code of the birth country ("99100" for France, "99109" for Germany).
    public var birthcountry: String

    public static let franceCountryCode = "99100"

    public init(
        givenNames: String, familyName: String, birthDate: CivilDate, sex: NIR.Sex, birthplace: String?, birthcountry: String
    ) {
        self.givenNames = givenNames
        self.familyName = familyName
        self.birthDate = birthDate
        self.sex = sex
        self.birthplace = birthplace
        self.birthcountry = birthcountry
    }

    /// Whether `person` is the person this identity describes. The rule (README, "FranceConnect"):
    /// - birth date and sex equal (the sex from the NIR's first digit);
    /// - birth place equal: the INSEE commune code for people born in France (the NIR's digits 6
    ///   to 10; a NIR's "20" Corsican département matches 2A and 2B), the INSEE country code for
    ///   people born abroad (NIR département 99 and the country's 3 digits);
    /// - birth name equal, and first names compatible (the first one equal, and one list the start
    ///   of the other: a registry that keeps only the usual first name still matches), both
    ///   compared after `normalizedName`: case, accents, hyphens, apostrophes and spaces folded.
    /// A temporary or provisional NIR carries no reliable birth place: it never matches.
    public func matches(_ person: InsuredPerson) -> Bool {
        guard person.birthDate == birthDate, person.nir.sex == sex, !person.nir.isTemporary, !person.nir.isProvisional
        else { return false }
        guard Self.birthPlaceMatches(person.nir.birthPlace, birthplace: birthplace, birthcountry: birthcountry) else {
            return false
        }
        guard Self.normalizedName(person.lastName) == Self.normalizedName(familyName) else { return false }
        let registry = Self.normalizedName(person.firstNames).split(separator: " ")
        let vouched = Self.normalizedName(givenNames).split(separator: " ")
        guard let first = registry.first, first == vouched.first else { return false }
        return registry.starts(with: vouched) || vouched.starts(with: registry)
    }

    public static func birthPlaceMatches(_ place: NIR.BirthPlace, birthplace: String?, birthcountry: String) -> Bool {
        switch place {
        case .abroad(let country):
            return birthcountry == "99" + country
        case .mainland(let department, let commune):
            guard birthcountry == franceCountryCode, let birthplace else { return false }
            if department == "20" {
                return birthplace == "2A" + commune || birthplace == "2B" + commune
            }
            return birthplace == department + commune
        case .corsica(let department, let commune), .overseas(let department, let commune):
            return birthcountry == franceCountryCode && birthplace == department + commune
        }
    }

    /// Upper case without accents; hyphens, apostrophes and runs of spaces become one space
    /// ("Jean-François  d'Arc" → "JEAN FRANCOIS D ARC"). Ligatures are spelled out (Œ → OE).
    public static func normalizedName(_ name: String) -> String {
        let folded = name.folding(options: [.diacriticInsensitive, .caseInsensitive, .widthInsensitive], locale: nil)
            .replacingOccurrences(of: "œ", with: "oe").replacingOccurrences(of: "æ", with: "ae")
            .uppercased()
        var words: [String] = []
        var current = ""
        for character in folded {
            if character.isLetter {
                current.append(character)
            } else if !current.isEmpty {
                words.append(current)
                current = ""
            }
        }
        if !current.isEmpty { words.append(current) }
        return words.joined(separator: " ")
    }

    /// A fingerprint of the identity, to notice when a linked provider account's identity changes.
    public var canonical: String {
        [
            Self.normalizedName(givenNames), Self.normalizedName(familyName), birthDate.description, sex.rawValue,
            birthplace ?? "", birthcountry,
        ].joined(separator: "|")
    }
}
