import Foundation
import ReleveDomain
import ReleveTestSupport
import Testing

@testable import ReleveService

/// The FHIR bundle's own guarantees (the validator of Tests/fhir checks the rest in make test):
/// exact decimals from cents, valid JSON whatever the labels hold, one EOB per payment and
/// beneficiary, references to resources of the bundle.
@Suite("FHIR export")
struct FHIRExportTests {
    @Test(
        "decimals from cents, never floating point",
        arguments: [(0, "0.00"), (5, "0.05"), (-200, "-2.00"), (123_456_789, "1234567.89")])
    func decimals(cents: Int64, text: String) {
        var out = ""
        FHIRExport.decimal(Cents(cents)).write(into: &out)
        #expect(out == text)
    }

    @Test("a bundle of two beneficiaries' lines: valid JSON, two EOBs for one payment, references inside")
    func bundle() throws {
        let person = Fixtures.person()
        var payment = Fixtures.consultation(reference: "751-F-1")
        let lea = try PaymentLine(
            careDate: Fixtures.date("2026-10-03"), beneficiaryRank: 2, kind: .act, actCode: "PH7",
            label: "Pharmacie \"vignette\" \\ blanche", professional: nil, quantity: 3, paid: Cents(1000), base: Cents(1000),
            rate: try Rate(basisPoints: 6500), reimbursed: Cents(650), transmittedToComplementaire: true)
        payment = try Payment(
            reference: payment.reference, nir: payment.nir, date: payment.date, payee: .professional("Pharmacie du Centre"),
            kind: payment.kind, lines: payment.lines + [lea])
        let report = PaymentsReport(
            person: person, from: Fixtures.date("2026-10-01"), to: Fixtures.date("2026-10-31"), payments: [payment],
            filtered: false)
        let text = FHIRExport.bundle(report, baseURL: "https://releve.test")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let entries = try #require(json["entry"] as? [[String: Any]])
        let resources = entries.compactMap { $0["resource"] as? [String: Any] }
        let eobs = resources.filter { $0["resourceType"] as? String == "ExplanationOfBenefit" }
        #expect(json["total"] as? Int == 2 && eobs.count == 2)
        #expect(eobs.map { $0["id"] as? String } == ["paiement-751-F-1-1", "paiement-751-F-1-2"])
        let ids = Set(resources.map { "\($0["resourceType"]!)/\($0["id"]!)" })
        #expect(
            ids.isSuperset(of: [
                "Patient/beneficiaire-1", "Patient/beneficiaire-2", "Coverage/couverture-2", "Organization/caisse-751",
            ]))
        #expect(text.contains("\"value\":6.50") && text.contains("\"value\":65") && !text.contains("unitPrice\":{\"value\":3.33"))
        #expect(text.contains("Pharmacie \\\"vignette\\\" \\\\ blanche"))
    }
}
