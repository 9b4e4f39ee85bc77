/// One payment (paiement): a bank transfer to the assuré, or a settlement to a professional
/// under tiers payant, with the care lines it pays. Totals are derived from the lines, never
/// stored twice.
public struct Payment: Sendable, Hashable {
    public typealias ID = ReleveDomain.ID<Payment>

    /// The insurer's reference, unique across the whole feed (e.g. `0751-2026-000123`).
    public var reference: String
    public var nir: NIR
    public var date: CivilDate
    public var payee: Payee
    public var kind: Kind
    public private(set) var lines: [PaymentLine]

    public enum Kind: String, Sendable, Hashable, CaseIterable, Codable {
        case care = "soins"
        case dailyAllowance = "indemnites_journalieres"

        public var french: String {
            switch self {
            case .care: "soins"
            case .dailyAllowance: "indemnités journalières"
            }
        }
    }

    public enum Payee: Sendable, Hashable {
        /// Transfer to the assuré's bank account.
        case insured
        /// Tiers payant: paid directly to the professional named.
        case professional(String)

        /// Who was paid, in a table: `vous`, `Pharmacie X (tiers payant)`.
        public var french: String {
            switch self {
            case .insured: "vous"
            case .professional(let name): "\(name) (tiers payant)"
            }
        }

        /// Who was paid, short: `vous`, `Pharmacie X`.
        public var shortFrench: String {
            switch self {
            case .insured: "vous"
            case .professional(let name): name
            }
        }

        /// Who was paid, in a sentence: `versé sur votre compte`, `réglé à X (tiers payant)`.
        public var sentence: String {
            switch self {
            case .insured: "versé sur votre compte"
            case .professional(let name): "réglé à \(name) (tiers payant)"
            }
        }
    }

    public init(reference: String, nir: NIR, date: CivilDate, payee: Payee, kind: Kind, lines: [PaymentLine])
        throws(DomainError)
    {
        self.reference = try Self.validateReference(reference)
        if case .professional(let name) = payee {
            self.payee = .professional(try Text.clean(name, field: "bénéficiaire du paiement", maxLength: 80))
        } else {
            self.payee = payee
        }
        guard !lines.isEmpty else {
            throw .invalid(field: "lignes", reason: "un paiement doit comporter au moins une ligne")
        }
        guard lines.count <= 10_000 else {
            throw .invalid(field: "lignes", reason: "plus de 10 000 lignes dans un même paiement")
        }
        // Lines are bounded (`Cents.maximumAmount`, 10 000 lines), so these sums cannot overflow.
        for (label, total) in [
            ("montant payé", lines.reduce(Cents.zero) { $0 + $1.paid }),
            ("base de remboursement", lines.reduce(Cents.zero) { $0 + $1.base }),
            ("montant remboursé", lines.reduce(Cents.zero) { $0 + $1.reimbursed }),
        ] where !total.isWithinMaximum {
            throw .invalid(
                field: "total du paiement",
                reason: "\(label) de \(total.formatted) : au-delà du maximum de \(Cents.maximumAmount.formatted) par paiement")
        }
        for line in lines where line.careDate > date {
            throw .invalid(
                field: "date des soins",
                reason: "le \(line.careDate.formatted) est postérieur à la date du paiement \(date.formatted)"
            )
        }
        self.nir = nir
        self.date = date
        self.kind = kind
        self.lines = lines
    }

    /// 1 to 40 printable ASCII characters among letters, digits, `-`, `/`, `_` and `.`.
    public static func validateReference(_ reference: String) throws(DomainError) -> String {
        let bytes = Array(reference.utf8)
        let allowed: (UInt8) -> Bool = {
            ASCII.isDigit($0) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A) || $0 == 0x2D || $0 == 0x2F || $0 == 0x5F
                || $0 == 0x2E
        }
        guard (1...40).contains(bytes.count), bytes.allSatisfy(allowed) else {
            throw .invalid(
                field: "référence",
                reason: "1 à 40 caractères parmi lettres, chiffres, « - », « / », « _ » et « . » attendus"
            )
        }
        return reference
    }

    /// Sum of what was paid to the professionals for the acts.
    public var totalPaid: Cents { lines.reduce(.zero) { $0 + $1.paid } }
    /// Sum of the bases (base de remboursement) of the acts.
    public var totalBase: Cents { lines.reduce(.zero) { $0 + $1.base } }
    /// Reimbursed for the acts, before deductions.
    /// What is left for the assuré or their complémentaire over every line.
    public var remainingCost: Cents { lines.reduce(.zero) { $0 + $1.remainingCost } }

    public var totalReimbursedGross: Cents {
        lines.reduce(.zero) { $0 + ($1.kind == .act ? $1.reimbursed : .zero) }
    }
    /// Participations forfaitaires, franchises and deferred recoveries (negative).
    public var totalDeductions: Cents {
        lines.reduce(.zero) { $0 + ($1.kind == .act ? .zero : $1.reimbursed) }
    }
    /// What the payment actually pays: acts minus deductions.
    public var totalReimbursed: Cents { totalReimbursedGross + totalDeductions }

    public var actCount: Int { lines.count { $0.kind == .act } }

    public var beneficiaryRanks: [Int] {
        var seen: [Int] = []
        for line in lines where !seen.contains(line.beneficiaryRank) { seen.append(line.beneficiaryRank) }
        return seen
    }

    public var transmittedToComplementaire: Bool {
        lines.contains { $0.kind == .act && $0.transmittedToComplementaire }
    }
}

/// One row of a payment: an act, or a deduction shown as its own negative line.
public struct PaymentLine: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable, Codable {
        case act = "acte"
        /// Participation forfaitaire (1 € then 2 € per consultation or act).
        case flatParticipation = "participation_forfaitaire"
        /// Franchise médicale (per drug box, paramedical act or transport).
        case franchise = "franchise"
        /// A participation or franchise that could not be taken at the time (tiers payant)
        /// and is taken off this later reimbursement; `careDate` is the original care date.
        case deferredRecovery = "recuperation_differee"

        public var french: String {
            switch self {
            case .act: "acte"
            case .flatParticipation: "participation forfaitaire"
            case .franchise: "franchise médicale"
            case .deferredRecovery: "récupération différée"
            }
        }
    }

    public var careDate: CivilDate
    public var beneficiaryRank: Int
    public var kind: Kind
    /// NGAP (`G`, `CS`, `AMI`…), CCAM (`DEQP003`) or pharmacy (`PH7`) code; `PF`, `FR` for deductions.
    public var actCode: String
    public var label: String
    public var professional: String?
    public var quantity: Int
    public var paid: Cents
    public var base: Cents
    public var rate: Rate
    public var reimbursed: Cents
    public var transmittedToComplementaire: Bool

    public init(
        careDate: CivilDate, beneficiaryRank: Int, kind: Kind, actCode: String, label: String, professional: String?,
        quantity: Int, paid: Cents, base: Cents, rate: Rate, reimbursed: Cents, transmittedToComplementaire: Bool
    ) throws(DomainError) {
        guard (1...99).contains(beneficiaryRank) else {
            throw .invalid(field: "rang du bénéficiaire", reason: "doit être compris entre 1 et 99 (reçu \(beneficiaryRank))")
        }
        let codeBytes = Array(actCode.utf8)
        guard (1...10).contains(codeBytes.count),
            codeBytes.allSatisfy({ ASCII.isDigit($0) || ($0 >= 0x41 && $0 <= 0x5A) })
        else {
            throw .invalid(
                field: "code acte", reason: "1 à 10 lettres majuscules ou chiffres attendus (reçu « \(actCode.prefix(20)) »)")
        }
        for (label, amount) in [("montant payé", paid), ("base de remboursement", base), ("montant remboursé", reimbursed)]
        where !amount.isWithinMaximum {
            throw .invalid(
                field: label,
                reason: "\(amount.formatted) : au-delà du maximum de \(Cents.maximumAmount.formatted) par ligne")
        }
        guard (1...9_999).contains(quantity) else {
            throw .invalid(field: "quantité", reason: "doit être comprise entre 1 et 9 999 (reçu \(quantity))")
        }
        switch kind {
        case .act:
            guard paid >= .zero else {
                throw .invalid(field: "montant payé", reason: "ne peut pas être négatif (\(paid.formatted))")
            }
            guard base >= .zero else {
                throw .invalid(field: "base de remboursement", reason: "ne peut pas être négative (\(base.formatted))")
            }
            let expected = base.applying(rate)
            guard reimbursed == expected else {
                throw .invalid(
                    field: "montant remboursé",
                    reason:
                        "\(reimbursed.formatted) au lieu de base × taux = \(base.formatted) × \(rate.formatted) = \(expected.formatted)"
                )
            }
        case .flatParticipation, .franchise, .deferredRecovery:
            guard reimbursed < .zero, paid == .zero, base == .zero, rate == .zero else {
                throw .invalid(
                    field: "montant remboursé",
                    reason: "une ligne « \(kind.french) » est une déduction : montant négatif, sans montant payé, base ni taux"
                )
            }
        }
        self.careDate = careDate
        self.beneficiaryRank = beneficiaryRank
        self.kind = kind
        self.actCode = actCode
        self.label = try Text.clean(label, field: "libellé", maxLength: 120)
        self.professional = try professional.map { name throws(DomainError) in
            try Text.clean(name, field: "professionnel", maxLength: 80)
        }
        self.quantity = quantity
        self.paid = paid
        self.base = base
        self.rate = rate
        self.reimbursed = reimbursed
        self.transmittedToComplementaire = transmittedToComplementaire
    }

    /// What is left for the assuré or their complémentaire: paid − reimbursed for an act,
    /// the deduction itself (as a positive cost) for a deduction line.
    public var remainingCost: Cents {
        kind == .act ? paid - reimbursed : -reimbursed
    }
}
