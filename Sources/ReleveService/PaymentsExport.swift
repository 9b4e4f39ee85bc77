import Foundation
import ReleveDomain

/// The machine-readable forms of a payments report (docs/payments-export.md): JSON with amounts
/// in integer cents, and RFC 4180 CSV with amounts in euros (`16.10`) and formula injection
/// neutralised in text columns only (SECURITY.md §5).
public enum PaymentsExport {
    // MARK: JSON

    /// The report as JSON (docs/payments-export.md): keys in snake_case, sorted, two-space
    /// indent; an absent optional is left out. Written through `JSONValue` (the form
    /// `JSONEncoder` gave, kept byte for byte: PaymentsExportTests compares the two).
    public static func json(_ report: PaymentsReport, detailed: Bool) -> String {
        func int<Integer: BinaryInteger>(_ value: Integer) -> JSONValue { .integer(value) }
        let payments = report.payments.map { p -> JSONValue in
            // Members in key order (see JSONValue.writePretty).
            var members: [(String, JSONValue)] = [
                ("base", int(p.totalBase.rawValue)),
                ("beneficiaires", .array(p.beneficiaryRanks.map { .string(report.beneficiaryName($0)) })),
                ("date", .string(p.date.description)), ("deductions", int(p.totalDeductions.rawValue)),
                ("destinataire", .string({ if case .insured = p.payee { "assure" } else { "professionnel" } }())),
            ]
            if case .professional(let name) = p.payee { members.append(("destinataire_nom", .string(name))) }
            if detailed {
                members.append(
                    (
                        "lignes",
                        .array(
                            p.lines.map { l in
                                var line: [(String, JSONValue)] = [
                                    ("base", int(l.base.rawValue)),
                                    ("beneficiaire", .string(report.beneficiaryName(l.beneficiaryRank))),
                                    ("code", .string(l.actCode)), ("date_soins", .string(l.careDate.description)),
                                    ("libelle", .string(l.label)), ("montant_paye", int(l.paid.rawValue)),
                                    ("nature", .string(PaymentsReport.natureLabel(of: l))),
                                ]
                                if let professional = l.professional { line.append(("professionnel", .string(professional))) }
                                line += [
                                    ("quantite", int(l.quantity)), ("rang_beneficiaire", int(l.beneficiaryRank)),
                                    ("rembourse", int(l.reimbursed.rawValue)), ("reste_a_charge", int(l.remainingCost.rawValue)),
                                    ("taux_pb", int(l.rate.basisPoints)),
                                    ("transmis_complementaire", .bool(l.transmittedToComplementaire)),
                                    ("type", .string(l.kind.rawValue)),
                                ]
                                return .object(line)
                            })
                    ))
            }
            members += [
                ("montant_paye", int(p.totalPaid.rawValue)), ("nombre_actes", int(p.actCount)),
                ("reference", .string(p.reference)), ("rembourse", int(p.totalReimbursed.rawValue)),
                ("rembourse_actes", int(p.totalReimbursedGross.rawValue)), ("reste_a_charge", int(p.remainingCost.rawValue)),
                ("transmis_complementaire", .bool(p.transmittedToComplementaire)),
            ]
            return .object(members)
        }
        let document = JSONValue.object([
            ("assure", .object([("nir", .string(report.person.nir.formatted)), ("nom", .string(report.person.fullName))])),
            ("filtre_actif", .bool(report.filtered)),
            (
                "mois",
                .array(
                    report.monthTotals.map {
                        .object([
                            ("mois", .string($0.month.description)), ("paiements", int($0.payments)),
                            ("rembourse", int($0.reimbursed.rawValue)),
                        ])
                    })
            ),
            ("paiements", .array(payments)),
            ("periode", .object([("au", .string(report.to.description)), ("du", .string(report.from.description))])),
            (
                "totaux",
                .object([
                    ("base", int(report.totalBase.rawValue)), ("deductions", int(report.totalDeductions.rawValue)),
                    ("montant_paye", int(report.totalPaid.rawValue)), ("rembourse", int(report.totalReimbursed.rawValue)),
                    ("reste_a_charge", int(report.totalRemaining.rawValue)),
                ])
            ),
            ("version", int(1)), ("vue", .string(detailed ? "detaillee" : "synthetique")),
        ])
        var out = ""
        out.reserveCapacity(4096)
        document.writePretty(into: &out)
        return out + "\n"
    }

    // MARK: CSV

    public static let syntheticHeader = [
        "date_paiement", "reference", "beneficiaires", "destinataire", "nombre_actes", "montant_paye", "rembourse",
        "reste_a_charge", "transmis_complementaire",
    ]
    public static let detailedHeader = [
        "date_paiement", "reference", "date_soins", "beneficiaire", "type", "nature", "code", "libelle", "professionnel",
        "quantite",
        "montant_paye", "base", "taux", "rembourse", "reste_a_charge", "transmis_complementaire",
    ]

    public static func csv(_ report: PaymentsReport, detailed: Bool) -> String {
        var rows = [(detailed ? detailedHeader : syntheticHeader).joined(separator: ",")]
        for p in report.payments {
            let payee: String
            switch p.payee {
            case .insured: payee = "vous"
            case .professional(let name): payee = name
            }
            if detailed {
                for l in p.lines {
                    rows.append(
                        [
                            p.date.description, text(p.reference), l.careDate.description,
                            text(report.beneficiaryName(l.beneficiaryRank)),
                            l.kind.rawValue, text(PaymentsReport.natureLabel(of: l)), text(l.actCode), text(l.label),
                            text(l.professional ?? ""), String(l.quantity), euros(l.paid), euros(l.base), rate(l.rate),
                            euros(l.reimbursed),
                            euros(l.remainingCost), l.transmittedToComplementaire ? "oui" : "non",
                        ].joined(separator: ","))
                }
            } else {
                rows.append(
                    [
                        p.date.description, text(p.reference),
                        text(p.beneficiaryRanks.map(report.beneficiaryName).joined(separator: " ")),
                        text(payee), String(p.actCount), euros(p.totalPaid), euros(p.totalReimbursed),
                        euros(p.remainingCost), p.transmittedToComplementaire ? "oui" : "non",
                    ].joined(separator: ","))
            }
        }
        return rows.joined(separator: "\r\n") + "\r\n"
    }

    /// `16.10`, `-2.00`: numeric for any CSV reader, never escaped.
    static func euros(_ amount: Cents) -> String {
        let magnitude = amount.rawValue.magnitude
        let cents = magnitude % 100
        return (amount.rawValue < 0 ? "-" : "") + "\(magnitude / 100).\(cents < 10 ? "0" : "")\(cents)"
    }

    static func rate(_ rate: Rate) -> String {
        let whole = rate.basisPoints / 10_000
        let fraction = rate.basisPoints % 10_000
        return "\(whole).\(String(repeating: "0", count: 4 - String(fraction).count))\(fraction)"
    }

    /// A text cell: a leading `=`, `+`, `-`, `@`, tab, CR or NUL (a spreadsheet formula) gets a
    /// `'` in front; then RFC 4180 quoting when needed.
    public static func text(_ value: String) -> String { CSVField.spreadsheetSafe(value) }
}
