import ReleveTestSupport
import Testing

@testable import ReleveDomain

@Suite("Payments and lines")
struct PaymentTests {
    func act(base: Int64, rate: Int = 7000, reimbursed: Int64? = nil, paid: Int64? = nil, care: String = "2026-10-02")
        throws -> PaymentLine
    {
        let r = try Rate(basisPoints: rate)
        return try PaymentLine(
            careDate: Fixtures.date(care), beneficiaryRank: 1, kind: .act, actCode: "G", label: "Consultation",
            professional: "Dr A", quantity: 1, paid: Cents(paid ?? base), base: Cents(base), rate: r,
            reimbursed: Cents(reimbursed ?? Cents(base).applying(r).rawValue), transmittedToComplementaire: true)
    }

    @Test("totals are derived from the lines")
    func totals() {
        let payment = Fixtures.consultation()
        #expect(payment.totalPaid == Cents(3000))
        #expect(payment.totalBase == Cents(3000))
        #expect(payment.totalReimbursedGross == Cents(2100))
        #expect(payment.totalDeductions == Cents(-200))
        #expect(payment.totalReimbursed == Cents(1900))  // DOMAIN.md §4.4: GP Dec 2024, net 19,00
        #expect(payment.actCount == 1)
        #expect(payment.transmittedToComplementaire)
        #expect(payment.lines[0].remainingCost == Cents(900))
        #expect(payment.lines[1].remainingCost == Cents(200))
    }

    @Test("reimbursed must equal base × rate")
    func reimbursedMismatch() {
        #expect {
            try act(base: 2300, reimbursed: 1600)
        } throws: { error in
            (error as? DomainError)?.message.contains("16,10") == true
        }
    }

    @Test("negative bases and amounts are refused")
    func negatives() {
        #expect(throws: DomainError.self) { try act(base: -2300) }
        #expect(throws: DomainError.self) { try act(base: 2300, paid: -1) }
    }

    @Test("a deduction is a negative line without paid amount, base or rate")
    func deductions() throws {
        let care = Fixtures.date("2026-10-02")
        _ = try PaymentLine(
            careDate: care, beneficiaryRank: 1, kind: .franchise, actCode: "FR", label: "Franchise", professional: nil,
            quantity: 1,
            paid: .zero, base: .zero, rate: .zero, reimbursed: Cents(-100), transmittedToComplementaire: false)
        #expect(throws: DomainError.self) {
            try PaymentLine(
                careDate: care, beneficiaryRank: 1, kind: .franchise, actCode: "FR", label: "Franchise", professional: nil,
                quantity: 1, paid: .zero, base: .zero, rate: .zero, reimbursed: Cents(100), transmittedToComplementaire: false)
        }
        #expect(throws: DomainError.self) {
            try PaymentLine(
                careDate: care, beneficiaryRank: 1, kind: .flatParticipation, actCode: "PF", label: "PF", professional: nil,
                quantity: 1, paid: .zero, base: Cents(100), rate: .zero, reimbursed: Cents(-100),
                transmittedToComplementaire: false)
        }
    }

    @Test("a payment needs lines, a valid reference, and no care after its date")
    func paymentRules() throws {
        let nir = Fixtures.nir("1701275112034")
        let line = try act(base: 3000)
        let date = Fixtures.date("2026-10-06")
        #expect(throws: DomainError.self) {
            try Payment(reference: "R1", nir: nir, date: date, payee: .insured, kind: .care, lines: [])
        }
        #expect(throws: DomainError.self) {
            try Payment(reference: "R 1;DROP", nir: nir, date: date, payee: .insured, kind: .care, lines: [line])
        }
        #expect(throws: DomainError.self) {
            try Payment(
                reference: String(repeating: "A", count: 41), nir: nir, date: date, payee: .insured, kind: .care, lines: [line])
        }
        #expect(throws: DomainError.self) {
            try Payment(
                reference: "R1", nir: nir, date: Fixtures.date("2026-10-01"), payee: .insured, kind: .care, lines: [line])
        }
    }

    @Test("names are stored in NFC and bounded; control characters are refused")
    func text() throws {
        let decomposed = "Me\u{0301}nard"
        #expect(Array(try Text.clean(decomposed, field: "nom", maxLength: 80).utf8) == Array("Ménard".utf8))
        #expect(throws: DomainError.self) { try Text.clean(String(repeating: "é", count: 81), field: "nom", maxLength: 80) }
        #expect(throws: DomainError.self) { try Text.clean("Jean\nMartin", field: "nom", maxLength: 80) }
        #expect(throws: DomainError.self) { try Text.clean("   ", field: "nom", maxLength: 80) }
        #expect(try Text.clean("  Jean ", field: "nom", maxLength: 80) == "Jean")
    }

    @Test("an assuré's NIR must match their birth date; rank 1 is the assuré")
    func person() {
        #expect(throws: DomainError.self) { _ = try makePerson(birthDate: "1971-12-03") }
        #expect(throws: DomainError.self) { _ = try makePerson(firstRank: 2) }
    }

    private func makePerson(birthDate: String = "1970-12-03", firstRank: Int = 1) throws -> InsuredPerson {
        try InsuredPerson(
            nir: Fixtures.nir("1701275112034"), lastName: "Martin", firstNames: "Jean", birthDate: Fixtures.date(birthDate),
            address: PostalAddress(lines: ["1 rue A"], postalCode: "75012", city: "Paris"), regime: .general,
            caisse: Caisse(code: "751", name: "CPAM de Paris"), doctor: nil, longTermCondition: false,
            beneficiaries: [
                Beneficiary(rank: firstRank, firstName: "Jean", birthDate: Fixtures.date(birthDate), complementaire: nil)
            ])
    }

    @Test("other schemes are not eligible and are told whom to contact")
    func regimes() {
        #expect(Regime.general.isEligibleForAccount)
        #expect(!Regime.msa.isEligibleForAccount)
        #expect(Regime.msa.contactForOtherScheme != nil)
        #expect(Regime.allCases.allSatisfy { $0.isEligibleForAccount || $0.contactForOtherScheme != nil })
        #expect(throws: DomainError.self) { try Regime(code: "XYZ") }
    }
}
