import Foundation
import GRDB
import ReleveDomain

/// A federated login in progress, or an account opening waiting for the assuré's terms and
/// e-mail. Its key is the hash of the `state` sent to the provider (or of the opening token);
/// `bindingHash` ties it to the browser (a `__Host-` cookie) or the CLI run that started it.
public struct PendingFederation: Sendable, Equatable {
    public enum Purpose: String, Sendable {
        /// A login from the entrance page or `releve connexion --franceconnect`.
        case login
        /// A fresh provider login before a sensitive action of the session `sessionHash`.
        case reauthenticate
        /// The identity matched one assuré without an account: opening waits for terms and e-mail.
        case open
    }

    public var stateHash: [UInt8]
    public var bindingHash: [UInt8]
    public var purpose: Purpose
    public var nonce: String
    public var verifier: String
    public var redirectURI: String
    public var sessionHash: [UInt8]?
    public var personID: InsuredPerson.ID?
    public var subject: String?
    public var identity: String?
    public var idToken: String?
    public var createdAt: Int64
    public var expiresAt: Int64

    public init(
        stateHash: [UInt8], bindingHash: [UInt8], purpose: Purpose, nonce: String = "", verifier: String = "",
        redirectURI: String = "", sessionHash: [UInt8]? = nil, personID: InsuredPerson.ID? = nil, subject: String? = nil,
        identity: String? = nil, idToken: String? = nil, createdAt: Int64, expiresAt: Int64
    ) {
        self.stateHash = stateHash
        self.bindingHash = bindingHash
        self.purpose = purpose
        self.nonce = nonce
        self.verifier = verifier
        self.redirectURI = redirectURI
        self.sessionHash = sessionHash
        self.personID = personID
        self.subject = subject
        self.identity = identity
        self.idToken = idToken
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}

/// A provider's subject linked to an assuré.
public struct FederatedLink: Sendable, Equatable {
    public var provider: String
    public var subject: String
    public var personID: InsuredPerson.ID
    /// The pivot identity's canonical form when last checked.
    public var identity: String

    public init(provider: String, subject: String, personID: InsuredPerson.ID, identity: String) {
        self.provider = provider
        self.subject = subject
        self.personID = personID
        self.identity = identity
    }
}

/// Federated logins (OpenID Connect): pending logins, links, federated sessions.
public protocol FederationStore: Sendable {
    /// Stores a pending login (and forgets the expired ones).
    func beginFederation(_ pending: PendingFederation, audit: AuditEvent?) async throws
    /// Spends the pending entry whose state hashes to `stateHash`, once: nil if unknown, already
    /// used or expired at `at`. The binding is compared by the caller.
    func takeFederation(stateHash: [UInt8], at: Int64) async throws -> PendingFederation?
    func federatedLink(provider: String, subject: String) async throws -> FederatedLink?
    /// The assuré of a link, with their account.
    func accountContext(personID: InsuredPerson.ID) async throws -> AccountContext?
    /// The assurés born on `date` (settled imports) with their accounts: the matching's candidates.
    func accountContexts(bornOn date: CivilDate) async throws -> [AccountContext]
    /// Opens a session for a federated login: stores (or refreshes) the link, clears the NIR's
    /// failed attempts, records the session and its audit rows, in one transaction.
    func recordFederatedLogin(
        link: FederatedLink, method: String, nir: NIR, tokenHash: [UInt8], channel: String, idToken: String, at: Int64,
        audit: [AuditEvent]
    ) async throws
    /// Marks a fresh provider login on a session (sensitive actions may follow for a while).
    func markReauthenticated(tokenHash: [UInt8], idToken: String, at: Int64, audit: AuditEvent) async throws
    /// Opens an account for an identity vouched for by the provider: no personal code, no secret
    /// question; false if the assuré has an account already (open or cancelled).
    func openFederatedAccount(
        link: FederatedLink, method: String, nir: NIR, email: String, emailToken: (hash: [UInt8], expiresAt: Int64),
        session: [UInt8],
        idToken: String, at: Int64, audit: [AuditEvent]
    ) async throws -> Bool
}

extension SQLiteStore: FederationStore {
    public func beginFederation(_ pending: PendingFederation, audit: AuditEvent?) async throws {
        try await write { db in
            try db.execute(
                sql: "DELETE FROM federated_pending WHERE expires_at < ?", arguments: [pending.createdAt - 86_400])
            try db.execute(
                sql: """
                    INSERT INTO federated_pending (state_hash, binding_hash, purpose, nonce, verifier, redirect_uri,
                        session_hash, person_id, subject, identity, id_token, created_at, expires_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    Data(pending.stateHash), Data(pending.bindingHash), pending.purpose.rawValue, pending.nonce,
                    pending.verifier, pending.redirectURI, pending.sessionHash.map { Data($0) }, pending.personID?.rawValue,
                    pending.subject, pending.identity, pending.idToken, pending.createdAt, pending.expiresAt,
                ])
            if let audit { try Self.insert(audit, db) }
        }
    }

    public func takeFederation(stateHash: [UInt8], at: Int64) async throws -> PendingFederation? {
        try await write { db in
            guard
                let row = try Row.fetchOne(
                    db,
                    sql: """
                        UPDATE federated_pending SET used_at = ?
                        WHERE state_hash = ? AND used_at IS NULL AND expires_at >= ? RETURNING *
                        """, arguments: [at, Data(stateHash), at])
            else { return nil }
            let session: Data? = row["session_hash"]
            let person: Int64? = row["person_id"]
            let binding: Data = row["binding_hash"]
            return PendingFederation(
                stateHash: stateHash, bindingHash: Array(binding),
                purpose: PendingFederation.Purpose(rawValue: row["purpose"]) ?? .login, nonce: row["nonce"],
                verifier: row["verifier"], redirectURI: row["redirect_uri"], sessionHash: session.map { Array($0) },
                personID: person.map { InsuredPerson.ID($0) }, subject: row["subject"], identity: row["identity"],
                idToken: row["id_token"], createdAt: row["created_at"], expiresAt: row["expires_at"])
        }
    }

    public func federatedLink(provider: String, subject: String) async throws -> FederatedLink? {
        try await read { db in
            try Row.fetchOne(
                db, sql: "SELECT * FROM federated_link WHERE provider = ? AND subject = ?", arguments: [provider, subject]
            ).map {
                FederatedLink(
                    provider: $0["provider"], subject: $0["subject"], personID: InsuredPerson.ID($0["person_id"]),
                    identity: $0["identity"])
            }
        }
    }

    public func accountContext(personID: InsuredPerson.ID) async throws -> AccountContext? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM person WHERE id = ? \(Self.settled)", arguments: [personID.rawValue])
                .map { row in
                    AccountContext(
                        person: try Self.person(from: row, db: db),
                        account: try Self.account(personID: personID.rawValue, db: db))
                }
        }
    }

    public func accountContexts(bornOn date: CivilDate) async throws -> [AccountContext] {
        try await read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM person WHERE birth_date = ? \(Self.settled) ORDER BY id", arguments: [date.description]
            ).map { row in
                let person = try Self.person(from: row, db: db)
                return AccountContext(person: person, account: try Self.account(personID: person.id.rawValue, db: db))
            }
        }
    }

    public func recordFederatedLogin(
        link: FederatedLink, method: String, nir: NIR, tokenHash: [UInt8], channel: String, idToken: String, at: Int64,
        audit: [AuditEvent]
    ) async throws {
        try await write { db in
            try Self.upsert(link, at: at, db)
            try db.execute(sql: "DELETE FROM login_failure WHERE nir = ?", arguments: [nir.body])
            try db.execute(
                sql: """
                    INSERT INTO session (token_hash, person_id, channel, created_at, last_seen_at, method, id_token,
                        reauthenticated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [Data(tokenHash), link.personID.rawValue, channel, at, at, method, idToken, at])
            for event in audit { try Self.insert(event, db) }
        }
    }

    static func upsert(_ link: FederatedLink, at: Int64, _ db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO federated_link (provider, subject, person_id, identity, linked_at, last_login_at)
                VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (provider, subject) DO UPDATE SET identity = excluded.identity,
                    last_login_at = excluded.last_login_at
                """,
            arguments: [link.provider, link.subject, link.personID.rawValue, link.identity, at, at])
    }

    public func markReauthenticated(tokenHash: [UInt8], idToken: String, at: Int64, audit: AuditEvent) async throws {
        try await write { db in
            try db.execute(
                sql: "UPDATE session SET reauthenticated_at = ?, id_token = ? WHERE token_hash = ? AND revoked_at IS NULL",
                arguments: [at, idToken, Data(tokenHash)])
            try Self.insert(audit, db)
        }
    }

    public func openFederatedAccount(
        link: FederatedLink, method: String, nir: NIR, email: String, emailToken: (hash: [UInt8], expiresAt: Int64),
        session: [UInt8],
        idToken: String, at: Int64, audit: [AuditEvent]
    ) async throws -> Bool {
        try await write { db in
            // No personal code and no secret question: an empty hash matches no code, ever.
            try db.execute(
                sql: """
                    INSERT INTO account (person_id, status, code_hash, question, answer_hash, email, email_confirmed,
                        created_at, updated_at)
                    VALUES (?, 'active', '', 0, '', ?, 0, ?, ?) ON CONFLICT (person_id) DO NOTHING
                    """, arguments: [link.personID.rawValue, email, at, at])
            guard db.changesCount == 1 else { return false }
            try db.execute(
                sql: "INSERT INTO account_period (person_id, opened_at) VALUES (?, ?)", arguments: [link.personID.rawValue, at])
            try db.execute(
                sql: "INSERT INTO email_token (token_hash, person_id, email, expires_at) VALUES (?, ?, ?, ?)",
                arguments: [Data(emailToken.hash), link.personID.rawValue, email, emailToken.expiresAt])
            try Self.upsert(link, at: at, db)
            try db.execute(
                sql: """
                    INSERT INTO session (token_hash, person_id, channel, created_at, last_seen_at, method, id_token,
                        reauthenticated_at)
                    VALUES (?, ?, 'web', ?, ?, ?, ?, ?)
                    """, arguments: [Data(session), link.personID.rawValue, at, at, method, idToken, at])
            for event in audit { try Self.insert(event, db) }
            return true
        }
    }
}
