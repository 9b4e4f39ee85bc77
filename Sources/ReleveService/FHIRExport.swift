import Foundation
import ReleveDomain

/// The payments view as a FHIR R4 `Bundle` (searchset) of `ExplanationOfBenefit` resources,
/// one per payment and beneficiary, with the `Patient`, `Coverage` and `Organization`
/// resources they reference (docs/fhir.md gives the mapping, after CMS Blue Button 2.0).
/// Money is written from cents as decimal text ("30.00"), never through floating point.
public enum FHIRExport {
    /// The code system of French act codes (NGAP/CCAM letters, pharmacy classes, deductions)
    /// as the feed carries them: local to Releve, documented in docs/fhir.md.
    public static let actCodeSystem = "https://releve.invalid/fhir/CodeSystem/acte"
    /// INS-NIR, the OID of the French national health identifier.
    public static let nirSystem = "urn:oid:1.2.250.1.213.1.4.8"

    typealias Value = JSONValue

    /// `3050` → `30.50`; `-200` → `-2.00`.
    static func decimal(_ cents: Cents) -> Value {
        let value = cents.rawValue
        let magnitude = value.magnitude
        let units = magnitude / 100
        let rest = magnitude % 100
        return .number("\(value < 0 ? "-" : "")\(units).\(rest < 10 ? "0" : "")\(rest)")
    }

    static func money(_ cents: Cents) -> Value {
        .object([("value", decimal(cents)), ("currency", .string("EUR"))])
    }

    static func coding(_ system: String, _ code: String, _ display: String? = nil) -> Value {
        var members: [(String, Value)] = [("system", .string(system)), ("code", .string(code))]
        if let display { members.append(("display", .string(display))) }
        return .object([("coding", .array([.object(members)]))])
    }

    static func reference(_ type: String, _ id: String) -> Value {
        .object([("reference", .string("\(type)/\(id)"))])
    }

    static func adjudication(_ category: String, _ cents: Cents) -> Value {
        .object([
            ("category", coding("http://terminology.hl7.org/CodeSystem/adjudication", category)),
            ("amount", money(cents)),
        ])
    }

    /// A FHIR id: letters, digits, `-` and `.`, at most 64 characters.
    static func id(_ text: String) -> String {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.")
        return String(text.map { allowed.contains($0) ? $0 : "-" }.prefix(64))
    }

    /// The bundle of `report` (its payments, as selected), as JSON text.
    public static func bundle(_ report: PaymentsReport, baseURL: String) -> String {
        let person = report.person
        let caisse = "caisse-\(id(person.caisse.code))"
        var entries: [Value] = []
        func entry(_ type: String, _ id: String, _ resource: [(String, Value)], match: Bool) {
            entries.append(
                .object([
                    ("fullUrl", .string("\(baseURL)/fhir/\(type)/\(id)")),
                    ("resource", .object([("resourceType", .string(type)), ("id", .string(id))] + resource)),
                    ("search", .object([("mode", .string(match ? "match" : "include"))])),
                ]))
        }
        var eobs = 0
        for payment in report.payments {
            for rank in payment.beneficiaryRanks {
                let lines = payment.lines.filter { $0.beneficiaryRank == rank }
                guard !lines.isEmpty else { continue }
                eobs += 1
                let pharmacy = lines.contains { $0.actCode.hasPrefix("PH") }
                let professional =
                    lines.compactMap(\.professional).first
                    ?? { if case .professional(let name) = payment.payee { name } else { nil } }()
                    ?? "Professionnel de santé (non précisé dans le flux)"
                var items: [Value] = []
                for (index, line) in lines.enumerated() {
                    var item: [(String, Value)] = [
                        ("sequence", .number(String(index + 1))),
                        ("productOrService", coding(actCodeSystem, line.actCode, line.label)),
                        ("servicedDate", .string(line.careDate.description)),
                    ]
                    if line.kind == .act {
                        item.append(("quantity", .object([("value", .number(String(line.quantity)))])))
                        if line.quantity > 0, line.paid.rawValue % Int64(line.quantity) == 0 {
                            item.append(("unitPrice", money(Cents(line.paid.rawValue / Int64(line.quantity)))))
                        }
                        item.append(("net", money(line.paid)))
                        let bp = line.rate.basisPoints
                        let percent = bp % 100 == 0 ? "\(bp / 100)" : "\(bp / 100).\(bp % 100 < 10 ? "0" : "")\(bp % 100)"
                        item.append(
                            (
                                "adjudication",
                                .array([
                                    adjudication("submitted", line.paid), adjudication("eligible", line.base),
                                    .object([
                                        ("category", coding("http://terminology.hl7.org/CodeSystem/adjudication", "eligpercent")),
                                        ("value", .number(percent)),
                                    ]),
                                    adjudication("benefit", line.reimbursed),
                                ])
                            ))
                    } else {
                        // A participation forfaitaire or franchise: what was deducted, as a
                        // deductible (positive) and a negative benefit.
                        item.append(
                            (
                                "adjudication",
                                .array([
                                    adjudication("deductible", Cents(-line.reimbursed.rawValue)),
                                    adjudication("benefit", line.reimbursed),
                                ])
                            ))
                    }
                    items.append(.object(item))
                }
                let paid = lines.reduce(Cents.zero) { $0 + $1.paid }
                let reimbursed = lines.reduce(Cents.zero) { $0 + $1.reimbursed }
                let payeeProvider: Bool = { if case .professional = payment.payee { true } else { false } }()
                entry(
                    "ExplanationOfBenefit", id("paiement-\(payment.reference)-\(rank)"),
                    [
                        ("status", .string("active")),
                        (
                            "type",
                            coding(
                                "http://terminology.hl7.org/CodeSystem/claim-type", pharmacy ? "pharmacy" : "professional")
                        ),
                        ("use", .string("claim")), ("patient", reference("Patient", "beneficiaire-\(rank)")),
                        ("created", .string(payment.date.description)), ("insurer", reference("Organization", caisse)),
                        ("provider", .object([("display", .string(professional))])),
                        (
                            "payee",
                            .object([
                                (
                                    "type",
                                    coding(
                                        "http://terminology.hl7.org/CodeSystem/payeetype",
                                        payeeProvider ? "provider" : "subscriber")
                                )
                            ])
                        ),
                        ("outcome", .string("complete")),
                        (
                            "insurance",
                            .array([
                                .object([("focal", .bool(true)), ("coverage", reference("Coverage", "couverture-\(rank)"))])
                            ])
                        ),
                        ("item", .array(items)),
                        ("total", .array([adjudication("submitted", paid), adjudication("benefit", reimbursed)])),
                        (
                            "payment",
                            .object([
                                ("type", coding("http://terminology.hl7.org/CodeSystem/ex-paymenttype", "complete")),
                                ("date", .string(payment.date.description)), ("amount", money(reimbursed)),
                            ])
                        ),
                    ], match: true)
            }
        }
        entry(
            "Organization", caisse,
            [("active", .bool(true)), ("name", .string(person.caisse.name))], match: false)
        for beneficiary in person.beneficiaries {
            var patient: [(String, Value)] = []
            if beneficiary.rank == 1 {
                let identifier: Value = .object([("system", .string(nirSystem)), ("value", .string(person.nir.withKey))])
                patient.append(("identifier", .array([identifier])))
            }
            var name: [(String, Value)] = [("given", .array([.string(beneficiary.firstName)]))]
            if beneficiary.rank == 1 { name.insert(("family", .string(person.lastName)), at: 0) }
            patient.append(("name", .array([.object(name)])))
            if beneficiary.rank == 1 {
                patient.append(("gender", .string(person.nir.sex == .male ? "male" : "female")))
            }
            patient.append(("birthDate", .string(beneficiary.birthDate.description)))
            entry("Patient", "beneficiaire-\(beneficiary.rank)", patient, match: false)
            entry(
                "Coverage", "couverture-\(beneficiary.rank)",
                [
                    ("status", .string("active")),
                    ("type", coding("http://terminology.hl7.org/CodeSystem/v3-ActCode", "PUBLICPOL", "public healthcare")),
                    ("subscriber", reference("Patient", "beneficiaire-1")),
                    ("beneficiary", reference("Patient", "beneficiaire-\(beneficiary.rank)")),
                    (
                        "relationship",
                        coding(
                            "http://terminology.hl7.org/CodeSystem/subscriber-relationship",
                            beneficiary.rank == 1 ? "self" : "other")
                    ),
                    ("payor", .array([reference("Organization", caisse)])),
                ], match: false)
        }
        var out = ""
        Value.object([
            ("resourceType", .string("Bundle")), ("type", .string("searchset")), ("total", .number(String(eobs))),
            ("entry", .array(entries)),
        ]).write(into: &out)
        return out + "\n"
    }
}
