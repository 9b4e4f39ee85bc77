import Crypto
import Foundation
import ReleveDomain
import RelevePDF

/// Turns an assuré's payments for a month into the document of their monthly statement.
/// Pure: the same inputs give the same document, hence the same PDF bytes.
public enum StatementBuilder {
    /// `history`: reimbursed totals of the 6 months ending with `month` (oldest first).
    public static func document(
        person: InsuredPerson, month: Month, payments: [Payment], history: [(Month, Cents)], reference: String,
        issuedOn: CivilDate,
        mark: String? = nil, tariffs: TariffTable = .standard
    ) -> StatementDocument {
        let sections = paymentSections(payments, person: person, lateBefore: month.adding(months: -2))
        var document = StatementDocument(
            caisse: person.caisse.name, title: "Relevé mensuel de vos remboursements — \(month.formatted)",
            addressBlock: addressBlock(person),
            identity: [
                [person.nir.sex.insuredLabel, person.fullName], ["N° de sécurité sociale", person.nir.formatted],
                ["Référence", reference],
                ["Émis le", issuedOn.formatted], ["Paiements", String(payments.count)],
            ], beneficiaries: beneficiariesLine(person), sections: sections,
            emptyNote: payments.isEmpty ? "Aucun paiement ce mois-ci." : nil, totals: totals(payments),
            explanation:
                "Le remboursement est égal à la base de remboursement multipliée par le taux. \(tariffs.deductionsNote(for: month)) Le reste à charge est ce que votre complémentaire peut prendre en charge. Conservez ce relevé deux ans.",
            chartTitle: "Vos remboursements des 6 derniers mois",
            chart: history.map { entry in
                StatementDocument.Bar(label: French.shortMonth(entry.0), valueText: entry.1.formatted, cents: entry.1.rawValue)
            }, reference: reference, fingerprint: "", creationDate: "\(issuedOn)T00:00:00Z", mark: mark)
        document.fingerprint = fingerprint(of: document)
        return document
    }

    /// One section per payment (oldest first), one row per act or deduction.
    static func paymentSections(_ payments: [Payment], person: InsuredPerson, lateBefore: Month?) -> [StatementDocument.Section] {
        let name = { (rank: Int) in person.beneficiary(rank: rank)?.firstName ?? "bénéficiaire \(rank)" }
        let sorted = payments.sorted { ($0.date, $0.reference) < ($1.date, $1.reference) }
        return sorted.map { payment -> StatementDocument.Section in
            let payee = payment.payee.sentence
            let late =
                lateBefore.map { limit in
                    payment.lines.contains { $0.kind == .act && $0.careDate.calendarMonth < limit }
                } ?? false
            let header =
                "Paiement du \(payment.date.formatted) — \(payee) — \(payment.totalReimbursed.formatted)\(late ? " (soins anciens, paiement tardif)" : "")"
            let mention =
                payment.transmittedToComplementaire
                ? "Transmis à votre organisme complémentaire" : "Non transmis : envoyez ce relevé à votre complémentaire"
            let rows = payment.lines.map { line -> StatementDocument.Row in
                if line.kind == .act {
                    return StatementDocument.Row(
                        careDate: line.careDate.formatted, beneficiary: name(line.beneficiaryRank),
                        nature: "\(line.label) (\(line.actCode))\(line.quantity > 1 ? " ×\(line.quantity)" : "")",
                        paid: line.paid.formattedNumber, base: line.base.formattedNumber, rate: line.rate.formatted,
                        reimbursed: line.reimbursed.formattedNumber, isDeduction: false)
                }
                return StatementDocument.Row(
                    careDate: line.careDate.formatted, beneficiary: name(line.beneficiaryRank), nature: line.label, paid: "",
                    base: "",
                    rate: "", reimbursed: line.reimbursed.formattedNumber, isDeduction: true)
            }
            return StatementDocument.Section(header: header, mention: mention, rows: rows)
        }
    }

    /// The totals box: paid, base, reimbursed for the acts, deductions, total, remaining cost.
    static func totals(_ payments: [Payment]) -> [[String]] {
        let paid = payments.reduce(Cents.zero) { $0 + $1.totalPaid }
        let base = payments.reduce(Cents.zero) { $0 + $1.totalBase }
        let gross = payments.reduce(Cents.zero) { $0 + $1.totalReimbursedGross }
        let deductions = payments.reduce(Cents.zero) { $0 + $1.totalDeductions }
        let remaining = payments.reduce(Cents.zero) { $0 + $1.remainingCost }
        return [
            ["Montant payé aux professionnels", paid.formatted], ["Base de remboursement", base.formatted],
            ["Remboursé pour les actes", gross.formatted], ["Participations et franchises", deductions.formatted],
            ["Total remboursé", (gross + deductions).formatted],
            ["Reste à charge (vous ou votre complémentaire)", remaining.formatted],
        ]
    }

    /// `Bénéficiaires : Jean (assuré), Léa`.
    static func beneficiariesLine(_ person: InsuredPerson) -> String {
        "Bénéficiaires : "
            + person.beneficiaries.map {
                $0.rank == 1 ? "\($0.firstName) (assuré\(person.sex == .female ? "e" : ""))" : $0.firstName
            }
            .joined(separator: ", ")
    }

    /// As the window envelope needs it (the print batch checks the same way); an address that
    /// cannot fit is left whole here and its letter is held back by the print batch.
    static func addressBlock(_ person: InsuredPerson) -> [String] {
        (try? WindowAddress.fit(Letters.addressBlock(person)).lines) ?? Letters.addressBlock(person).components(separatedBy: "\n")
    }

    /// SHA-256 of everything the statement says (all its strings, in order): what the footer
    /// prints, so that a printed statement can be checked against the archive.
    static func fingerprint(of document: StatementDocument) -> String {
        var hasher = SHA256()
        func add(_ text: String) {
            hasher.update(data: Array(text.utf8))
            hasher.update(data: [0x1F])
        }
        add(document.caisse)
        add(document.title)
        document.addressBlock.forEach(add)
        document.identity.flatMap { $0 }.forEach(add)
        add(document.beneficiaries)
        for section in document.sections {
            add(section.header)
            add(section.mention)
            for row in section.rows {
                [row.careDate, row.beneficiary, row.nature, row.paid, row.base, row.rate, row.reimbursed].forEach(add)
            }
        }
        document.totals.flatMap { $0 }.forEach(add)
        for bar in document.chart { add(bar.label + "=" + bar.valueText) }
        add(document.reference)
        return French.hex(hasher.finalize())
    }
}
