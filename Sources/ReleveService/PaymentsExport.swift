import Foundation
import ReleveDomain

/// The machine-readable forms of a payments report (docs/payments-export.md): JSON with amounts
/// in integer cents, and RFC 4180 CSV with amounts in euros (`16.10`) and formula injection
/// neutralised in text columns only (SECURITY.md §5).
public enum PaymentsExport {
    // MARK: JSON

    /// The report as JSON (docs/payments-export.md): keys in snake_case, sorted, two-space
    /// indent; an absent optional is left out. Written as it goes (`PrettyJSONWriter`), in the
    /// form `JSONEncoder` gave, byte for byte: PaymentsServiceTests compares the two.
    public static func json(_ report: PaymentsReport, detailed: Bool) -> String {
        var out = PrettyJSONWriter(capacity: 1024 + report.payments.count * (detailed ? 1600 : 500))
        out.openObject()
        out.key("assure")
        out.openObject()
        out.member("nir", report.person.nir.formatted)
        out.member("nom", report.person.fullName)
        out.closeObject()
        out.member("filtre_actif", report.filtered)
        out.key("mois")
        out.openArray()
        for month in report.monthTotals {
            out.openObject(element: true)
            out.member("mois", month.month.description)
            out.member("paiements", month.payments)
            out.member("rembourse", month.reimbursed.rawValue)
            out.closeObject()
        }
        out.closeArray()
        out.key("paiements")
        out.openArray()
        for p in report.payments {
            out.openObject(element: true)
            out.member("base", p.totalBase.rawValue)
            out.key("beneficiaires")
            out.openArray()
            for rank in p.beneficiaryRanks { out.string(report.beneficiaryName(rank), element: true) }
            out.closeArray()
            out.member("date", p.date.description)
            out.member("deductions", p.totalDeductions.rawValue)
            switch p.payee {
            case .insured: out.member("destinataire", "assure")
            case .professional(let name):
                out.member("destinataire", "professionnel")
                out.member("destinataire_nom", name)
            }
            if detailed {
                out.key("lignes")
                out.openArray()
                for l in p.lines {
                    out.openObject(element: true)
                    out.member("base", l.base.rawValue)
                    out.member("beneficiaire", report.beneficiaryName(l.beneficiaryRank))
                    out.member("code", l.actCode)
                    out.member("date_soins", l.careDate.description)
                    out.member("libelle", l.label)
                    out.member("montant_paye", l.paid.rawValue)
                    out.member("nature", PaymentsReport.natureLabel(of: l))
                    if let professional = l.professional { out.member("professionnel", professional) }
                    out.member("quantite", l.quantity)
                    out.member("rang_beneficiaire", l.beneficiaryRank)
                    out.member("rembourse", l.reimbursed.rawValue)
                    out.member("reste_a_charge", l.remainingCost.rawValue)
                    out.member("taux_pb", l.rate.basisPoints)
                    out.member("transmis_complementaire", l.transmittedToComplementaire)
                    out.member("type", l.kind.rawValue)
                    out.closeObject()
                }
                out.closeArray()
            }
            out.member("montant_paye", p.totalPaid.rawValue)
            out.member("nombre_actes", p.actCount)
            out.member("reference", p.reference)
            out.member("rembourse", p.totalReimbursed.rawValue)
            out.member("rembourse_actes", p.totalReimbursedGross.rawValue)
            out.member("reste_a_charge", p.remainingCost.rawValue)
            out.member("transmis_complementaire", p.transmittedToComplementaire)
            out.closeObject()
        }
        out.closeArray()
        out.key("periode")
        out.openObject()
        out.member("au", report.to.description)
        out.member("du", report.from.description)
        out.closeObject()
        out.key("totaux")
        out.openObject()
        out.member("base", report.totalBase.rawValue)
        out.member("deductions", report.totalDeductions.rawValue)
        out.member("montant_paye", report.totalPaid.rawValue)
        out.member("rembourse", report.totalReimbursed.rawValue)
        out.member("reste_a_charge", report.totalRemaining.rawValue)
        out.closeObject()
        out.member("version", 1)
        out.member("vue", detailed ? "detaillee" : "synthetique")
        out.closeObject()
        return out.text + "\n"
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
