import Foundation
import GRDB
import ReleveDomain

extension SQLiteStore {
    public func recordDocument(_ document: IssuedDocument, at: Int64) async throws -> IssuedDocument {
        try await write { db in
            try db.execute(
                sql: """
                    INSERT INTO document (person_id, kind, reference, period_from, period_to, issued_on, file, sha256,
                                          fingerprint, size, pages, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (reference) DO NOTHING
                    """,
                arguments: [
                    document.personID.rawValue, document.kind.rawValue, document.reference, document.from.description,
                    document.to.description, document.issuedOn.description, document.file, document.sha256,
                    document.fingerprint, document.size, document.pages, at,
                ])
            let row = try Row.fetchOne(db, sql: "SELECT * FROM document WHERE reference = ?", arguments: [document.reference])
            return try Self.document(row!)
        }
    }

    public func documents(of personID: InsuredPerson.ID) async throws -> [IssuedDocument] {
        try await read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM document WHERE person_id = ? ORDER BY issued_on DESC, id DESC",
                arguments: [personID.rawValue]
            ).map(Self.document)
        }
    }

    public func documentFiles(after reference: String?, limit: Int) async throws -> [IssuedDocument] {
        try await read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM document WHERE reference > ? ORDER BY reference LIMIT ?",
                arguments: [reference ?? "", limit]
            ).map(Self.document)
        }
    }

    static func document(_ r: Row) throws -> IssuedDocument {
        IssuedDocument(
            kind: try StoreError.decode(r["kind"], column: "document.kind"), personID: InsuredPerson.ID(r["person_id"]),
            reference: r["reference"], from: try CivilDate(parsing: r["period_from"]),
            to: try CivilDate(parsing: r["period_to"]), issuedOn: try CivilDate(parsing: r["issued_on"]), file: r["file"],
            sha256: r["sha256"], fingerprint: r["fingerprint"], size: r["size"], pages: r["pages"])
    }

    /// Statements and documents as one list of what may be checked (no name, no amount).
    static let verifiable = """
        SELECT 'releve' AS kind, s.reference, s.sha256, s.fingerprint, s.issued_on, s.month || '-01' AS period_from,
               s.month || '-01' AS period_to, p.caisse_name
        FROM statement s JOIN person p ON p.id = s.person_id
        UNION ALL
        SELECT d.kind, d.reference, d.sha256, d.fingerprint, d.issued_on, d.period_from, d.period_to, p.caisse_name
        FROM document d JOIN person p ON p.id = d.person_id
        """

    public func verifiableRecord(reference: String) async throws -> VerifiableRecord? {
        try await read { db in
            try Row.fetchOne(
                db, sql: "SELECT * FROM (\(Self.verifiable)) WHERE reference = ? LIMIT 1", arguments: [reference]
            ).map(Self.verifiableRecord)
        }
    }

    public func verifiableRecord(sha256: String) async throws -> VerifiableRecord? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM (\(Self.verifiable)) WHERE sha256 = ? LIMIT 1", arguments: [sha256])
                .map(Self.verifiableRecord)
        }
    }

    static func verifiableRecord(_ r: Row) throws -> VerifiableRecord {
        VerifiableRecord(
            kind: try StoreError.decode(r["kind"], column: "document.kind"), reference: r["reference"], sha256: r["sha256"],
            fingerprint: r["fingerprint"], issuedOn: try CivilDate(parsing: r["issued_on"]),
            from: try CivilDate(parsing: r["period_from"]), to: try CivilDate(parsing: r["period_to"]),
            caisse: r["caisse_name"])
    }
}
