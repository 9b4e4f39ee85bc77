import ReleveDomain

/// The hand-chosen assurés that open every sample feed, one for each situation the product
/// must handle (README, "Sample data"). Further assurés are drawn at random.
enum SamplePersonas {
    struct Persona {
        let nir: String
        let lastName: String
        let firstNames: String
        let birthDate: String
        let address: [String]
        let postalCode: String
        let city: String
        let regime: Regime
        let caisse: (String, String)
        let doctor: (String, String)?
        let longTermCondition: Bool
        let complementaire: (String, String, Bool)?
        let dependants: [(String, String)]
    }

    static let mutuelleNoemie = ("MUT0751", "Mutuelle des Services Publics", true)
    static let mutuellePaper = ("MUT6710", "Mutuelle Rhénane de Prévoyance", false)

    static let all: [Persona] = [
        // Paris-born father of a family: two children under 18 (no participations, no franchises).
        Persona(
            nir: "1701275112034", lastName: "Martin", firstNames: "Jean", birthDate: "1970-12-03",
            address: ["12 rue de Charenton"], postalCode: "75012", city: "Paris", regime: .general,
            caisse: ("751", "CPAM de Paris"), doctor: ("Dr Claire Bernard", "2012-09-14"), longTermCondition: false,
            complementaire: mutuelleNoemie, dependants: [("Léa", "2014-04-02"), ("Hugo", "2019-11-23")]),
        // Born in Ajaccio (2A).
        Persona(
            nir: "285032A004117", lastName: "Santoni", firstNames: "Marie-Ange", birthDate: "1985-03-17",
            address: ["Résidence les Palmiers", "4 cours Napoléon"], postalCode: "20000", city: "Ajaccio", regime: .general,
            caisse: ("201", "CPAM de la Corse-du-Sud"), doctor: ("Dr Paul Casanova", "2016-02-01"), longTermCondition: false,
            complementaire: ("MUT2001", "Mutuelle Corse", true), dependants: []),
        // Born in Bastia (2B), no médecin traitant declared: consultations at 30 %.
        Persona(
            nir: "292072B033021", lastName: "Albertini", firstNames: "Ghjulia", birthDate: "1992-07-08",
            address: ["9 boulevard Paoli"], postalCode: "20200", city: "Bastia", regime: .general,
            caisse: ("202", "CPAM de la Haute-Corse"), doctor: nil, longTermCondition: false,
            complementaire: mutuelleNoemie, dependants: []),
        // Born in Saint-Denis de La Réunion (974), in ALD: care at 100 %.
        Persona(
            nir: "1600497411005", lastName: "Hoarau", firstNames: "Jean-Claude", birthDate: "1960-04-21",
            address: ["27 rue de Paris"], postalCode: "97400", city: "Saint-Denis", regime: .general,
            caisse: ("974", "CGSS de La Réunion"), doctor: ("Dr Marie Payet", "2009-06-30"), longTermCondition: true,
            complementaire: ("MUT9741", "Mutuelle de La Réunion", true), dependants: []),
        // Born in Germany (99 109); her complémentaire has no NOEMIE link: paper statements go on.
        Persona(
            nir: "2880999109042", lastName: "Müller", firstNames: "Anna", birthDate: "1988-09-05",
            address: ["3 quai des Bateliers"], postalCode: "67000", city: "Strasbourg", regime: .general,
            caisse: ("671", "CPAM du Bas-Rhin"), doctor: ("Dr Thomas Schmitt", "2018-01-10"), longTermCondition: false,
            complementaire: mutuellePaper, dependants: []),
        // Born in Morocco (99 350), pseudo-fictitious month 35 (= May); no complémentaire.
        Persona(
            nir: "1553599350012", lastName: "El Amrani", firstNames: "Mohamed", birthDate: "1955-05-12",
            address: ["Bâtiment C", "18 boulevard National"], postalCode: "13003", city: "Marseille", regime: .general,
            caisse: ("131", "CPAM des Bouches-du-Rhône"), doctor: ("Dr Sophie Roux", "2010-03-22"), longTermCondition: false,
            complementaire: nil, dependants: []),
        // The 2010 tutorial's example NIR; another scheme (MSA): no account here.
        Persona(
            nir: "1480599999356", lastName: "Duval", firstNames: "Pierre", birthDate: "1948-05-30",
            address: ["Ferme du Moulin", "2 chemin des Prés"], postalCode: "59000", city: "Lille", regime: .msa,
            caisse: ("591", "MSA Nord-Pas de Calais"), doctor: ("Dr Luc Lefebvre", "2007-11-05"), longTermCondition: false,
            complementaire: ("MUT5901", "Groupama Santé", true), dependants: []),
        // Long name with accents, hyphens and an apostrophe, as on real letters.
        Persona(
            nir: "2790669123045", lastName: "d'Argenson-La Rochefoucauld de Saint-Exupéry-Montmorency",
            firstNames: "Marie-Thérèse Éléonore Françoise", birthDate: "1979-06-24",
            address: ["Appartement 12, escalier B", "145 avenue du Maréchal de Lattre de Tassigny"], postalCode: "69003",
            city: "Lyon", regime: .general, caisse: ("691", "CPAM du Rhône"), doctor: ("Dr Hélène Ménard", "2020-05-04"),
            longTermCondition: false, complementaire: mutuelleNoemie, dependants: [("Zoé", "2009-01-15")]),
    ]
}
