import GRDB
import ReleveDomain

extension SQLiteStore {
    /// The payments of one assuré whose payment date falls in `from...to`, newest first, with
    /// their lines. A range scan on `payment_by_person_date`, then the clustered lines.
    public func payments(of nir: NIR, from: CivilDate, to: CivilDate) async throws -> [StoredPayment] {
        try await read { db in try Self.payments(of: nir, from: from, to: to, db) }
    }

    static func payments(of nir: NIR, from: CivilDate, to: CivilDate, _ db: Database) throws -> [StoredPayment] {
        guard
            let personID = try Int64.fetchOne(
                db.cachedStatement(sql: "SELECT id FROM person WHERE nir = ?"), arguments: [nir.body])
        else { return [] }
        let rows = try Row.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT \(Self.paymentColumns)
                    FROM payment p JOIN payment_line l ON l.payment_id = p.id
                    WHERE p.person_id = ? AND p.payment_date BETWEEN ? AND ? AND \(Self.visible)
                    ORDER BY p.payment_date DESC, p.id DESC, l.position
                    """),
            arguments: [personID, from.description, to.description])
        return try Self.payments(from: rows, nir: nir)
    }

    /// Who the payment with this reference belongs to, if it exists.
    public func paymentOwner(reference: String) async throws -> InsuredPerson.ID? {
        try await read { db in
            try Int64.fetchOne(
                db, sql: "SELECT person_id FROM payment p WHERE reference = ? AND \(Self.visible)", arguments: [reference]
            )
            .map { InsuredPerson.ID($0) }
        }
    }

    /// Payments of an import still running (or interrupted) are seen by no reader: a file is
    /// all or nothing for readers too, though it commits in short chunks (`payment p` alias).
    static let visible = "p.import_id NOT IN (SELECT id FROM import_ledger WHERE state = 'pending')"

    /// Assurés created by an import still running are seen by no reader either (`person` rows,
    /// unaliased): `AND id NOT IN (…)`.
    static let settled = "AND id NOT IN (SELECT person_id FROM import_new_person)"

    /// The columns `payments(from:nir:)` reads, by position (decoding by name compared column
    /// names case-insensitively for every value: an eighth of a payments page's CPU).
    static let paymentColumns = """
        p.id AS pid, p.reference, p.payment_date, p.payee_kind, p.payee_name, p.kind,
        l.care_date, l.beneficiary_rank, l.kind AS line_kind, l.act_code, l.label, l.professional,
        l.quantity, l.paid, l.base, l.rate_bp, l.reimbursed, l.transmitted
        """

    static func payments(from rows: [Row], nir: NIR) throws -> [StoredPayment] {
        var result: [StoredPayment] = []
        var index = 0
        while index < rows.count {
            let first = rows[index]
            let id: Int64 = first[0]
            var lines: [PaymentLine] = []
            while index < rows.count, rows[index][0] == id {
                let r = rows[index]
                lines.append(
                    try PaymentLine(
                        careDate: CivilDate(parsing: r[6]), beneficiaryRank: r[7],
                        kind: try StoreError.decode(r[8], column: "payment_line.kind"), actCode: r[9], label: r[10],
                        professional: r[11], quantity: r[12], paid: Cents(r[13]),
                        base: Cents(r[14]), rate: Rate(basisPoints: r[15]), reimbursed: Cents(r[16]),
                        transmittedToComplementaire: r[17]))
                index += 1
            }
            let payeeKind: String = first[3]
            let payment = try Payment(
                reference: first[1], nir: nir, date: CivilDate(parsing: first[2]),
                payee: payeeKind == "assure" ? .insured : .professional(first[4]),
                kind: try StoreError.decode(first[5], column: "payment.kind"), lines: lines)
            result.append(StoredPayment(id: Payment.ID(id), payment: payment))
        }
        return result
    }
}
