import ReleveDomain
import ReleveTestSupport
import Testing

/// French wording, written once: counts agree (singular below 2), « de » elides before a
/// vowel, numbers group with a narrow no-break space, durations and months read as French.
@Suite("French wording")
struct FrenchTests {
    @Test("counts of 0, 1 and 2 agree; large counts are grouped")
    func counts() {
        #expect(French.count(0, "paiement") == "0 paiement")
        #expect(French.count(1, "avis envoyé", "avis envoyés") == "1 avis envoyé")
        #expect(French.count(2, "avis envoyé", "avis envoyés") == "2 avis envoyés")
        #expect(French.count(1_234_567, "ligne") == "1\u{202F}234\u{202F}567 lignes")
        #expect(French.number(-1_000) == "-1\u{202F}000")
        #expect(French.plural(1, "ajouté", "ajoutés") == "ajouté" && French.plural(3, "ajouté", "ajoutés") == "ajoutés")
    }

    @Test("« de » elides before a vowel, whatever its accent or case")
    func elision() {
        #expect(French.de("Anna") == "d'Anna")
        #expect(French.de("Émile") == "d'Émile")
        #expect(French.de("Yves") == "d'Yves")
        #expect(French.de("Jean") == "de Jean")
        #expect(French.de("Hugo") == "de Hugo")
    }

    @Test("durations, short months, euros and digests")
    func formats() throws {
        #expect(French.duration(seconds: 15 * 60) == "15 minutes")
        #expect(French.duration(seconds: 3600) == "1 heure")
        #expect(French.duration(seconds: 86_400) == "24 heures")
        #expect(French.duration(seconds: 15 * 86_400) == "15 jours")
        #expect(French.clockDuration(seconds: 7_500) == "2 h 05 min")
        #expect(French.shortMonth(try Month(parsing: "2005-01")) == "janv. 05")
        #expect(French.shortMonth(try Month(parsing: "2026-12")) == "déc. 26")
        #expect(French.euros(Cents(200)) == "2\u{00A0}€" && French.euros(Cents(50)) == "0,50\u{00A0}€")
        #expect(French.hex([0x00, 0x0F, 0xA5, 0xFF]) == "000fa5ff")
    }

    @Test("the paper rule names the beneficiary with elision")
    func deliveryReason() throws {
        let base = Fixtures.person()
        let person = try InsuredPerson(
            nir: base.nir, lastName: base.lastName, firstNames: "Anna", birthDate: base.birthDate, address: base.address,
            regime: base.regime, caisse: base.caisse, doctor: base.doctor, longTermCondition: false,
            beneficiaries: [
                try Beneficiary(
                    rank: 1, firstName: "Anna", birthDate: base.birthDate,
                    complementaire: Complementaire(code: "MUT", name: "Mutuelle", noemieLinkActive: false))
            ])
        let mode = DeliveryRule.mode(
            for: person, accountPeriods: [DeliveryRule.OpenPeriod(from: Fixtures.date("2026-01-01"), until: nil)],
            month: try Month(parsing: "2026-10"), issuedOn: Fixtures.date("2026-11-02"))
        #expect(mode.explanation.contains("la complémentaire d'Anna"), "\(mode.explanation)")
    }
}
