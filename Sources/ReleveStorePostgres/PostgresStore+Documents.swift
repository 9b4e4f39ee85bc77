import Foundation
import Logging
import PostgresNIO
import ReleveDomain
import ReleveStore

/// Documents issued on request, and what anyone may check, on PostgreSQL.
extension PostgresStore: DocumentStore {
    static let documentColumns = """
        kind, person_id, reference, period_from::text, period_to::text, issued_on::text, file, sha256, fingerprint, size,
        pages
        """
    typealias DocumentRow = (String, Int64, String, String, String, String, String, String, String, Int64, Int)

    static func document(_ r: DocumentRow) throws -> IssuedDocument {
        IssuedDocument(
            kind: try StoreError.decode(r.0, column: "document.kind"), personID: InsuredPerson.ID(r.1), reference: r.2,
            from: try CivilDate(parsing: r.3), to: try CivilDate(parsing: r.4), issuedOn: try CivilDate(parsing: r.5),
            file: r.6, sha256: r.7, fingerprint: r.8, size: Int(r.9), pages: r.10)
    }

    func documents(_ sql: String, _ bindings: PostgresBindings) async throws -> [IssuedDocument] {
        var documents: [IssuedDocument] = []
        for try await row in try await client.query(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: logger)
            .decode(DocumentRow.self)
        {
            documents.append(try Self.document(row))
        }
        return documents
    }

    public func recordDocument(_ document: IssuedDocument, at: Int64) async throws -> IssuedDocument {
        try await client.query(
            """
            INSERT INTO document (person_id, kind, reference, period_from, period_to, issued_on, file, sha256,
                fingerprint, size, pages, created_at)
            VALUES (\(document.personID.rawValue), \(document.kind.rawValue), \(document.reference),
                \(document.from.description)::date, \(document.to.description)::date, \(document.issuedOn.description)::date,
                \(document.file), \(document.sha256), \(document.fingerprint), \(Int64(document.size)), \(document.pages), \(at))
            ON CONFLICT (reference) DO NOTHING
            """, logger: logger)
        var bindings = PostgresBindings()
        bindings.append(document.reference)
        guard
            let stored = try await documents(
                "SELECT \(Self.documentColumns) FROM document WHERE reference = $1", bindings
            ).first
        else { throw StoreError.database("document \(document.reference) absent après son enregistrement") }
        return stored
    }

    public func documents(of personID: InsuredPerson.ID) async throws -> [IssuedDocument] {
        var bindings = PostgresBindings()
        bindings.append(personID.rawValue)
        return try await documents(
            "SELECT \(Self.documentColumns) FROM document WHERE person_id = $1 ORDER BY issued_on DESC, id DESC", bindings)
    }

    public func documentFiles(after reference: String?, limit: Int) async throws -> [IssuedDocument] {
        var bindings = PostgresBindings()
        bindings.append(reference ?? "")
        bindings.append(limit)
        return try await documents(
            "SELECT \(Self.documentColumns) FROM document WHERE reference > $1 ORDER BY reference LIMIT $2", bindings)
    }

    /// Statements and documents as one list of what may be checked (no name, no amount).
    static let verifiable = """
        SELECT 'releve' AS kind, s.reference, s.sha256, s.fingerprint, s.issued_on::text AS issued_on,
               s.month || '-01' AS period_from, s.month || '-01' AS period_to, p.caisse_name
        FROM statement s JOIN person p ON p.id = s.person_id
        UNION ALL
        SELECT d.kind, d.reference, d.sha256, d.fingerprint, d.issued_on::text, d.period_from::text, d.period_to::text,
               p.caisse_name
        FROM document d JOIN person p ON p.id = d.person_id
        """

    func verifiableRecord(column: String, value: String) async throws -> VerifiableRecord? {
        var bindings = PostgresBindings()
        bindings.append(value)
        let rows = try await client.query(
            PostgresQuery(
                unsafeSQL: "SELECT * FROM (\(Self.verifiable)) records WHERE \(column) = $1 LIMIT 1", binds: bindings),
            logger: logger)
        for try await r in rows.decode((String, String, String, String, String, String, String, String).self) {
            return VerifiableRecord(
                kind: try StoreError.decode(r.0, column: "document.kind"), reference: r.1, sha256: r.2, fingerprint: r.3,
                issuedOn: try CivilDate(parsing: r.4), from: try CivilDate(parsing: r.5), to: try CivilDate(parsing: r.6),
                caisse: r.7)
        }
        return nil
    }

    public func verifiableRecord(reference: String) async throws -> VerifiableRecord? {
        try await verifiableRecord(column: "reference", value: reference)
    }

    public func verifiableRecord(sha256: String) async throws -> VerifiableRecord? {
        try await verifiableRecord(column: "sha256", value: sha256)
    }
}
