import Foundation
import Logging
import PostgresNIO
import ReleveDomain
import ReleveStore

/// Complementary insurers' machine clients on PostgreSQL. The watermark move is serialised per
/// insurer by a transaction-scoped advisory lock (`pg_advisory_xact_lock(hashtext(code))`): two
/// acknowledgements at once, on one node or two, never move it back or record it twice.
extension PostgresStore: InsurerClientStore {
    static let clientColumns = "client_id, complementaire_code, name, created_at, rotated_at, revoked_at"
    typealias ClientRow = (String, String, String, Int64, Int64?, Int64?)

    static func client(_ row: ClientRow) -> InsurerClient {
        InsurerClient(
            clientID: row.0, insurerCode: row.1, name: row.2, createdAt: row.3, rotatedAt: row.4, revokedAt: row.5)
    }

    public func createInsurerClient(_ client: InsurerClient, secretHash: String, audit: AuditEvent) async throws {
        try await self.client.withTransaction(logger: logger) { connection in
            try await connection.query(
                """
                INSERT INTO insurer_client (client_id, complementaire_code, name, secret_hash, created_at)
                VALUES (\(client.clientID), \(client.insurerCode), \(client.name), \(secretHash), \(client.createdAt))
                """, logger: logger)
            try await Self.insert(audit, connection, logger: logger)
        }
    }

    public func insurerClients() async throws -> [InsurerClient] {
        var clients: [InsurerClient] = []
        for try await row in try await client.query(
            PostgresQuery(unsafeSQL: "SELECT \(Self.clientColumns) FROM insurer_client ORDER BY complementaire_code, created_at"),
            logger: logger
        ).decode(ClientRow.self) {
            clients.append(Self.client(row))
        }
        return clients
    }

    public func insurerClient(id: String) async throws -> (client: InsurerClient, secretHash: String)? {
        var bindings = PostgresBindings()
        bindings.append(id)
        for try await (clientID, code, name, created, rotated, revoked, hash) in try await client.query(
            PostgresQuery(
                unsafeSQL: "SELECT \(Self.clientColumns), secret_hash FROM insurer_client WHERE client_id = $1", binds: bindings),
            logger: logger
        ).decode((String, String, String, Int64, Int64?, Int64?, String).self) {
            return (Self.client((clientID, code, name, created, rotated, revoked)), hash)
        }
        return nil
    }

    public func rotateInsurerSecret(id: String, secretHash: String, at: Int64, audit: AuditEvent) async throws -> Bool {
        try await client.withTransaction(logger: logger) { connection in
            var changed = false
            for try await _ in try await connection.query(
                """
                UPDATE insurer_client SET secret_hash = \(secretHash), rotated_at = \(at)
                WHERE client_id = \(id) AND revoked_at IS NULL RETURNING client_id
                """, logger: logger
            ).decode(String.self) {
                changed = true
            }
            guard changed else { return false }
            // A new secret ends the tokens of the old one.
            try await connection.query("DELETE FROM insurer_token WHERE client_id = \(id)", logger: logger)
            try await Self.insert(audit, connection, logger: logger)
            return true
        }
    }

    public func revokeInsurerClient(id: String, at: Int64, audit: AuditEvent) async throws -> Bool {
        try await client.withTransaction(logger: logger) { connection in
            var changed = false
            for try await _ in try await connection.query(
                """
                UPDATE insurer_client SET revoked_at = \(at) WHERE client_id = \(id) AND revoked_at IS NULL
                RETURNING client_id
                """, logger: logger
            ).decode(String.self) {
                changed = true
            }
            guard changed else { return false }
            try await connection.query("DELETE FROM insurer_token WHERE client_id = \(id)", logger: logger)
            try await Self.insert(audit, connection, logger: logger)
            return true
        }
    }

    public func storeInsurerToken(hash: String, clientID: String, expiresAt: Int64) async throws {
        try await client.withTransaction(logger: logger) { connection in
            try await connection.query("DELETE FROM insurer_token WHERE expires_at < \(expiresAt - 86_400)", logger: logger)
            try await connection.query(
                "INSERT INTO insurer_token (token_hash, client_id, expires_at) VALUES (\(hash), \(clientID), \(expiresAt))",
                logger: logger)
        }
    }

    public func insurerClient(tokenHash: String, now: Int64) async throws -> InsurerClient? {
        var bindings = PostgresBindings()
        bindings.append(tokenHash)
        bindings.append(now)
        for try await row in try await client.query(
            PostgresQuery(
                unsafeSQL: """
                    SELECT c.client_id, c.complementaire_code, c.name, c.created_at, c.rotated_at, c.revoked_at
                    FROM insurer_token t JOIN insurer_client c ON c.client_id = t.client_id
                    WHERE t.token_hash = $1 AND t.expires_at > $2 AND c.revoked_at IS NULL
                    """, binds: bindings), logger: logger
        ).decode(ClientRow.self) {
            return Self.client(row)
        }
        return nil
    }

    public func acknowledge(insurer code: String, clientID: String, through: Payment.ID, at: Int64, audit: AuditEvent)
        async throws -> Bool
    {
        try await client.withTransaction(logger: logger) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(hashtext(\(code)))", logger: logger)
            var current: Int64 = 0
            for try await value in try await connection.query(
                """
                SELECT coalesce(max(last_payment_id), 0) FROM (
                    SELECT last_payment_id FROM insurer_export WHERE complementaire_code = \(code)
                    UNION ALL SELECT last_payment_id FROM insurer_ack WHERE complementaire_code = \(code)) watermarks
                """, logger: logger
            ).decode(Int64.self) {
                current = value
            }
            guard through.rawValue > current else { return false }
            try await connection.query(
                """
                INSERT INTO insurer_ack (complementaire_code, client_id, last_payment_id, acknowledged_at)
                VALUES (\(code), \(clientID), \(through.rawValue), \(at))
                """, logger: logger)
            try await Self.insert(audit, connection, logger: logger)
            return true
        }
    }
}
