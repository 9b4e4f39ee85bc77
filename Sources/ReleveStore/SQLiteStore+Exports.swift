import Foundation
import GRDB
import ReleveDomain

/// One payment line transmitted to a complementary insurer, with the payment it belongs to.
public struct ExportLine: Sendable, Equatable {
    public var paymentID: Payment.ID
    public var paymentReference: String
    public var paymentDate: CivilDate
    public var nir: String
    public var beneficiaryFirstName: String
    public var line: PaymentLine
    /// The monthly statement the payment appears in, once issued.
    public var statementReference: String? = nil

    public init(
        paymentID: Payment.ID, paymentReference: String, paymentDate: CivilDate, nir: String, beneficiaryFirstName: String,
        line: PaymentLine, statementReference: String? = nil
    ) {
        self.paymentID = paymentID
        self.paymentReference = paymentReference
        self.paymentDate = paymentDate
        self.nir = nir
        self.beneficiaryFirstName = beneficiaryFirstName
        self.line = line
        self.statementReference = statementReference
    }
}

extension SQLiteStore {
    public func linkedInsurers() async throws -> [LinkedInsurer] {
        try await read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT complementaire_code AS code, min(complementaire_name) AS name FROM beneficiary
                    WHERE noemie_active = 1 AND complementaire_code IS NOT NULL GROUP BY complementaire_code ORDER BY 1
                    """
            ).map { LinkedInsurer(code: $0["code"], name: $0["name"]) }
        }
    }

    /// The highest payment id in the store (nil when empty): an export run covers payments up to it.
    public func lastPaymentID() async throws -> Payment.ID? {
        // Payments of a pending import all have higher ids than every visible one (imports run
        // one at a time): they are covered by a later run, once visible.
        try await read { db in
            try Int64.fetchOne(db, sql: "SELECT max(id) FROM payment p WHERE \(Self.visible)").map(Payment.ID.init)
        }
    }

    /// The last payment id already covered for this insurer (nil before its first export).
    public func lastExportedPaymentID(insurer code: String) async throws -> Payment.ID? {
        try await read { db in
            try Int64.fetchOne(
                db,
                sql: """
                    SELECT max(last_payment_id) FROM (
                        SELECT last_payment_id FROM insurer_export WHERE complementaire_code = ?
                        UNION ALL SELECT last_payment_id FROM insurer_ack WHERE complementaire_code = ?)
                    """, arguments: [code, code]
            ).map(Payment.ID.init)
        }
    }

    public func insurerExports(date: CivilDate) async throws -> [InsurerExport] {
        try await read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM insurer_export WHERE date = ? ORDER BY complementaire_code", arguments: [date.description]
            ).map(Self.export)
        }
    }

    static func export(_ r: Row) throws -> InsurerExport {
        InsurerExport(
            code: r["complementaire_code"], date: try CivilDate(parsing: r["date"]), file: r["file"], sha256: r["sha256"],
            lines: r["lines"], firstPaymentID: Payment.ID(r["first_payment_id"]), lastPaymentID: Payment.ID(r["last_payment_id"]),
            createdAt: r["created_at"])
    }

    /// The lines transmitted to `code` in payments with ids in `after+1 ... through`, by the
    /// beneficiary's current link, at most `limit` payments (call again from the last id seen).
    public func exportLines(insurer code: String, after: Payment.ID?, through: Payment.ID, limit: Int) async throws -> (
        lines: [ExportLine], lastPaymentID: Payment.ID?
    ) {
        try await read { db in
            let ids = try Int64.fetchAll(
                db, sql: "SELECT id FROM payment WHERE id > ? AND id <= ? ORDER BY id LIMIT ?",
                arguments: [after?.rawValue ?? 0, through.rawValue, limit])
            guard let first = ids.first, let last = ids.last else { return ([], nil) }
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT p.id, p.reference, p.payment_date, pe.nir, l.beneficiary_rank, b.first_name, l.care_date, l.kind,
                           l.act_code, l.label, l.professional, l.quantity, l.paid, l.base, l.rate_bp, l.reimbursed,
                           s.reference AS statement_reference
                    FROM payment p
                    LEFT JOIN statement s ON s.id = p.statement_id
                    JOIN payment_line l ON l.payment_id = p.id
                    JOIN person pe ON pe.id = p.person_id
                    JOIN beneficiary b ON b.person_id = p.person_id AND b.rank = l.beneficiary_rank
                    WHERE p.id BETWEEN ? AND ? AND l.transmitted = 1
                      AND b.complementaire_code = ? AND b.noemie_active = 1
                      AND pe.regime IN \(Self.servedRegimes)
                    ORDER BY p.id, l.position
                    """, arguments: [first, last, code])
            let lines = try rows.map { r in
                ExportLine(
                    paymentID: Payment.ID(r["id"]), paymentReference: r["reference"],
                    paymentDate: try CivilDate(parsing: r["payment_date"]), nir: r["nir"], beneficiaryFirstName: r["first_name"],
                    line: try PaymentLine(
                        careDate: try CivilDate(parsing: r["care_date"]), beneficiaryRank: r["beneficiary_rank"],
                        kind: try StoreError.decode(r["kind"], column: "payment_line.kind"), actCode: r["act_code"],
                        label: r["label"], professional: r["professional"], quantity: r["quantity"], paid: Cents(r["paid"]),
                        base: Cents(r["base"]), rate: try Rate(basisPoints: r["rate_bp"]), reimbursed: Cents(r["reimbursed"]),
                        transmittedToComplementaire: true), statementReference: r["statement_reference"])
            }
            return (lines, Payment.ID(last))
        }
    }

    /// Records a finished export (its file is durable), which moves the insurer's watermark.
    public func recordInsurerExport(_ export: InsurerExport, audit: AuditEvent) async throws {
        try await write { db in
            try db.execute(
                sql: """
                    INSERT INTO insurer_export (complementaire_code, date, file, sha256, lines, first_payment_id, last_payment_id, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    export.code, export.date.description, export.file, export.sha256, export.lines, export.firstPaymentID,
                    export.lastPaymentID, export.createdAt,
                ])
            try Self.insert(audit, db)
        }
    }
}
