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
        var reader = try BoundStatement(
            db,
            cached: """
                SELECT \(Self.paymentColumns)
                FROM payment p JOIN payment_line l ON l.payment_id = p.id
                WHERE p.person_id = ? AND p.payment_date BETWEEN ? AND ? AND \(Self.visible)
                ORDER BY p.payment_date DESC, p.id DESC, l.position
                """)
        reader.int(personID)
        reader.text(from.description)
        reader.text(to.description)
        return try Self.payments(reading: reader, nir: nir, db)
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

    /// The columns `payments(reading:nir:_:)` reads, by position (decoding by name compared column
    /// names case-insensitively for every value: an eighth of a payments page's CPU).
    static let paymentColumns = """
        p.id AS pid, p.reference, p.payment_date, p.payee_kind, p.payee_name, p.kind,
        l.care_date, l.beneficiary_rank, l.kind AS line_kind, l.act_code, l.label, l.professional,
        l.quantity, l.paid, l.base, l.rate_bp, l.reimbursed, l.transmitted
        """

    /// The payments of the rows `reader` steps through (`paymentColumns`, ordered by payment
    /// then line), read column by column.
    static func payments(reading reader: BoundStatement, nir: NIR, _ db: Database) throws -> [StoredPayment] {
        defer { reader.finish() }
        var result: [StoredPayment] = []
        var more = try reader.step(db)
        while more {
            let id = reader.int64(0)
            let reference = reader.text(1)
            let date = try CivilDate(parsing: reader.text(2))
            let payee: Payment.Payee = reader.text(3) == "assure" ? .insured : .professional(reader.text(4))
            let kind: Payment.Kind = try StoreError.decode(reader.text(5), column: "payment.kind")
            var lines: [PaymentLine] = []
            repeat {
                lines.append(
                    try PaymentLine(
                        careDate: CivilDate(parsing: reader.text(6)), beneficiaryRank: reader.int(7),
                        kind: try StoreError.decode(reader.text(8), column: "payment_line.kind"), actCode: reader.text(9),
                        label: reader.text(10), professional: reader.optionalText(11), quantity: reader.int(12),
                        paid: Cents(reader.int64(13)), base: Cents(reader.int64(14)),
                        rate: Rate(basisPoints: reader.int(15)), reimbursed: Cents(reader.int64(16)),
                        transmittedToComplementaire: reader.bool(17)))
                more = try reader.step(db)
            } while more && reader.int64(0) == id
            let payment = try Payment(reference: reference, nir: nir, date: date, payee: payee, kind: kind, lines: lines)
            result.append(StoredPayment(id: Payment.ID(id), payment: payment))
        }
        return result
    }
}
