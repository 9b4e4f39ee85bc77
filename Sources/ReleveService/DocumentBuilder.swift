import Crypto
import Foundation
import ReleveDomain
import RelevePDF

/// The documents an assuré asks for, in the monthly statement's look (address block, tables,
/// totals, chart, fingerprinted footer): any period of payments, one payment's décompte, a
/// calendar year's summary. Pure: the same inputs give the same document, hence the same bytes.
/// The reference is derived from the content, so the same data asked for the same day is the
/// same document, archived once.
public enum DocumentBuilder {
    /// The sentence in every footer: where and how anyone can check the document.
    static func verificationSentence(reference: String, publicURL: String) -> String {
        "Vérifiez ce document sur \(publicURL)/verifier avec sa référence \(reference) et son empreinte."
    }

    /// Any period (≤ 27 months) as the payments view selected it: detailed (one section per
    /// payment, one row per act) or synthetic (one section per month, one row per payment).
    public static func period(
        _ report: PaymentsReport, detailed: Bool, filterNote: String?, issuedOn: CivilDate, publicURL: String,
        tariffs: TariffTable = .standard
    ) -> StatementDocument {
        let person = report.person
        let sections: [StatementDocument.Section]
        var columns = StatementDocument.statementColumns
        if detailed {
            sections = StatementBuilder.paymentSections(report.payments, person: person, lateBefore: nil)
        } else {
            columns = ["Payé le", "Bénéficiaires", "Destinataire du paiement", "Payé", "Base", "Actes", "Remboursé"]
            sections = report.monthTotals.reversed().map { total in
                let payments = report.payments.filter { $0.date.calendarMonth == total.month }
                    .sorted { ($0.date, $0.reference) < ($1.date, $1.reference) }
                return StatementDocument.Section(
                    header:
                        "\(French.sentence(total.month.formatted)) — \(French.count(total.payments, "paiement")) — \(total.reimbursed.formatted)",
                    mention: "",
                    rows: payments.map { payment in
                        StatementDocument.Row(
                            careDate: payment.date.formatted,
                            beneficiary: payment.beneficiaryRanks.map(report.beneficiaryName).joined(separator: ", "),
                            nature: payment.payee.sentence, paid: payment.totalPaid.formattedNumber,
                            base: payment.totalBase.formattedNumber, rate: String(payment.actCount),
                            reimbursed: payment.totalReimbursed.formattedNumber, isDeduction: false)
                    })
            }
        }
        let period = "du \(report.from.formatted) au \(report.to.formatted)"
        var document = StatementDocument(
            caisse: person.caisse.name, title: "Vos remboursements \(period)\(filterNote.map { " — \($0)" } ?? "")",
            addressBlock: StatementBuilder.addressBlock(person),
            identity: [
                [person.nir.sex.insuredLabel, person.fullName], ["N° de sécurité sociale", person.nir.formatted],
                ["Référence", ""], ["Émis le", issuedOn.formatted], ["Paiements", String(report.payments.count)],
            ], beneficiaries: StatementBuilder.beneficiariesLine(person), sections: sections,
            emptyNote: report.payments.isEmpty ? "Aucun paiement sur cette période." : nil,
            totals: StatementBuilder.totals(report.payments),
            explanation:
                "Relevé des paiements \(period), \(detailed ? "un acte par ligne" : "un paiement par ligne")\(report.filtered ? ", pour la sélection indiquée dans le titre (totaux partiels)" : ""). Le remboursement est égal à la base de remboursement multipliée par le taux. Le reste à charge est ce que votre complémentaire peut prendre en charge.",
            chartTitle: "Vos remboursements, mois par mois",
            chart: report.everyMonthTotal.map { total in
                StatementDocument.Bar(
                    label: French.shortMonth(total.month), valueText: total.reimbursed.formatted, cents: total.reimbursed.rawValue
                )
            }, reference: "", fingerprint: "", creationDate: "\(issuedOn)T00:00:00Z")
        document.columnTitles = columns
        return seal(document, kind: .period, person: person, issuedOn: issuedOn, publicURL: publicURL)
    }

    /// One payment's décompte: its acts and deductions, its totals.
    public static func payment(
        _ payment: Payment, person: InsuredPerson, issuedOn: CivilDate, publicURL: String
    ) -> StatementDocument {
        let document = StatementDocument(
            caisse: person.caisse.name, title: "Décompte du paiement du \(payment.date.formatted)",
            addressBlock: StatementBuilder.addressBlock(person),
            identity: [
                [person.nir.sex.insuredLabel, person.fullName], ["N° de sécurité sociale", person.nir.formatted],
                ["Référence", ""], ["Émis le", issuedOn.formatted], ["Paiement", payment.reference],
            ], beneficiaries: StatementBuilder.beneficiariesLine(person),
            sections: StatementBuilder.paymentSections([payment], person: person, lateBefore: nil), emptyNote: nil,
            totals: StatementBuilder.totals([payment]),
            explanation:
                "Décompte d'un paiement de votre caisse. Le remboursement est égal à la base de remboursement multipliée par le taux. Le reste à charge est ce que votre complémentaire peut prendre en charge.",
            chartTitle: "", chart: [], reference: "", fingerprint: "", creationDate: "\(issuedOn)T00:00:00Z")
        return seal(document, kind: .payment, person: person, issuedOn: issuedOn, publicURL: publicURL)
    }

    /// A calendar year's summary: totals per beneficiary, per nature of care and per month.
    /// `from`: the first day whose payments are still kept (a year partly out of the retention
    /// says so).
    public static func yearly(
        year: Int, payments: [Payment], from: CivilDate, person: InsuredPerson, issuedOn: CivilDate, publicURL: String,
        tariffs: TariffTable = .standard
    ) -> StatementDocument {
        struct Sum {
            var acts = 0
            var paid = Cents.zero
            var base = Cents.zero
            var reimbursed = Cents.zero

            mutating func add(_ line: PaymentLine) {
                acts += line.kind == .act ? line.quantity : 1
                paid = paid + line.paid
                base = base + line.base
                reimbursed = reimbursed + line.reimbursed
            }
        }
        var byBeneficiary: [Int: Sum] = [:]
        var byNature: [String: Sum] = [:]
        var byMonth: [Month: (payments: Int, reimbursed: Cents)] = [:]
        var deductions = Sum()
        for payment in payments {
            let month = payment.date.calendarMonth
            let total = byMonth[month] ?? (0, .zero)
            byMonth[month] = (total.payments + 1, total.reimbursed + payment.totalReimbursed)
            for line in payment.lines {
                guard line.kind == .act else {
                    deductions.add(line)
                    continue
                }
                byBeneficiary[line.beneficiaryRank, default: Sum()].add(line)
                byNature[French.sentence(tariffs.nature(ofCode: line.actCode)?.french ?? "autre"), default: Sum()].add(line)
            }
        }
        func row(_ first: String, _ second: String, _ sum: Sum, isDeduction: Bool = false) -> StatementDocument.Row {
            StatementDocument.Row(
                careDate: "", beneficiary: first, nature: second, paid: isDeduction ? "" : sum.paid.formattedNumber,
                base: isDeduction ? "" : sum.base.formattedNumber, rate: "", reimbursed: sum.reimbursed.formattedNumber,
                isDeduction: isDeduction)
        }
        var beneficiaryRows = byBeneficiary.keys.sorted().map { rank in
            row(
                person.beneficiary(rank: rank)?.firstName ?? "bénéficiaire \(rank)",
                French.count(byBeneficiary[rank]!.acts, "acte"), byBeneficiary[rank]!)
        }
        if deductions.acts > 0 {
            beneficiaryRows.append(
                row("", "Participations et franchises (\(French.count(deductions.acts, "ligne")))", deductions, isDeduction: true)
            )
        }
        let natureRows = byNature.keys.sorted().map { nature in
            row("", "\(nature) (\(French.count(byNature[nature]!.acts, "acte")))", byNature[nature]!)
        }
        let months = (1...12).compactMap { try? Month(year: year, month: $0) }
        let monthRows = months.filter { byMonth[$0] != nil }.map { month in
            StatementDocument.Row(
                careDate: "", beneficiary: French.sentence(month.formatted),
                nature: French.count(byMonth[month]!.payments, "paiement"), paid: "", base: "", rate: "",
                reimbursed: byMonth[month]!.reimbursed.formattedNumber, isDeduction: false)
        }
        let partial = from > (try? CivilDate(year: year, month: 1, day: 1)) ?? from
        var sections: [StatementDocument.Section] = []
        if !payments.isEmpty {
            sections = [
                .init(header: "Par bénéficiaire", mention: "", rows: beneficiaryRows),
                .init(header: "Par nature de soins", mention: "", rows: natureRows),
                .init(header: "Par mois de paiement", mention: "", rows: monthRows),
            ]
        }
        var document = StatementDocument(
            caisse: person.caisse.name, title: "Récapitulatif annuel de vos remboursements — \(year)",
            addressBlock: StatementBuilder.addressBlock(person),
            identity: [
                [person.nir.sex.insuredLabel, person.fullName], ["N° de sécurité sociale", person.nir.formatted],
                ["Référence", ""], ["Émis le", issuedOn.formatted], ["Paiements", String(payments.count)],
            ], beneficiaries: StatementBuilder.beneficiariesLine(person), sections: sections,
            emptyNote: payments.isEmpty ? "Aucun paiement en \(year)." : nil, totals: StatementBuilder.totals(payments),
            explanation:
                "Récapitulatif des paiements de \(year)\(partial ? ", depuis le \(from.formatted) (les paiements plus anciens ne sont plus consultables)" : ""). Les montants par bénéficiaire et par nature de soins sont ceux des actes ; les participations forfaitaires et franchises sont déduites à part.",
            chartTitle: "Vos remboursements \(year), mois par mois",
            chart: months.map { month in
                let cents = byMonth[month]?.reimbursed ?? .zero
                return StatementDocument.Bar(label: French.shortMonth(month), valueText: cents.formatted, cents: cents.rawValue)
            }, reference: "", fingerprint: "", creationDate: "\(issuedOn)T00:00:00Z")
        document.columnTitles = ["", "Bénéficiaire", "Détail", "Payé", "Base", "", "Remboursé"]
        return seal(document, kind: .yearly, person: person, issuedOn: issuedOn, publicURL: publicURL)
    }

    /// Sets the reference (from the content: kind, caisse, and the fingerprint of everything
    /// else), then the fingerprint of the whole, and the verification sentence.
    static func seal(
        _ document: StatementDocument, kind: IssuedDocument.Kind, person: InsuredPerson, issuedOn: CivilDate,
        publicURL: String
    ) -> StatementDocument {
        var document = document
        var hasher = SHA256()
        hasher.update(data: Array("\(kind.rawValue)|\(document.columnTitles.joined(separator: "|"))|".utf8))
        hasher.update(data: Array(StatementBuilder.fingerprint(of: document).utf8))
        let digest = French.hex(hasher.finalize()).uppercased()
        let code: String =
            switch kind {
            case .period: "P"
            case .payment: "D"
            case .yearly: "A"
            }
        document.reference = "DOC-\(person.caisse.code)-\(code)\(issuedOn.year)-\(digest.prefix(16))"
        document.identity = document.identity.map { $0.first == "Référence" ? ["Référence", document.reference] : $0 }
        document.fingerprint = StatementBuilder.fingerprint(of: document)
        document.verification = verificationSentence(reference: document.reference, publicURL: publicURL)
        return document
    }
}
