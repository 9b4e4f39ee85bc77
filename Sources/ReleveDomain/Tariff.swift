/// What kind of care an act is, for filters and for the deductions that apply to it.
public enum CareNature: String, Sendable, Hashable, CaseIterable, Codable {
    case consultation
    case specialist = "specialiste"
    case teleconsultation
    case pharmacy = "pharmacie"
    case technical = "acte_technique"
    case nursing = "soins_infirmiers"
    case dailyAllowance = "indemnites_journalieres"

    public var french: String {
        switch self {
        case .consultation: "consultation"
        case .specialist: "spécialiste"
        case .teleconsultation: "téléconsultation"
        case .pharmacy: "pharmacie"
        case .technical: "acte technique"
        case .nursing: "soins infirmiers"
        case .dailyAllowance: "indemnités journalières"
        }
    }

    /// Whether the participation forfaitaire applies (physician acts), or the franchise
    /// médicale (drug boxes, paramedical acts).
    public var deduction: PaymentLine.Kind? {
        switch self {
        case .consultation, .specialist, .teleconsultation, .technical: .flatParticipation
        case .pharmacy, .nursing: .franchise
        case .dailyAllowance: nil
        }
    }
}

/// One regulated tariff, in force from `effective` until the next entry for the same code.
public struct Tariff: Sendable, Hashable {
    public let code: String
    public let label: String
    public let nature: CareNature
    public let effective: CivilDate
    /// Base de remboursement per unit (per consultation, per box).
    public let base: Cents
    /// Standard rate in the coordinated care pathway.
    public let rate: Rate
}

/// An amount that changes on given dates (participation forfaitaire, franchises).
public struct DatedAmount: Sendable, Hashable {
    public let effective: CivilDate
    public let amount: Cents

    public init(effective: CivilDate, amount: Cents) {
        self.effective = effective
        self.amount = amount
    }
}

/// The tariffs and deductions of DOMAIN.md §4 by effective date (metropolitan France,
/// secteur 1). The sample generator draws from it, and the consistency checks compare
/// sample data against it.
public struct TariffTable: Sendable {
    public let tariffs: [Tariff]
    public let flatParticipation: [DatedAmount]
    public let franchisePerUnit: [DatedAmount]

    /// `flatParticipation` and `franchisePerUnit` in order of effective date.
    public init(tariffs: [Tariff], flatParticipation: [DatedAmount], franchisePerUnit: [DatedAmount]) {
        self.tariffs = tariffs
        self.flatParticipation = flatParticipation
        self.franchisePerUnit = franchisePerUnit
    }

    /// Rate outside the coordinated care pathway (no médecin traitant), since 31 Jan 2009.
    public static let outsideCarePathwayRate = Rate(percent: 30)
    /// Rate for care related to an affection de longue durée.
    public static let longTermConditionRate = Rate(percent: 100)
    /// Participations forfaitaires, and franchises, each capped at 50 € per person and year.
    public static let yearlyDeductionCap = Cents(euros: 50)
    /// People under 18 pay neither participations forfaitaires nor franchises.
    public static let deductionExemptionAge = 18

    public func tariff(code: String, on date: CivilDate) -> Tariff? {
        tariffs.last { $0.code == code && $0.effective <= date }
    }

    public func flatParticipation(on date: CivilDate) -> Cents? {
        flatParticipation.last { $0.effective <= date }?.amount
    }

    public func franchise(on date: CivilDate) -> Cents? {
        franchisePerUnit.last { $0.effective <= date }?.amount
    }

    /// The deduction amount of `kind` due for one unit of care on `date`.
    public func deduction(_ kind: PaymentLine.Kind, on date: CivilDate) -> Cents? {
        switch kind {
        case .flatParticipation: flatParticipation(on: date)
        case .franchise: franchise(on: date)
        case .act, .deferredRecovery: nil
        }
    }

    public var codes: [String] {
        var seen: [String] = []
        for tariff in tariffs where !seen.contains(tariff.code) { seen.append(tariff.code) }
        return seen
    }

    public func nature(ofCode code: String) -> CareNature? {
        tariffs.first { $0.code == code }?.nature
    }

    public static let standard: TariffTable = {
        func d(_ y: Int, _ m: Int, _ day: Int) -> CivilDate {
            // Literal dates below are valid by construction.
            try! CivilDate(year: y, month: m, day: day)
        }
        func t(
            _ code: String, _ label: String, _ nature: CareNature, _ from: CivilDate, _ euros: Int64, _ cents: Int64, _ rate: Int
        )
            -> Tariff
        {
            Tariff(
                code: code, label: label, nature: nature, effective: from, base: Cents(euros: euros, cents: cents),
                rate: Rate(percent: rate))
        }
        let tariffs: [Tariff] = [
            t("C", "Consultation généraliste", .consultation, d(2007, 1, 1), 22, 0, 70),
            t("C", "Consultation généraliste", .consultation, d(2011, 1, 1), 23, 0, 70),
            t("G", "Consultation généraliste", .consultation, d(2017, 5, 1), 25, 0, 70),
            t("G", "Consultation généraliste", .consultation, d(2023, 11, 1), 26, 50, 70),
            t("G", "Consultation généraliste", .consultation, d(2024, 12, 22), 30, 0, 70),
            t("CS", "Consultation spécialiste (parcours coordonné)", .specialist, d(2010, 1, 1), 28, 0, 70),
            t("CS", "Consultation spécialiste (parcours coordonné)", .specialist, d(2017, 5, 1), 30, 0, 70),
            t("CS", "Consultation spécialiste (parcours coordonné)", .specialist, d(2023, 11, 1), 31, 50, 70),
            t("TCG", "Téléconsultation généraliste", .teleconsultation, d(2018, 9, 15), 25, 0, 70),
            t("DEQP003", "Électrocardiogramme", .technical, d(2010, 1, 1), 13, 52, 70),
            t("DEQP003", "Électrocardiogramme", .technical, d(2020, 1, 1), 14, 26, 70),
            t("DEQP003", "Électrocardiogramme", .technical, d(2024, 1, 1), 14, 52, 70),
            t("DZQM006", "Échographie cardiaque", .technical, d(2010, 1, 1), 96, 49, 70),
            t("PH7", "Pharmacie (vignette blanche)", .pharmacy, d(2010, 1, 1), 0, 0, 65),
            t("PH4", "Pharmacie (vignette bleue)", .pharmacy, d(2010, 1, 1), 0, 0, 35),
            t("PH4", "Pharmacie (vignette bleue)", .pharmacy, d(2011, 5, 2), 0, 0, 30),
            t("PH2", "Pharmacie (vignette orange)", .pharmacy, d(2010, 4, 1), 0, 0, 15),
            t("PH1", "Pharmacie (médicament irremplaçable)", .pharmacy, d(2010, 1, 1), 0, 0, 100),
            t("AMI", "Soins infirmiers", .nursing, d(2010, 1, 1), 3, 15, 60),
            t("IJ", "Indemnités journalières", .dailyAllowance, d(2010, 1, 1), 0, 0, 100),
        ]
        return TariffTable(
            tariffs: tariffs,
            flatParticipation: [
                DatedAmount(effective: d(2005, 1, 1), amount: Cents(euros: 1)),
                DatedAmount(effective: d(2024, 5, 15), amount: Cents(euros: 2)),
            ],
            franchisePerUnit: [
                DatedAmount(effective: d(2008, 1, 1), amount: Cents(50)),
                DatedAmount(effective: d(2024, 3, 31), amount: Cents(euros: 1)),
            ])
    }()
}
