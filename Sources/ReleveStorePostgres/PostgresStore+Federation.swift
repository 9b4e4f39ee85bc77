import Foundation
import Logging
import PostgresNIO
import ReleveDomain
import ReleveStore

/// Federated logins (FranceConnect) on PostgreSQL: a pending login is spent once by a
/// conditional `UPDATE … RETURNING` (two callbacks with one state: one wins), links upserted.
extension PostgresStore: FederationStore {
    public func beginFederation(_ pending: PendingFederation, audit: AuditEvent?) async throws {
        try await client.withTransaction(logger: logger) { connection in
            try await connection.query(
                "DELETE FROM federated_pending WHERE expires_at < \(pending.createdAt - 86_400)", logger: logger)
            try await connection.query(
                """
                INSERT INTO federated_pending (state_hash, binding_hash, purpose, nonce, verifier, redirect_uri,
                    session_hash, person_id, subject, identity, id_token, created_at, expires_at)
                VALUES (\(ByteBuffer(bytes: pending.stateHash)), \(ByteBuffer(bytes: pending.bindingHash)),
                    \(pending.purpose.rawValue), \(pending.nonce), \(pending.verifier), \(pending.redirectURI),
                    \(pending.sessionHash.map { ByteBuffer(bytes: $0) }), \(pending.personID?.rawValue), \(pending.subject),
                    \(pending.identity), \(pending.idToken), \(pending.createdAt), \(pending.expiresAt))
                """, logger: logger)
            if let audit { try await Self.insert(audit, connection, logger: logger) }
        }
    }

    public func takeFederation(stateHash: [UInt8], at: Int64) async throws -> PendingFederation? {
        let rows = try await client.query(
            """
            UPDATE federated_pending SET used_at = \(at)
            WHERE state_hash = \(ByteBuffer(bytes: stateHash)) AND used_at IS NULL AND expires_at >= \(at)
            RETURNING binding_hash, purpose, nonce, verifier, redirect_uri, session_hash, person_id, subject, identity,
                id_token, created_at, expires_at
            """, logger: logger)
        for try await row in rows.decode(
            (ByteBuffer, String, String, String, String, ByteBuffer?, Int64?, String?, String?, String?, Int64, Int64).self)
        {
            let (binding, purpose, nonce, verifier, redirect, session, person, subject, identity, idToken, created, expires) =
                row
            return PendingFederation(
                stateHash: stateHash, bindingHash: Array(buffer: binding),
                purpose: PendingFederation.Purpose(rawValue: purpose) ?? .login, nonce: nonce, verifier: verifier,
                redirectURI: redirect, sessionHash: session.map { Array(buffer: $0) },
                personID: person.map { InsuredPerson.ID($0) }, subject: subject, identity: identity, idToken: idToken,
                createdAt: created, expiresAt: expires)
        }
        return nil
    }

    public func federatedLink(provider: String, subject: String) async throws -> FederatedLink? {
        for try await (personID, identity) in try await client.query(
            "SELECT person_id, identity FROM federated_link WHERE provider = \(provider) AND subject = \(subject)",
            logger: logger
        ).decode((Int64, String).self) {
            return FederatedLink(provider: provider, subject: subject, personID: InsuredPerson.ID(personID), identity: identity)
        }
        return nil
    }

    public func accountContext(personID: InsuredPerson.ID) async throws -> AccountContext? {
        try await contexts(where: "id = $1", personID.rawValue).first
    }

    public func accountContexts(bornOn date: CivilDate) async throws -> [AccountContext] {
        try await contexts(where: "birth_date = $1::date", date.description)
    }

    /// The settled assurés matching `condition` (one bind), with their accounts, by id.
    func contexts(where condition: String, _ value: some PostgresEncodable & Sendable) async throws -> [AccountContext] {
        var bindings = PostgresBindings()
        try bindings.append(value)
        let query = PostgresQuery(
            unsafeSQL: "SELECT \(Self.personColumns) FROM person WHERE \(condition) \(Self.settled) ORDER BY id",
            binds: bindings)
        return try await client.withConnection { connection in
            var rows: [PersonRow] = []
            for try await row in try await connection.query(query, logger: logger).decode(PersonRow.self) { rows.append(row) }
            var contexts: [AccountContext] = []
            for row in rows {
                let person = try await Self.person(row, connection, logger: logger)
                contexts.append(
                    AccountContext(
                        person: person,
                        account: try await Self.account(personID: person.id.rawValue, connection, logger: logger)))
            }
            return contexts
        }
    }

    public func recordFederatedLogin(
        link: FederatedLink, method: String, nir: NIR, tokenHash: [UInt8], channel: String, idToken: String, at: Int64,
        audit: [AuditEvent]
    ) async throws {
        try await client.withTransaction(logger: logger) { connection in
            try await Self.upsert(link, at: at, connection, logger: logger)
            try await connection.query("DELETE FROM login_failure WHERE nir = \(nir.body)", logger: logger)
            try await connection.query(
                """
                INSERT INTO session (token_hash, person_id, channel, created_at, last_seen_at, method, id_token,
                    reauthenticated_at)
                VALUES (\(ByteBuffer(bytes: tokenHash)), \(link.personID.rawValue), \(channel), \(at), \(at), \(method),
                    \(idToken), \(at))
                """, logger: logger)
            for event in audit { try await Self.insert(event, connection, logger: logger) }
        }
    }

    static func upsert(_ link: FederatedLink, at: Int64, _ connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query(
            """
            INSERT INTO federated_link (provider, subject, person_id, identity, linked_at, last_login_at)
            VALUES (\(link.provider), \(link.subject), \(link.personID.rawValue), \(link.identity), \(at), \(at))
            ON CONFLICT (provider, subject) DO UPDATE SET identity = excluded.identity,
                last_login_at = excluded.last_login_at
            """, logger: logger)
    }

    public func markReauthenticated(tokenHash: [UInt8], idToken: String, at: Int64, audit: AuditEvent) async throws {
        try await client.withTransaction(logger: logger) { connection in
            try await connection.query(
                """
                UPDATE session SET reauthenticated_at = \(at), id_token = \(idToken)
                WHERE token_hash = \(ByteBuffer(bytes: tokenHash)) AND revoked_at IS NULL
                """, logger: logger)
            try await Self.insert(audit, connection, logger: logger)
        }
    }

    public func openFederatedAccount(
        link: FederatedLink, method: String, nir: NIR, email: String, emailToken: (hash: [UInt8], expiresAt: Int64),
        session: [UInt8], idToken: String, at: Int64, audit: [AuditEvent]
    ) async throws -> Bool {
        try await client.withTransaction(logger: logger) { connection in
            var inserted = false
            for try await _ in try await connection.query(
                """
                INSERT INTO account (person_id, status, code_hash, question, answer_hash, email, email_confirmed,
                    created_at, updated_at)
                VALUES (\(link.personID.rawValue), 'active', '', 0, '', \(email), false, \(at), \(at))
                ON CONFLICT (person_id) DO NOTHING RETURNING person_id
                """, logger: logger
            ).decode(Int64.self) {
                inserted = true
            }
            guard inserted else { return false }
            let person = link.personID.rawValue
            try await connection.query(
                "INSERT INTO account_period (person_id, opened_at) VALUES (\(person), \(at))", logger: logger)
            try await connection.query(
                """
                INSERT INTO email_token (token_hash, person_id, email, expires_at)
                VALUES (\(ByteBuffer(bytes: emailToken.hash)), \(person), \(email), \(emailToken.expiresAt))
                """, logger: logger)
            try await Self.upsert(link, at: at, connection, logger: logger)
            try await connection.query(
                """
                INSERT INTO session (token_hash, person_id, channel, created_at, last_seen_at, method, id_token,
                    reauthenticated_at)
                VALUES (\(ByteBuffer(bytes: session)), \(person), 'web', \(at), \(at), \(method), \(idToken), \(at))
                """, logger: logger)
            for event in audit { try await Self.insert(event, connection, logger: logger) }
            return true
        }
    }
}
