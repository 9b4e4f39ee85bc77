import Foundation
import GRDB
import ReleveDomain

/// Sessions and failed-code counters: each write is one transaction, its audit row included.
extension SQLiteStore {
    /// Consecutive failed logins for this NIR and when the last one happened.
    public func loginFailures(nir: NIR) async throws -> (failures: Int, last: Int64)? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT failures, last_failure_at FROM login_failure WHERE nir = ?", arguments: [nir.body])
                .map { ($0["failures"], $0["last_failure_at"]) }
        }
    }

    /// The session whose token hashes to `tokenHash`, with its assuré's NIR.
    public func session(tokenHash: [UInt8]) async throws -> StoredSession? {
        try await read { db in
            try Row.fetchOne(
                db,
                sql: """
                    SELECT s.*, p.nir FROM session s JOIN person p ON p.id = s.person_id WHERE s.token_hash = ?
                    """, arguments: [Data(tokenHash)]
            ).map {
                try Self.session(from: $0)
            }
        }
    }

    static func session(from row: Row) throws -> StoredSession {
        StoredSession(
            personID: InsuredPerson.ID(row["person_id"]), nir: try NIR(parsing: row["nir"]), channel: row["channel"],
            createdAt: row["created_at"], lastSeenAt: row["last_seen_at"], revokedAt: row["revoked_at"], method: row["method"],
            idToken: row["id_token"], reauthenticatedAt: row["reauthenticated_at"])
    }

    /// What authenticating a request needs, in one read: the maintenance message, the session
    /// behind `tokenHash` and its assuré with their account.
    public func sessionContext(tokenHash: [UInt8]) async throws -> (
        maintenance: String?, session: StoredSession?, context: AccountContext?
    ) {
        try await read { db in try Self.sessionContext(tokenHash: tokenHash, db) }
    }

    /// The session's read and the payments' read in one transaction: one hand-off to a reader
    /// and back instead of two (an SQLite base has no replica to send the payments to).
    public func sessionContext(tokenHash: [UInt8], paymentsFrom from: CivilDate, to: CivilDate) async throws -> (
        maintenance: String?, session: StoredSession?, context: AccountContext?, payments: [StoredPayment]?
    ) {
        try await read { db in
            let found = try Self.sessionContext(tokenHash: tokenHash, db)
            guard found.maintenance == nil, let person = found.context?.person.person else {
                return (found.maintenance, found.session, found.context, nil)
            }
            return (
                found.maintenance, found.session, found.context,
                try Self.payments(of: person.nir, from: from, to: to, db)
            )
        }
    }

    static func sessionContext(tokenHash: [UInt8], _ db: Database) throws -> (
        maintenance: String?, session: StoredSession?, context: AccountContext?
    ) {
        // Cached statements: this read runs on every authenticated request.
        let maintenance = try String.fetchOne(db.cachedStatement(sql: "SELECT value FROM setting WHERE key = 'maintenance'"))
        guard
            let row = try Row.fetchOne(
                db.cachedStatement(
                    sql: "SELECT s.*, p.nir FROM session s JOIN person p ON p.id = s.person_id WHERE s.token_hash = ?"),
                arguments: [Data(tokenHash)])
        else { return (maintenance, nil, nil) }
        let session = try Self.session(from: row)
        guard
            let personRow = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT * FROM person WHERE id = ?"), arguments: [session.personID.rawValue])
        else { return (maintenance, session, nil) }
        let person = try Self.person(from: personRow, db: db)
        return (
            maintenance, session,
            AccountContext(person: person, account: try Self.account(personID: person.id.rawValue, db: db))
        )
    }

    /// Counts one more code attempt for this NIR *before* the code is checked, unless `refuse`
    /// (the lockout policy, given the failures so far and the last one's time) says the NIR is
    /// locked. Check and increment are one write transaction under the single writer, so N
    /// parallel attempts never evaluate more codes than the policy allows (SECURITY.md goal 4).
    public func reserveCodeAttempt(
        nir: NIR, at: Int64, refuse: @escaping @Sendable (_ failures: Int, _ lastFailure: Int64) -> Bool
    ) async throws -> AttemptReservation {
        try await write { db in
            if let row = try Row.fetchOne(
                db, sql: "SELECT failures, last_failure_at FROM login_failure WHERE nir = ?", arguments: [nir.body])
            {
                let failures: Int = row[0]
                let last: Int64 = row[1]
                if refuse(failures, last) { return .refused(failures: failures, lastFailure: last) }
            }
            let failures = try Int.fetchOne(
                db,
                sql: """
                    INSERT INTO login_failure (nir, failures, last_failure_at) VALUES (?, 1, ?)
                    ON CONFLICT (nir) DO UPDATE SET failures = failures + 1, last_failure_at = excluded.last_failure_at
                    RETURNING failures
                    """, arguments: [nir.body, at])
            return .reserved(failures: failures ?? 1)
        }
    }

    /// Gives back an attempt reserved but never checked (the gate was full).
    public func refundCodeAttempt(nir: NIR) async throws {
        try await write { db in
            try db.execute(
                sql: "UPDATE login_failure SET failures = failures - 1 WHERE nir = ? AND failures > 0", arguments: [nir.body])
            try db.execute(sql: "DELETE FROM login_failure WHERE nir = ? AND failures = 0", arguments: [nir.body])
        }
    }

    /// A successful login: clears failures and stores the new session.
    public func recordLogin(
        nir: NIR, personID: InsuredPerson.ID, tokenHash: [UInt8], channel: String, at: Int64, audit: AuditEvent
    )
        async throws
    {
        try await write { db in
            try db.execute(sql: "DELETE FROM login_failure WHERE nir = ?", arguments: [nir.body])
            try db.execute(
                sql: "INSERT INTO session (token_hash, person_id, channel, created_at, last_seen_at) VALUES (?, ?, ?, ?, ?)",
                arguments: [Data(tokenHash), personID.rawValue, channel, at, at])
            try Self.insert(audit, db)
        }
    }

    public func touchSession(tokenHash: [UInt8], at: Int64) async throws {
        try await write { db in
            try db.execute(sql: "UPDATE session SET last_seen_at = ? WHERE token_hash = ?", arguments: [at, Data(tokenHash)])
        }
    }

    /// Revokes one session (logout), or with `allOf`, every session of that assuré.
    public func revokeSessions(tokenHash: [UInt8]? = nil, allOf personID: InsuredPerson.ID? = nil, at: Int64, audit: AuditEvent?)
        async throws
    {
        try await write { db in
            if let tokenHash {
                try db.execute(
                    sql: "UPDATE session SET revoked_at = ? WHERE token_hash = ? AND revoked_at IS NULL",
                    arguments: [at, Data(tokenHash)])
            }
            if let personID {
                try db.execute(
                    sql: "UPDATE session SET revoked_at = ? WHERE person_id = ? AND revoked_at IS NULL",
                    arguments: [at, personID.rawValue])
            }
            if let audit { try Self.insert(audit, db) }
        }
    }

    /// Replaces the personal code, revokes every other session, and notifies.
    public func changeCode(personID: InsuredPerson.ID, codeHash: String, keepSession: [UInt8], at: Int64, audit: AuditEvent)
        async throws
    {
        try await write { db in
            try db.execute(
                sql: "UPDATE account SET code_hash = ?, updated_at = ? WHERE person_id = ?",
                arguments: [codeHash, at, personID.rawValue])
            try db.execute(
                sql: "UPDATE session SET revoked_at = ? WHERE person_id = ? AND revoked_at IS NULL AND token_hash <> ?",
                arguments: [at, personID.rawValue, Data(keepSession)])
            try Self.insert(audit, db)
        }
    }
}
