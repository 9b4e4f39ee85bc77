import ReleveDomain

/// Generates realistic, deterministic feeds: the same seed, size and period give the same
/// bytes on every machine. Each assuré is drawn from its own random stream and written out
/// before the next is drawn, so a feed for a million assurés never sits in memory.
///
/// The first assurés are the hand-chosen personas of `SamplePersonas`; the rest are random.
/// Amounts follow `TariffTable.standard` at each date of care: consultation tariffs,
/// participation forfaitaire (1 € then 2 € from 15 May 2024), franchises (0,50 € then 1 € from
/// 31 Mar 2024), 30 % outside the care pathway, 100 % in ALD, no deductions under 18, yearly
/// caps of 50 €, and franchises on tiers-payant pharmacy taken later as deferred recoveries.
public struct SampleGenerator: Sendable {
    public let seed: UInt64
    public let firstMonth: Month
    public let lastMonth: Month
    public let tariffs: TariffTable

    public init(seed: UInt64, months: Int, lastMonth: Month, tariffs: TariffTable = .standard) {
        self.seed = seed
        self.lastMonth = lastMonth
        self.firstMonth = lastMonth.adding(months: -(max(months, 1) - 1))
        self.tariffs = tariffs
    }

    /// The assuré number `index` (0-based) and all their payments over the period.
    public func assure(index: Int) -> (InsuredPerson, [Payment]) {
        var rng = SeededRandom(seed: seed, stream: UInt64(index))
        let person = index < SamplePersonas.all.count ? Self.persona(SamplePersonas.all[index]) : randomPerson(index, &rng)
        return (person, payments(for: person, index: index, &rng))
    }

    // MARK: Assurés

    static func persona(_ p: SamplePersonas.Persona) -> InsuredPerson {
        // Personas are literals checked by the tests: a failure here is a programming error.
        do {
            let birthDate = try CivilDate(parsing: p.birthDate)
            let complementaire = try p.complementaire.map { c throws(DomainError) in
                try Complementaire(code: c.0, name: c.1, noemieLinkActive: c.2)
            }
            var beneficiaries = [
                try Beneficiary(rank: 1, firstName: p.firstNames, birthDate: birthDate, complementaire: complementaire)
            ]
            for (offset, dependant) in p.dependants.enumerated() {
                beneficiaries.append(
                    try Beneficiary(
                        rank: offset + 2, firstName: dependant.0, birthDate: CivilDate(parsing: dependant.1),
                        complementaire: complementaire))
            }
            return try InsuredPerson(
                nir: NIR(parsing: p.nir), lastName: p.lastName, firstNames: p.firstNames, birthDate: birthDate,
                address: PostalAddress(lines: p.address, postalCode: p.postalCode, city: p.city), regime: p.regime,
                caisse: Caisse(code: p.caisse.0, name: p.caisse.1),
                doctor: try p.doctor.map { d throws(DomainError) in
                    try DoctorDeclaration(name: d.0, since: CivilDate(parsing: d.1))
                },
                longTermCondition: p.longTermCondition, beneficiaries: beneficiaries)
        } catch {
            fatalError("invalid persona \(p.nir): \(error.message)")
        }
    }

    private static let lastNames = [
        "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau", "Simon", "Laurent",
        "Lefèvre", "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier", "Morel", "Girard", "André",
        "Mercier", "Dupont", "Lambert", "Bonnet", "François", "Martinez", "Legrand", "Garnier", "Faure", "Rousseau",
        "Blanc", "Guérin", "Muller", "Henry", "Roussel", "Nicolas", "Perrin", "Morin", "Mathieu", "Clément", "Gauthier",
        "Dumont", "Lopez", "Fontaine", "Chevalier", "Robin", "N'Diaye", "Nguyen",
    ]
    private static let maleNames = [
        "Jean", "Pierre", "Michel", "André", "Philippe", "Alain", "Bernard", "Jacques", "Daniel", "Christophe", "Nicolas",
        "Julien", "Thomas", "Maxime", "Lucas", "Hugo", "Gabriel", "Léo", "Raphaël", "Noé",
    ]
    private static let femaleNames = [
        "Marie", "Nathalie", "Isabelle", "Sylvie", "Catherine", "Françoise", "Christine", "Monique", "Valérie", "Sandrine",
        "Julie", "Camille", "Léa", "Manon", "Chloé", "Emma", "Jade", "Louise", "Alice", "Inès",
    ]
    private static let streets = [
        "rue de la République", "avenue Jean Jaurès", "rue Victor Hugo", "place de la Mairie", "rue Pasteur",
        "boulevard Gambetta", "chemin des Vignes", "allée des Tilleuls", "rue du Général de Gaulle", "impasse des Lilas",
    ]
    /// Postal code, city, caisse code, caisse name.
    private static let cities: [(String, String, String, String)] = [
        ("75011", "Paris", "751", "CPAM de Paris"), ("69007", "Lyon", "691", "CPAM du Rhône"),
        ("13001", "Marseille", "131", "CPAM des Bouches-du-Rhône"), ("31000", "Toulouse", "311", "CPAM de la Haute-Garonne"),
        ("33000", "Bordeaux", "331", "CPAM de la Gironde"), ("44000", "Nantes", "441", "CPAM de Loire-Atlantique"),
        ("59000", "Lille", "591", "CPAM de Lille-Douai"), ("67000", "Strasbourg", "671", "CPAM du Bas-Rhin"),
        ("35000", "Rennes", "351", "CPAM d'Ille-et-Vilaine"), ("21000", "Dijon", "211", "CPAM de la Côte-d'Or"),
        ("25000", "Besançon", "251", "CPAM du Doubs"), ("63000", "Clermont-Ferrand", "631", "CPAM du Puy-de-Dôme"),
    ]
    private static let mutuelles: [(String, String)] = [
        ("MUT0751", "Mutuelle des Services Publics"), ("MUT1301", "Mutuelle du Soleil"), ("MUT6901", "Harmonie Rhône"),
        ("MUT3301", "Mutuelle d'Aquitaine"), ("MUT5901", "Groupama Santé"), ("MUT4401", "Mutuelle Atlantique"),
    ]

    private func randomPerson(_ index: Int, _ rng: inout SeededRandom) -> InsuredPerson {
        let female = rng.chance(0.5)
        let year = rng.int(1940...2004)
        let month = rng.int(1...12)
        let birthDate = (try? CivilDate(year: year, month: month, day: rng.int(1...28)))!
        // Département, commune and order come from the index, so NIRs are unique up to ~95 million.
        var department = index / 998_001 % 95 + 1
        if department == 20 { department = 96 }
        let commune = index / 999 % 999 + 1
        let order = index % 999 + 1
        let body =
            "\(female ? 2 : 1)\(pad(year % 100, 2))\(pad(month, 2))\(pad(department, 2))\(pad(commune, 3))\(pad(order, 3))"
        let city = rng.pick(Self.cities)
        let firstName = rng.pick(female ? Self.femaleNames : Self.maleNames)
        let hasComplementaire = rng.chance(0.9)
        let mutuelle = rng.pick(Self.mutuelles)
        let complementaire =
            hasComplementaire ? try? Complementaire(code: mutuelle.0, name: mutuelle.1, noemieLinkActive: rng.chance(0.85)) : nil
        var beneficiaries = [
            (try? Beneficiary(rank: 1, firstName: firstName, birthDate: birthDate, complementaire: complementaire))!
        ]
        if year >= 1965 && year <= 1995 && rng.chance(0.35) {
            for rank in 2...rng.int(2...4) {
                let childYear = min(year + rng.int(22...38), 2024)
                let child = (try? CivilDate(year: childYear, month: rng.int(1...12), day: rng.int(1...28)))!
                let childName = rng.pick(rng.chance(0.5) ? Self.femaleNames : Self.maleNames)
                beneficiaries.append(
                    (try? Beneficiary(rank: rank, firstName: childName, birthDate: child, complementaire: complementaire))!)
            }
        }
        let regime: Regime = rng.chance(0.92) ? .general : rng.pick([.msa, .mgen, .sncf, .lmde, .enim, .independants])
        let doctor =
            rng.chance(0.85)
            ? try? DoctorDeclaration(
                name: "Dr \(rng.pick(Self.femaleNames + Self.maleNames)) \(rng.pick(Self.lastNames))",
                since: CivilDate(year: rng.int(2005...2024), month: rng.int(1...12), day: rng.int(1...28))) : nil
        do {
            return try InsuredPerson(
                nir: NIR(parsing: body), lastName: rng.pick(Self.lastNames), firstNames: firstName, birthDate: birthDate,
                address: PostalAddress(
                    lines: ["\(rng.int(1...180)) \(rng.pick(Self.streets))"], postalCode: city.0, city: city.1),
                regime: regime, caisse: Caisse(code: city.2, name: city.3), doctor: doctor, longTermCondition: rng.chance(0.1),
                beneficiaries: beneficiaries)
        } catch {
            fatalError("generator built an invalid assuré \(body): \(error.message)")
        }
    }

    // MARK: Payments

    private struct Pending {
        let careDate: CivilDate
        let settledOn: CivilDate
        let rank: Int
        let amount: Cents
        let what: String
    }

    private struct State {
        let index: Int
        var sequence = 0
        var pendingRecoveries: [Pending] = []
        /// Participations and franchises charged per (year, rank, kind), for the 50 € caps.
        var charged: [String: Cents] = [:]
    }

    private static let pharmacies = [
        "Pharmacie du Centre", "Pharmacie de la Gare", "Grande Pharmacie du Marché", "Pharmacie des Écoles",
    ]

    private func payments(for person: InsuredPerson, index: Int, _ rng: inout SeededRandom) -> [Payment] {
        var state = State(index: index)
        var result: [Payment] = []
        let end = lastMonth.lastDay
        var month = firstMonth
        while month <= lastMonth {
            var events: [(CivilDate, Int)] = []  // (care date, kind 0 GP, 1 pharmacy, 2 specialist, 3 nurse)
            func day() -> CivilDate {
                month.firstDay.adding(days: rng.int(0...(CivilDate.daysIn(month: month.month, year: month.year) - 1)))
            }
            if rng.chance(0.55) { events.append((day(), 0)) }
            if rng.chance(0.45) { events.append((day(), 1)) }
            if rng.chance(0.12) { events.append((day(), 2)) }
            if person.longTermCondition && rng.chance(0.3) { events.append((day(), 3)) }
            events.sort { $0.0 < $1.0 }
            for (careDate, kind) in events {
                let beneficiary = rng.pick(person.beneficiaries)
                let payment: Payment?
                switch kind {
                case 0: payment = consultation(person, beneficiary, careDate, specialist: false, &state, &rng)
                case 2: payment = consultation(person, beneficiary, careDate, specialist: true, &state, &rng)
                case 1: payment = pharmacy(person, beneficiary, careDate, &state, &rng)
                default: payment = nursing(person, beneficiary, careDate, &state, &rng)
                }
                if let payment, payment.date <= end { result.append(payment) }
            }
            month = month.adding(months: 1)
        }
        return result
    }

    private func transmitted(_ beneficiary: Beneficiary) -> Bool {
        beneficiary.complementaire?.noemieLinkActive ?? false
    }

    /// The deduction due, within the yearly cap, or nil when none (under 18, cap reached).
    private func deduction(
        _ kind: PaymentLine.Kind, units: Int, _ beneficiary: Beneficiary, _ date: CivilDate, _ state: inout State
    ) -> Cents? {
        guard beneficiary.birthDate.age(on: date) >= TariffTable.deductionExemptionAge,
            let unit = tariffs.deduction(kind, on: date)
        else { return nil }
        let key = "\(date.year)-\(beneficiary.rank)-\(kind.rawValue)"
        let used = state.charged[key, default: .zero]
        let amount = min(unit * Int64(units), TariffTable.yearlyDeductionCap - used)
        guard amount > .zero else { return nil }
        state.charged[key] = used + amount
        return amount
    }

    private func reference(_ person: InsuredPerson, _ state: inout State) -> String {
        state.sequence += 1
        return "\(person.caisse.code)-\(pad(state.index, 7))-\(pad(state.sequence, 5))"
    }

    private func line(
        _ date: CivilDate, _ rank: Int, _ kind: PaymentLine.Kind, _ code: String, _ label: String, _ professional: String?,
        quantity: Int = 1, paid: Cents = .zero, base: Cents = .zero, rate: Rate = .zero, reimbursed: Cents, transmitted: Bool
    ) -> PaymentLine {
        do {
            return try PaymentLine(
                careDate: date, beneficiaryRank: rank, kind: kind, actCode: code, label: label, professional: professional,
                quantity: quantity, paid: paid, base: base, rate: rate, reimbursed: reimbursed,
                transmittedToComplementaire: transmitted)
        } catch {
            fatalError("generator built an invalid line: \(error.message)")
        }
    }

    private func consultation(
        _ person: InsuredPerson, _ beneficiary: Beneficiary, _ careDate: CivilDate, specialist: Bool, _ state: inout State,
        _ rng: inout SeededRandom
    ) -> Payment? {
        let code = specialist ? "CS" : (rng.chance(0.1) ? "TCG" : (careDate < CivilDate.may2017 ? "C" : "G"))
        guard let tariff = tariffs.tariff(code: code, on: careDate) else { return nil }
        let age = beneficiary.birthDate.age(on: careDate)
        let rate: Rate =
            person.longTermCondition
            ? TariffTable.longTermConditionRate
            : (person.doctor == nil && age >= 16 ? TariffTable.outsideCarePathwayRate : tariff.rate)
        let overrun = specialist && rng.chance(0.3) ? Cents(euros: 20) : .zero
        let doctor =
            specialist
            ? "Dr \(rng.pick(Self.lastNames)) (cardiologue)" : (person.doctor?.name ?? "Dr \(rng.pick(Self.lastNames))")
        var lines = [
            line(
                careDate, beneficiary.rank, .act, code, tariff.label, doctor, paid: tariff.base + overrun, base: tariff.base,
                rate: rate, reimbursed: tariff.base.applying(rate), transmitted: transmitted(beneficiary))
        ]
        if person.longTermCondition && specialist, let ecg = tariffs.tariff(code: "DEQP003", on: careDate) {
            lines.append(
                line(
                    careDate, beneficiary.rank, .act, ecg.code, ecg.label, doctor, paid: ecg.base, base: ecg.base, rate: rate,
                    reimbursed: ecg.base.applying(rate), transmitted: transmitted(beneficiary)))
        }
        let acts = lines.count
        if let amount = deduction(.flatParticipation, units: acts, beneficiary, careDate, &state) {
            lines.append(
                line(
                    careDate, beneficiary.rank, .flatParticipation, "PF", "Participation forfaitaire", nil, reimbursed: -amount,
                    transmitted: false))
        }
        let paidOn = careDate.adding(days: rng.int(2...6))
        lines += recoveries(before: paidOn, available: lines.reduce(.zero) { $0 + $1.reimbursed }, &state)
        return makePayment(person, paidOn, .insured, lines, &state)
    }

    private func pharmacy(
        _ person: InsuredPerson, _ beneficiary: Beneficiary, _ careDate: CivilDate, _ state: inout State,
        _ rng: inout SeededRandom
    ) -> Payment? {
        var lines: [PaymentLine] = []
        var boxes = 0
        for _ in 0..<rng.int(1...3) {
            let code = rng.pick(["PH7", "PH7", "PH7", "PH4", "PH2", "PH1"])
            guard let tariff = tariffs.tariff(code: code, on: careDate) else { continue }
            let quantity = rng.int(1...3)
            let base = Cents(Int64(rng.int(180...2500))) * Int64(quantity)
            let rate = person.longTermCondition ? TariffTable.longTermConditionRate : tariff.rate
            boxes += quantity
            lines.append(
                line(
                    careDate, beneficiary.rank, .act, code, tariff.label, nil, quantity: quantity, paid: base, base: base,
                    rate: rate,
                    reimbursed: base.applying(rate), transmitted: transmitted(beneficiary)))
        }
        guard !lines.isEmpty else { return nil }
        let paidOn = careDate.adding(days: 2)
        let tiersPayant = rng.chance(0.75)
        if let amount = deduction(.franchise, units: boxes, beneficiary, careDate, &state) {
            if tiersPayant {
                // Under tiers payant the franchise cannot be taken now: it is recovered later.
                state.pendingRecoveries.append(
                    Pending(careDate: careDate, settledOn: paidOn, rank: beneficiary.rank, amount: amount, what: "médicaments"))
            } else {
                lines.append(
                    line(
                        careDate, beneficiary.rank, .franchise, "FR",
                        "Franchise médicale (\(boxes) boîte\(boxes > 1 ? "s" : ""))", nil,
                        reimbursed: -amount, transmitted: false))
            }
        }
        if !tiersPayant {
            // Paid by the assuré, reimbursed by transfer: the franchise is deducted at once.
            return makePayment(person, paidOn.adding(days: 2), .insured, lines, &state)
        }
        return makePayment(person, paidOn, .professional(rng.pick(Self.pharmacies)), lines, &state)
    }

    private func nursing(
        _ person: InsuredPerson, _ beneficiary: Beneficiary, _ careDate: CivilDate, _ state: inout State,
        _ rng: inout SeededRandom
    ) -> Payment? {
        guard let tariff = tariffs.tariff(code: "AMI", on: careDate) else { return nil }
        let quantity = rng.int(1...4)
        let base = tariff.base * Int64(quantity)
        let rate = person.longTermCondition ? TariffTable.longTermConditionRate : tariff.rate
        let lines = [
            line(
                careDate, beneficiary.rank, .act, "AMI", tariff.label, "Cabinet infirmier \(rng.pick(Self.lastNames))",
                quantity: quantity, paid: base, base: base, rate: rate, reimbursed: base.applying(rate),
                transmitted: transmitted(beneficiary))
        ]
        let paidOn = careDate.adding(days: 3)
        if let amount = deduction(.franchise, units: quantity, beneficiary, careDate, &state) {
            state.pendingRecoveries.append(
                Pending(careDate: careDate, settledOn: paidOn, rank: beneficiary.rank, amount: amount, what: "actes infirmiers"))
        }
        return makePayment(person, paidOn, .professional(lines[0].professional!), lines, &state)
    }

    /// Deferred recoveries settled before `date`, as long as they fit in `available`.
    private func recoveries(before date: CivilDate, available: Cents, _ state: inout State) -> [PaymentLine] {
        var remaining = available
        var lines: [PaymentLine] = []
        var kept: [Pending] = []
        for pending in state.pendingRecoveries {
            if pending.settledOn < date && pending.amount <= remaining {
                remaining = remaining - pending.amount
                lines.append(
                    line(
                        pending.careDate, pending.rank, .deferredRecovery, "FR",
                        "Franchise sur \(pending.what) réglés le \(pending.settledOn.formatted) en tiers payant", nil,
                        reimbursed: -pending.amount, transmitted: false))
            } else {
                kept.append(pending)
            }
        }
        state.pendingRecoveries = kept
        return lines
    }

    private func makePayment(
        _ person: InsuredPerson, _ date: CivilDate, _ payee: Payment.Payee, _ lines: [PaymentLine], _ state: inout State
    ) -> Payment? {
        do {
            return try Payment(
                reference: reference(person, &state), nir: person.nir, date: date, payee: payee, kind: .care, lines: lines)
        } catch {
            fatalError("generator built an invalid payment: \(error.message)")
        }
    }
}

extension CivilDate {
    static let may2017 = (try? CivilDate(year: 2017, month: 5, day: 1))!
}

func pad(_ value: Int, _ width: Int) -> String {
    let text = String(value)
    return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
}
