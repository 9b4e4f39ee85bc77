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

    // MARK: Writing (each method is one transaction, audit included)

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
                let codeID = db.lastInsertedRowID
                try Self.insert(issue.letter, personID: issue.personID, at: at, db)
                try db.execute(
                    sql: "UPDATE letter SET provisional_code_id = ? WHERE id = ?", arguments: [codeID, db.lastInsertedRowID])
            }
            try Self.insert(audit, db)
        }
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
            // Its letter, if not printed yet, is withdrawn: a spent code is never posted.
            try db.execute(
                sql: "DELETE FROM letter WHERE provisional_code_id = ? AND status = 'pending'",
                arguments: [opening.provisionalCodeID])
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
