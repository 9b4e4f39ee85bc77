import ReleveDomain
import ReleveTestSupport
import Testing

/// The grammar checker of the tests (ReleveTestSupport/FrenchGrammar.swift) catches each slip it
/// is meant to, passes correct French, and every sentence of the wording home that takes a
/// count or a name passes it for counts of 0, 1 and 2 and for names starting with a vowel.
@Suite("French grammar")
struct FrenchGrammarTests {
    @Test(
        "the checker flags each kind of slip",
        arguments: [
            "1 derniers mois d'activité, 1 paiements", "3 courrier imprimé", "1 page(s)", "Vous êtes connecté(e).",
            "la complémentaire de Anna", "le relevé de octobre", "les paiements de le mois", "Total: 3 €",
            "Attention; rien", "1\u{202F}234 ligne",
        ])
    func flags(_ text: String) {
        #expect(!FrenchGrammar.problems(in: text).isEmpty, "\(text)")
    }

    @Test(
        "the checker passes correct French, dates, amounts, options and file:line messages",
        arguments: [
            "0 paiement, 1 page, 2 courriers, 1\u{202F}234 lignes", "la complémentaire d'Anna et de Hugo",
            "Paiement du 02/10/2026 : 19,00\u{00A0}€ ; transmis", "flux.jsonl:3: date « 2026-13-01 » inconnue",
            "Voir --mois 3 et https://exemple.fr/x:y", "de Hugo, de Jean", "12 rue de Charenton", "Page 1/2",
            "Vous n'avez pas de compte ; d'un autre régime", "le 1er octobre, à 09:30",
        ])
    func passes(_ text: String) {
        #expect(FrenchGrammar.problems(in: text).isEmpty, "\(FrenchGrammar.problems(in: text))")
    }

    @Test("every counted noun and every named sentence of the wording home, for 0, 1, 2 and vowel names")
    func wordingHome() throws {
        var sentences: [String] = []
        for value in [0, 1, 2, 1_234] {
            for noun in ["paiement", "relevé", "ligne", "page", "courrier", "assuré", "jour", "demande"] {
                sentences.append(French.count(value, noun))
            }
            sentences.append(French.count(value, "avis envoyé", "avis envoyés"))
            sentences.append(French.duration(seconds: value * 60))
            sentences.append(French.duration(seconds: value * 3600))
            var policy = AccessPolicy.standard
            policy.provisionalRequestsPerDay = max(value, 1)
            policy.provisionalCodeDays = max(value, 1)
            sentences += [policy.provisionalRequestsLimit, policy.provisionalCodeValidity, policy.sessionLimits]
        }
        let base = Fixtures.person()
        for names in [["Anna"], ["Hugo"], ["Émile", "Léa"], ["Yves", "Anna", "Jean"]] {
            let beneficiaries = try names.enumerated().map { index, name in
                try Beneficiary(
                    rank: index + 1, firstName: name, birthDate: base.birthDate,
                    complementaire: Complementaire(code: "MUT", name: "Mutuelle Atlantique", noemieLinkActive: false))
            }
            let person = try InsuredPerson(
                nir: base.nir, lastName: base.lastName, firstNames: names[0], birthDate: base.birthDate, address: base.address,
                regime: base.regime, caisse: base.caisse, doctor: base.doctor, longTermCondition: false,
                beneficiaries: beneficiaries)
            for periods in [[], [DeliveryRule.OpenPeriod(from: Fixtures.date("2026-01-01"), until: nil)]] {
                let mode = DeliveryRule.mode(
                    for: person, accountPeriods: periods, month: try Month(parsing: "2026-10"),
                    issuedOn: Fixtures.date("2026-11-02"))
                sentences.append(mode.explanation)
            }
            sentences += beneficiaries.map(\.complementaireFrench)
        }
        let problems = sentences.flatMap { FrenchGrammar.problems(in: $0) }
        #expect(problems.isEmpty, "\(problems)")
        #expect(sentences.contains { $0.contains("la complémentaire d'Émile et de Léa (Mutuelle Atlantique)") })
    }
}
