import ReleveDomain
import ReleveTestSupport
import Testing

/// The matching rule of a FranceConnect identity against the registry (README, "FranceConnect").
@Suite("Identité pivot")
struct PivotIdentityTests {
    static func identity(
        given: String = "Jean", family: String = "MARTIN", birth: String = "1970-12-03", sex: NIR.Sex = .male,
        place: String? = "75112", country: String = PivotIdentity.franceCountryCode
    ) -> PivotIdentity {
        PivotIdentity(
            givenNames: given, familyName: family, birthDate: Fixtures.date(birth), sex: sex, birthplace: place,
            birthcountry: country)
    }

    @Test("names compare without case, accents, hyphens, apostrophes or extra spaces")
    func normalisation() {
        #expect(PivotIdentity.normalizedName("Jean-François  d'Arc") == "JEAN FRANCOIS D ARC")
        #expect(PivotIdentity.normalizedName("Müller") == "MULLER")
        #expect(PivotIdentity.normalizedName("Œdipe Lætitia") == "OEDIPE LAETITIA")
        #expect(PivotIdentity.normalizedName(" élodie ") == "ELODIE")
        let person = Fixtures.person(lastName: "Martin")
        #expect(Self.identity(family: "martin").matches(person))
        #expect(Self.identity(given: "JEAN", family: "Mártin").matches(person))
    }

    @Test("first names: the first equal, one list the start of the other")
    func firstNames() {
        let person = Fixtures.person()  // "Jean"
        #expect(Self.identity(given: "Jean Pierre Marie").matches(person))
        #expect(!Self.identity(given: "Pierre Jean").matches(person))
        #expect(!Self.identity(given: "Jeanne").matches(person))
    }

    @Test("birth date, sex and birth place must all agree")
    func civilStatus() {
        let person = Fixtures.person()
        #expect(Self.identity().matches(person))
        #expect(!Self.identity(birth: "1970-12-04").matches(person))
        #expect(!Self.identity(sex: .female).matches(person))
        #expect(!Self.identity(place: "75113").matches(person))
        #expect(!Self.identity(place: nil).matches(person))
        #expect(!Self.identity(country: "99109").matches(person))
    }

    @Test("born abroad: the INSEE country code; Corsica before 1976: 20 matches 2A and 2B")
    func places() throws {
        #expect(
            PivotIdentity.birthPlaceMatches(.abroad(countryCode: "109"), birthplace: nil, birthcountry: "99109"))
        #expect(
            !PivotIdentity.birthPlaceMatches(.abroad(countryCode: "109"), birthplace: nil, birthcountry: "99100"))
        #expect(
            PivotIdentity.birthPlaceMatches(
                .mainland(department: "20", commune: "004"), birthplace: "2A004", birthcountry: "99100"))
        #expect(
            PivotIdentity.birthPlaceMatches(
                .corsica(department: "2B", commune: "033"), birthplace: "2B033", birthcountry: "99100"))
        #expect(
            PivotIdentity.birthPlaceMatches(
                .overseas(department: "971", commune: "20"), birthplace: "97120", birthcountry: "99100"))
    }

    @Test("the canonical form ignores spelling differences and changes with the facts")
    func canonical() {
        #expect(Self.identity(given: "jean", family: "Martin").canonical == Self.identity().canonical)
        #expect(Self.identity(place: "75113").canonical != Self.identity().canonical)
    }
}
