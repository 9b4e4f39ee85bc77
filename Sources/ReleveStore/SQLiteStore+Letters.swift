import Foundation
import GRDB
import ReleveDomain

/// The postal outbox: letters as written, read back for the operator and the print batches.
extension SQLiteStore {
    /// Letters of the postal outbox, oldest first; pending ones only unless `all`.
    public func letters(all: Bool = false) async throws -> [Letter] {
        try await read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT l.*, p.nir FROM letter l LEFT JOIN person p ON p.id = l.person_id
                    \(all ? "" : "WHERE l.status = 'pending'") ORDER BY l.id
                    """
            ).map(Self.letter)
        }
    }

    public func letter(id: Letter.ID) async throws -> Letter? {
        try await read { db in
            try Row.fetchOne(
                db, sql: "SELECT l.*, p.nir FROM letter l LEFT JOIN person p ON p.id = l.person_id WHERE l.id = ?",
                arguments: [id.rawValue]
            ).map(Self.letter)
        }
    }

    static func letter(_ r: Row) throws -> Letter {
        let nir: String? = r["nir"]
        return Letter(
            id: Letter.ID(r["id"]), kind: try StoreError.decode(r["kind"], column: "letter.kind"), recipient: r["recipient"],
            body: r["body"], status: try StoreError.decode(r["status"], column: "letter.status"), createdAt: r["created_at"],
            nir: try nir.map { try NIR(parsing: $0) }, statementID: (r["statement_id"] as Int64?).map(ArchivedStatement.ID.init),
            batchID: (r["batch_id"] as Int64?).map(PrintBatch.ID.init),
            printedAt: r["printed_at"], postedAt: r["posted_at"])
    }

    static func insert(_ letter: NewLetter, personID: InsuredPerson.ID?, at: Int64, _ db: Database) throws {
        // Cached: the issuing batch inserts one per postal statement.
        try db.cachedStatement(
            sql: """
                INSERT INTO letter (person_id, kind, recipient, body, status, created_at, statement_id)
                VALUES (?, ?, ?, ?, 'pending', ?, ?)
                """
        ).execute(arguments: [personID?.rawValue, letter.kind.rawValue, letter.recipient, letter.body, at, letter.statementID])
    }
}

/// A letter to put in the postal outbox.
public struct NewLetter: Sendable {
    public var kind: Letter.Kind
    public var recipient: String
    public var body: String
    public var statementID: ArchivedStatement.ID?

    public init(kind: Letter.Kind, recipient: String, body: String, statementID: ArchivedStatement.ID? = nil) {
        self.kind = kind
        self.recipient = recipient
        self.body = body
        self.statementID = statementID
    }
}
