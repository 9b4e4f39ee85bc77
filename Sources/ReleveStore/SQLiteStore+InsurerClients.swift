import Foundation
import GRDB
import ReleveDomain

extension SQLiteStore {
    public func createInsurerClient(_ client: InsurerClient, secretHash: String, audit: AuditEvent) async throws {
        try await write { db in
            try db.execute(
                sql: """
                    INSERT INTO insurer_client (client_id, complementaire_code, name, secret_hash, created_at)
                    VALUES (?, ?, ?, ?, ?)
                    """, arguments: [client.clientID, client.insurerCode, client.name, secretHash, client.createdAt])
            try Self.insert(audit, db)
        }
    }

    public func insurerClients() async throws -> [InsurerClient] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM insurer_client ORDER BY complementaire_code, created_at").map(Self.client)
        }
    }

    public func insurerClient(id: String) async throws -> (client: InsurerClient, secretHash: String)? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM insurer_client WHERE client_id = ?", arguments: [id]).map {
                (Self.client($0), $0["secret_hash"])
            }
        }
    }

    public func rotateInsurerSecret(id: String, secretHash: String, at: Int64, audit: AuditEvent) async throws -> Bool {
        try await write { db in
            try db.execute(
                sql: """
                    UPDATE insurer_client SET secret_hash = ?, rotated_at = ?
                    WHERE client_id = ? AND revoked_at IS NULL
                    """, arguments: [secretHash, at, id])
            guard db.changesCount == 1 else { return false }
            // A new secret ends the tokens of the old one.
            try db.execute(sql: "DELETE FROM insurer_token WHERE client_id = ?", arguments: [id])
            try Self.insert(audit, db)
            return true
        }
    }

    public func revokeInsurerClient(id: String, at: Int64, audit: AuditEvent) async throws -> Bool {
        try await write { db in
            try db.execute(
                sql: "UPDATE insurer_client SET revoked_at = ? WHERE client_id = ? AND revoked_at IS NULL", arguments: [at, id])
            guard db.changesCount == 1 else { return false }
            try db.execute(sql: "DELETE FROM insurer_token WHERE client_id = ?", arguments: [id])
            try Self.insert(audit, db)
            return true
        }
    }

    public func storeInsurerToken(hash: String, clientID: String, expiresAt: Int64) async throws {
        try await write { db in
            try db.execute(sql: "DELETE FROM insurer_token WHERE expires_at < ?", arguments: [expiresAt - 86_400])
            try db.execute(
                sql: "INSERT INTO insurer_token (token_hash, client_id, expires_at) VALUES (?, ?, ?)",
                arguments: [hash, clientID, expiresAt])
        }
    }

    public func insurerClient(tokenHash: String, now: Int64) async throws -> InsurerClient? {
        try await read { db in
            try Row.fetchOne(
                db,
                sql: """
                    SELECT c.* FROM insurer_token t JOIN insurer_client c ON c.client_id = t.client_id
                    WHERE t.token_hash = ? AND t.expires_at > ? AND c.revoked_at IS NULL
                    """, arguments: [tokenHash, now]
            ).map(Self.client)
        }
    }

    public func acknowledge(insurer code: String, clientID: String, through: Payment.ID, at: Int64, audit: AuditEvent)
        async throws -> Bool
    {
        try await write { db in
            let current =
                try Int64.fetchOne(
                    db,
                    sql: """
                        SELECT max(last_payment_id) FROM (
                            SELECT last_payment_id FROM insurer_export WHERE complementaire_code = ?
                            UNION ALL SELECT last_payment_id FROM insurer_ack WHERE complementaire_code = ?)
                        """, arguments: [code, code]) ?? 0
            guard through.rawValue > current else { return false }
            try db.execute(
                sql: """
                    INSERT INTO insurer_ack (complementaire_code, client_id, last_payment_id, acknowledged_at)
                    VALUES (?, ?, ?, ?)
                    """, arguments: [code, clientID, through.rawValue, at])
            try Self.insert(audit, db)
            return true
        }
    }

    static func client(_ r: Row) -> InsurerClient {
        InsurerClient(
            clientID: r["client_id"], insurerCode: r["complementaire_code"], name: r["name"], createdAt: r["created_at"],
            rotatedAt: r["rotated_at"], revokedAt: r["revoked_at"])
    }
}
