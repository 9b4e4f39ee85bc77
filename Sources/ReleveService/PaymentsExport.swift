import Foundation
import ReleveDomain

/// The machine-readable forms of a payments report (docs/payments-export.md): JSON with amounts
/// in integer cents, and RFC 4180 CSV with amounts in euros (`16.10`) and formula injection
/// neutralised in text columns only (SECURITY.md §5).
public enum PaymentsExport {
    // MARK: JSON

    struct JSONReport: Encodable {
        struct Assure: Encodable {
            let nir: String
            let nom: String
        }
        struct Periode: Encodable {
            let du: String
            let au: String
        }
        struct Line: Encodable {
            let dateSoins: String
            let rangBeneficiaire: Int
            let beneficiaire: String
            let type: String
            let nature: String
            let code: String
            let libelle: String
            let professionnel: String?
            let quantite: Int
            let montantPaye: Int64
            let base: Int64
            let tauxPb: Int
            let rembourse: Int64
            let resteACharge: Int64
            let transmisComplementaire: Bool
        }
        struct PaymentEntry: Encodable {
            let reference: String
            let date: String
            let destinataire: String
            let destinataireNom: String?
            let beneficiaires: [String]
            let nombreActes: Int
            let montantPaye: Int64
            let base: Int64
            let rembourseActes: Int64
            let deductions: Int64
            let rembourse: Int64
            let resteACharge: Int64
            let transmisComplementaire: Bool
            let lignes: [Line]?
        }
        struct MonthEntry: Encodable {
            let mois: String
            let paiements: Int
            let rembourse: Int64
        }
        struct Totals: Encodable {
            let montantPaye: Int64
            let base: Int64
            let rembourse: Int64
            let deductions: Int64
            let resteACharge: Int64
        }
        let version: Int
        let vue: String
        let assure: Assure
        let periode: Periode
        let filtreActif: Bool
        let paiements: [PaymentEntry]
        let mois: [MonthEntry]
        let totaux: Totals
    }

    public static func json(_ report: PaymentsReport, detailed: Bool) throws -> String {
        let payments = report.payments.map { p in
            JSONReport.PaymentEntry(
                reference: p.reference, date: p.date.description,
                destinataire: { if case .insured = p.payee { "assure" } else { "professionnel" } }(),
                destinataireNom: { if case .professional(let name) = p.payee { name } else { nil } }(),
                beneficiaires: p.beneficiaryRanks.map(report.beneficiaryName), nombreActes: p.actCount,
                montantPaye: p.totalPaid.rawValue, base: p.totalBase.rawValue, rembourseActes: p.totalReimbursedGross.rawValue,
                deductions: p.totalDeductions.rawValue, rembourse: p.totalReimbursed.rawValue,
                resteACharge: p.remainingCost.rawValue,
                transmisComplementaire: p.transmittedToComplementaire,
                lignes: detailed
                    ? p.lines.map { l in
                        JSONReport.Line(
                            dateSoins: l.careDate.description, rangBeneficiaire: l.beneficiaryRank,
                            beneficiaire: report.beneficiaryName(l.beneficiaryRank), type: l.kind.rawValue,
                            nature: PaymentsReport.natureLabel(of: l), code: l.actCode, libelle: l.label,
                            professionnel: l.professional,
                            quantite: l.quantity, montantPaye: l.paid.rawValue, base: l.base.rawValue,
                            tauxPb: l.rate.basisPoints,
                            rembourse: l.reimbursed.rawValue, resteACharge: l.remainingCost.rawValue,
                            transmisComplementaire: l.transmittedToComplementaire)
                    } : nil)
        }
        let document = JSONReport(
            version: 1, vue: detailed ? "detaillee" : "synthetique",
            assure: .init(nir: report.person.nir.formatted, nom: report.person.fullName),
            periode: .init(du: report.from.description, au: report.to.description), filtreActif: report.filtered,
            paiements: payments,
            mois: report.monthTotals.map {
                .init(mois: $0.month.description, paiements: $0.payments, rembourse: $0.reimbursed.rawValue)
            },
            totaux: .init(
                montantPaye: report.totalPaid.rawValue, base: report.totalBase.rawValue,
                rembourse: report.totalReimbursed.rawValue,
                deductions: report.totalDeductions.rawValue, resteACharge: report.totalRemaining.rawValue))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return String(decoding: try encoder.encode(document), as: UTF8.self) + "\n"
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
