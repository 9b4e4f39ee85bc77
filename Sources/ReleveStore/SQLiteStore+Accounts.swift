import Foundation
import GRDB
import ReleveDomain

extension SQLiteStore {
    // MARK: Reading

    /// The assuré with this NIR and their account, if any.
    public func accountContext(nir: NIR) async throws -> AccountContext? {
        try await read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM person WHERE nir = ? \(Self.settled)", arguments: [nir.body])
            else {
                return nil
            }
            let person = try Self.person(from: row, db: db)
            return AccountContext(person: person, account: try Self.account(personID: person.id.rawValue, db: db))
        }
    }

    static func account(personID: Int64, db: Database) throws -> StoredAccount? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM account WHERE person_id = ?"), arguments: [personID]).map { r in
            StoredAccount(
                personID: InsuredPerson.ID(r["person_id"]), status: try StoreError.decode(r["status"], column: "account.status"),
                codeHash: r["code_hash"], question: r["question"], answerHash: r["answer_hash"], email: r["email"],
                emailConfirmed: r["email_confirmed"], createdAt: r["created_at"], updatedAt: r["updated_at"],
                closedAt: r["closed_at"])
        }
    }

    /// Consecutive failed logins for this NIR and when the last one happened.
    public func loginFailures(nir: NIR) async throws -> (failures: Int, last: Int64)? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT failures, last_failure_at FROM login_failure WHERE nir = ?", arguments: [nir.body])
                .map { ($0["failures"], $0["last_failure_at"]) }
        }
    }

    /// Provisional-code requests made for this NIR since `since`.
    public func provisionalCodeRequests(nir: NIR, since: Int64) async throws -> Int {
        try await read { db in
            try Int.fetchOne(
                db, sql: "SELECT count(*) FROM code_request WHERE nir = ? AND at >= ?", arguments: [nir.body, since])
                ?? 0
        }
    }

    /// The newest provisional code of this assuré that is neither used nor expired at `now`.
    public func activeProvisionalCode(personID: InsuredPerson.ID, now: Int64) async throws -> StoredProvisionalCode? {
        try await read { db in
            try Row.fetchOne(
                db,
                sql: """
                    SELECT * FROM provisional_code WHERE person_id = ? AND used_at IS NULL AND expires_at > ?
                    ORDER BY issued_at DESC, id DESC LIMIT 1
                    """, arguments: [personID.rawValue, now]
            ).map {
                StoredProvisionalCode(
                    id: StoredProvisionalCode.ID($0["id"]), codeHash: $0["code_hash"], issuedAt: $0["issued_at"],
                    expiresAt: $0["expires_at"],
                    usedAt: $0["used_at"], attempts: $0["attempts"])
            }
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
                StoredSession(
                    personID: InsuredPerson.ID($0["person_id"]), nir: try NIR(parsing: $0["nir"]), channel: $0["channel"],
                    createdAt: $0["created_at"], lastSeenAt: $0["last_seen_at"], revokedAt: $0["revoked_at"])
            }
        }
    }

    /// What authenticating a request needs, in one read: the maintenance message, the session
    /// behind `tokenHash` and its assuré with their account.
    public func sessionContext(tokenHash: [UInt8]) async throws -> (
        maintenance: String?, session: StoredSession?, context: AccountContext?
    ) {
        try await read { db in
            // Cached statements: this read runs on every authenticated request.
            let maintenance = try String.fetchOne(db.cachedStatement(sql: "SELECT value FROM setting WHERE key = 'maintenance'"))
            guard
                let row = try Row.fetchOne(
                    db.cachedStatement(
                        sql: "SELECT s.*, p.nir FROM session s JOIN person p ON p.id = s.person_id WHERE s.token_hash = ?"),
                    arguments: [Data(tokenHash)])
            else { return (maintenance, nil, nil) }
            let session = StoredSession(
                personID: InsuredPerson.ID(row["person_id"]), nir: try NIR(parsing: row["nir"]), channel: row["channel"],
                createdAt: row["created_at"], lastSeenAt: row["last_seen_at"], revokedAt: row["revoked_at"])
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
    }

    /// The maintenance message, when assuré operations are suspended.
    public func maintenanceMessage() async throws -> String? {
        try await read { db in try String.fetchOne(db, sql: "SELECT value FROM setting WHERE key = 'maintenance'") }
    }

    public func auditEvents(limit: Int) async throws -> [AuditEvent] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM audit_event ORDER BY id DESC LIMIT ?", arguments: [limit]).map {
                AuditEvent(
                    at: $0["at"], kind: $0["kind"], outcome: $0["outcome"], subject: $0["subject"], channel: $0["channel"],
                    detail: $0["detail"])
            }.reversed()
        }
    }

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

    // MARK: Writing (each method is one transaction, audit included)

    public func appendAudit(_ event: AuditEvent) async throws {
        try await write { db in try Self.insert(event, db) }
    }

    static func insert(_ e: AuditEvent, _ db: Database) throws {
        try db.execute(
            sql: "INSERT INTO audit_event (at, kind, outcome, subject, channel, detail) VALUES (?, ?, ?, ?, ?, ?)",
            arguments: [e.at, e.kind, e.outcome, e.subject, e.channel, e.detail])
    }

    /// Records a provisional-code request for this NIR (matched or not), and when the assuré is
    /// known, issues the code and puts its letter in the postal outbox, in one transaction.
    public func recordProvisionalCodeRequest(
        nir: NIR, at: Int64, issue: (personID: InsuredPerson.ID, codeHash: String, expiresAt: Int64, letter: NewLetter)?,
        audit: AuditEvent
    ) async throws {
        try await write { db in
            try db.execute(sql: "INSERT INTO code_request (nir, at) VALUES (?, ?)", arguments: [nir.body, at])
            if let issue {
                try db.execute(
                    sql: "INSERT INTO provisional_code (person_id, code_hash, issued_at, expires_at) VALUES (?, ?, ?, ?)",
                    arguments: [issue.personID.rawValue, issue.codeHash, at, issue.expiresAt])
                try Self.insert(issue.letter, personID: issue.personID, at: at, db)
            }
            try Self.insert(audit, db)
        }
    }

    static func insert(_ letter: NewLetter, personID: InsuredPerson.ID?, at: Int64, _ db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO letter (person_id, kind, recipient, body, status, created_at, statement_id)
                VALUES (?, ?, ?, ?, 'pending', ?, ?)
                """,
            arguments: [personID?.rawValue, letter.kind.rawValue, letter.recipient, letter.body, at, letter.statementID])
    }

    /// Opens the account, or resets it (recovery or reopening): uses the provisional code, sets
    /// the code, question, answer and e-mail, clears failed logins, revokes every session and
    /// stores the e-mail confirmation token, in one transaction.
    public func openAccount(_ opening: AccountOpening, audit: AuditEvent) async throws -> AccountOpeningOutcome {
        try await write { db in
            try db.execute(
                sql: "UPDATE provisional_code SET used_at = ? WHERE id = ? AND used_at IS NULL",
                arguments: [opening.at, opening.provisionalCodeID])
            guard db.changesCount == 1 else { return .provisionalCodeAlreadyUsed }
            try db.execute(
                sql: """
                    INSERT INTO account (person_id, status, code_hash, question, answer_hash, email, email_confirmed, created_at, updated_at)
                    VALUES (?, 'active', ?, ?, ?, ?, 0, ?, ?)
                    ON CONFLICT (person_id) DO UPDATE SET status = 'active', code_hash = excluded.code_hash,
                        question = excluded.question, answer_hash = excluded.answer_hash,
                        email_confirmed = (email = excluded.email AND email_confirmed), email = excluded.email,
                        updated_at = excluded.updated_at, closed_at = NULL
                    """,
                arguments: [
                    opening.personID.rawValue, opening.codeHash, opening.question, opening.answerHash, opening.email, opening.at,
                    opening.at,
                ])
            // A new open period unless one is running (recovery of an active account).
            try db.execute(
                sql: """
                    INSERT INTO account_period (person_id, opened_at) SELECT ?, ?
                    WHERE NOT EXISTS (SELECT 1 FROM account_period WHERE person_id = ? AND closed_at IS NULL)
                    """,
                arguments: [opening.personID.rawValue, opening.at, opening.personID.rawValue])
            try db.execute(sql: "DELETE FROM login_failure WHERE nir = ?", arguments: [opening.nir.body])
            try db.execute(
                sql: "UPDATE session SET revoked_at = ? WHERE person_id = ? AND revoked_at IS NULL",
                arguments: [opening.at, opening.personID.rawValue])
            if let token = opening.emailToken {
                try db.execute(
                    sql: "INSERT INTO email_token (token_hash, person_id, email, expires_at) VALUES (?, ?, ?, ?)",
                    arguments: [Data(token.hash), opening.personID.rawValue, opening.email, token.expiresAt])
            }
            try Self.insert(audit, db)
            return .opened
        }
    }

    /// Uses an e-mail confirmation token: single use, before its expiry.
    public func confirmEmail(tokenHash: [UInt8], at: Int64, channel: String) async throws -> EmailConfirmation {
        try await write { db in
            guard
                let row = try Row.fetchOne(
                    db, sql: "SELECT t.*, p.nir FROM email_token t JOIN person p ON p.id = t.person_id WHERE token_hash = ?",
                    arguments: [Data(tokenHash)])
            else {
                try Self.insert(AuditEvent(at: at, kind: "email_confirmation", outcome: "unknown_token", channel: channel), db)
                return .unknown
            }
            let nir = try NIR(parsing: row["nir"]).masked
            let used: Int64? = row["used_at"]
            let expires: Int64 = row["expires_at"]
            if used != nil {
                try Self.insert(
                    AuditEvent(at: at, kind: "email_confirmation", outcome: "reused_token", subject: nir, channel: channel), db)
                return .alreadyUsed
            }
            if at >= expires {
                try Self.insert(
                    AuditEvent(at: at, kind: "email_confirmation", outcome: "expired_token", subject: nir, channel: channel), db)
                return .expired
            }
            let personID: Int64 = row["person_id"]
            let email: String = row["email"]
            try db.execute(sql: "UPDATE email_token SET used_at = ? WHERE token_hash = ?", arguments: [at, Data(tokenHash)])
            try db.execute(
                sql:
                    "UPDATE account SET email_confirmed = 1, updated_at = ? WHERE person_id = ? AND email = ? AND status = 'active'",
                arguments: [at, personID, email])
            guard db.changesCount == 1 else {
                try Self.insert(
                    AuditEvent(at: at, kind: "email_confirmation", outcome: "superseded_token", subject: nir, channel: channel),
                    db)
                return .superseded
            }
            try Self.insert(
                AuditEvent(at: at, kind: "email_confirmation", outcome: "success", subject: nir, channel: channel), db)
            return .confirmed(personID: InsuredPerson.ID(personID), email: email)
        }
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

    /// Counts one try of a provisional code before it is checked, if fewer than `maximum`
    /// were made; false (nothing counted) otherwise.
    public func reserveProvisionalCodeAttempt(id: StoredProvisionalCode.ID, maximum: Int) async throws -> Bool {
        try await write { db in
            try db.execute(
                sql: "UPDATE provisional_code SET attempts = attempts + 1 WHERE id = ? AND attempts < ?",
                arguments: [id, maximum])
            return db.changesCount == 1
        }
    }

    /// Gives back a provisional-code try that turned out right (or was never checked).
    public func refundProvisionalCodeAttempt(id: StoredProvisionalCode.ID) async throws {
        try await write { db in
            try db.execute(
                sql: "UPDATE provisional_code SET attempts = attempts - 1 WHERE id = ? AND attempts > 0", arguments: [id])
        }
    }

    /// Audit rows, in one transaction.
    public func appendAudit(_ events: [AuditEvent]) async throws {
        guard !events.isEmpty else { return }
        try await write { db in for event in events { try Self.insert(event, db) } }
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

    /// Sets a new, unconfirmed e-mail address and stores its confirmation token.
    public func changeEmail(
        personID: InsuredPerson.ID, email: String, token: (hash: [UInt8], expiresAt: Int64), at: Int64, audit: AuditEvent
    )
        async throws
    {
        try await write { db in
            try db.execute(
                sql: "UPDATE account SET email = ?, email_confirmed = 0, updated_at = ? WHERE person_id = ?",
                arguments: [email, at, personID.rawValue])
            try db.execute(
                sql: "INSERT INTO email_token (token_hash, person_id, email, expires_at) VALUES (?, ?, ?, ?)",
                arguments: [Data(token.hash), personID.rawValue, email, token.expiresAt])
            try Self.insert(audit, db)
        }
    }

    /// Switches maintenance on (with its message) or off.
    public func setMaintenance(_ message: String?, audit: AuditEvent) async throws {
        try await write { db in
            if let message {
                try db.execute(
                    sql:
                        "INSERT INTO setting (key, value) VALUES ('maintenance', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    arguments: [message])
            } else {
                try db.execute(sql: "DELETE FROM setting WHERE key = 'maintenance'")
            }
            try Self.insert(audit, db)
        }
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

/// Everything that opening (or resetting) an account writes.
public struct AccountOpening: Sendable {
    public var nir: NIR
    public var personID: InsuredPerson.ID
    public var provisionalCodeID: StoredProvisionalCode.ID
    public var codeHash: String
    public var question: Int
    public var answerHash: String
    public var email: String
    public var emailToken: (hash: [UInt8], expiresAt: Int64)?
    public var at: Int64

    public init(
        nir: NIR, personID: InsuredPerson.ID, provisionalCodeID: StoredProvisionalCode.ID, codeHash: String, question: Int,
        answerHash: String,
        email: String, emailToken: (hash: [UInt8], expiresAt: Int64)?, at: Int64
    ) {
        self.nir = nir
        self.personID = personID
        self.provisionalCodeID = provisionalCodeID
        self.codeHash = codeHash
        self.question = question
        self.answerHash = answerHash
        self.email = email
        self.emailToken = emailToken
        self.at = at
    }
}
