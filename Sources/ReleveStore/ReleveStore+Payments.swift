import GRDB
import ReleveDomain

extension ReleveStore {
    /// The payments of one assuré whose payment date falls in `from...to`, newest first, with
    /// their lines. A range scan on `payment_by_person_date`, then the clustered lines.
    public func payments(of nir: NIR, from: CivilDate, to: CivilDate) async throws -> [StoredPayment] {
        try await read { db in
            guard
                let personID = try Int64.fetchOne(
                    db.cachedStatement(sql: "SELECT id FROM person WHERE nir = ?"), arguments: [nir.body])
            else { return [] }
            let rows = try Row.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT p.id AS pid, p.reference, p.payment_date, p.payee_kind, p.payee_name, p.kind,
                               l.care_date, l.beneficiary_rank, l.kind AS line_kind, l.act_code, l.label, l.professional,
                               l.quantity, l.paid, l.base, l.rate_bp, l.reimbursed, l.transmitted
                        FROM payment p JOIN payment_line l ON l.payment_id = p.id
                        WHERE p.person_id = ? AND p.payment_date BETWEEN ? AND ?
                        ORDER BY p.payment_date DESC, p.id DESC, l.position
                        """),
                arguments: [personID, from.description, to.description])
            return try Self.payments(from: rows, nir: nir)
        }
    }

    static func payments(from rows: [Row], nir: NIR) throws -> [StoredPayment] {
        var result: [StoredPayment] = []
        var index = 0
        while index < rows.count {
            let first = rows[index]
            let id: Int64 = first["pid"]
            var lines: [PaymentLine] = []
            while index < rows.count, rows[index]["pid"] == id {
                let r = rows[index]
                lines.append(
                    try PaymentLine(
                        careDate: CivilDate(parsing: r["care_date"]), beneficiaryRank: r["beneficiary_rank"],
                        kind: PaymentLine.Kind(rawValue: r["line_kind"]) ?? .act, actCode: r["act_code"], label: r["label"],
                        professional: r["professional"], quantity: r["quantity"], paid: Cents(r["paid"]),
                        base: Cents(r["base"]), rate: Rate(basisPoints: r["rate_bp"]), reimbursed: Cents(r["reimbursed"]),
                        transmittedToComplementaire: r["transmitted"]))
                index += 1
            }
            let payeeKind: String = first["payee_kind"]
            let payment = try Payment(
                reference: first["reference"], nir: nir, date: CivilDate(parsing: first["payment_date"]),
                payee: payeeKind == "assure" ? .insured : .professional(first["payee_name"]),
                kind: Payment.Kind(rawValue: first["kind"]) ?? .care, lines: lines)
            result.append(StoredPayment(id: Payment.ID(id), payment: payment))
        }
        return result
    }
}

/// A payment as stored, with its database identity.
public struct StoredPayment: Sendable, Hashable {
    public let id: Payment.ID
    public let payment: Payment
}
