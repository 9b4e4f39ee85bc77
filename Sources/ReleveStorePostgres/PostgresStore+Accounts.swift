import Foundation
import Logging
import PostgresNIO
import ReleveDomain
import ReleveStore

/// Provisional codes, account opening, e-mail links, code and e-mail changes, account periods
/// and cancellation on PostgreSQL: each method one transaction, its audit row included, as on
/// SQLite. Spending a provisional code and counting its tries are conditional updates (the row
/// changes only if it is still unused, or under the limit), which hold with several writers.
extension PostgresStore {
    /// Provisional-code requests made for this NIR since `since`.
    public func provisionalCodeRequests(nir: NIR, since: Int64) async throws -> Int {
        for try await count in try await client.query(
            "SELECT count(*) FROM code_request WHERE nir = \(nir.body) AND at >= \(since)", logger: logger
        ).decode(Int.self) {
            return count
        }
        return 0
    }

    /// The newest provisional code of this assuré that is neither used nor expired at `now`.
    public func activeProvisionalCode(personID: InsuredPerson.ID, now: Int64) async throws -> StoredProvisionalCode? {
        let rows = try await client.query(
            """
            SELECT id, code_hash, issued_at, expires_at, used_at, attempts FROM provisional_code
            WHERE person_id = \(personID.rawValue) AND used_at IS NULL AND expires_at > \(now)
            ORDER BY issued_at DESC, id DESC LIMIT 1
            """, logger: logger)
        for try await (id, hash, issued, expires, used, attempts) in rows.decode(
            (Int64, String, Int64, Int64, Int64?, Int).self)
        {
            return StoredProvisionalCode(
                id: StoredProvisionalCode.ID(id), codeHash: hash, issuedAt: issued, expiresAt: expires, usedAt: used,
                attempts: attempts)
        }
        return nil
    }

    /// Puts a letter in the postal outbox; its id.
    @discardableResult
    static func insert(
        _ letter: NewLetter, personID: InsuredPerson.ID?, at: Int64, _ connection: PostgresConnection, logger: Logger
    )
        async throws -> Int64
    {
        let rows = try await connection.query(
            """
            INSERT INTO letter (person_id, kind, recipient, body, status, created_at, statement_id)
            VALUES (\(personID?.rawValue), \(letter.kind.rawValue), \(letter.recipient), \(letter.body), 'pending', \(at),
                \(letter.statementID?.rawValue))
            RETURNING id
            """, logger: logger)
        for try await id in rows.decode(Int64.self) { return id }
        throw StoreError.database("INSERT INTO letter sans identifiant")
    }

    /// Records a request (and, with `issue`, the code and its letter) with its audit row.
    public func recordProvisionalCodeRequest(
        nir: NIR, at: Int64, issue: (personID: InsuredPerson.ID, codeHash: String, expiresAt: Int64, letter: NewLetter)?,
        audit: AuditEvent
    ) async throws {
        try await client.withTransaction(logger: logger) { connection in
            try await connection.query("INSERT INTO code_request (nir, at) VALUES (\(nir.body), \(at))", logger: logger)
            if let issue {
                var codeID: Int64 = 0
                for try await id in try await connection.query(
                    """
                    INSERT INTO provisional_code (person_id, code_hash, issued_at, expires_at)
                    VALUES (\(issue.personID.rawValue), \(issue.codeHash), \(at), \(issue.expiresAt)) RETURNING id
                    """, logger: logger
                ).decode(Int64.self) {
                    codeID = id
                }
                let letterID = try await Self.insert(issue.letter, personID: issue.personID, at: at, connection, logger: logger)
                try await connection.query(
                    "UPDATE letter SET provisional_code_id = \(codeID) WHERE id = \(letterID)", logger: logger)
            }
            try await Self.insert(audit, connection, logger: logger)
        }
    }

    /// Spends the provisional code and opens (or reopens, or recovers) the account; the code's
    /// letter, if still waiting to be printed, is withdrawn. The code is spent by a conditional
    /// update: of two concurrent openings with one code, one finds it used and writes nothing.
    public func openAccount(_ opening: AccountOpening, audit: AuditEvent) async throws -> AccountOpeningOutcome {
        try await client.withTransaction(logger: logger) { connection in
            var spent = false
            for try await _ in try await connection.query(
                """
                UPDATE provisional_code SET used_at = \(opening.at)
                WHERE id = \(opening.provisionalCodeID.rawValue) AND used_at IS NULL RETURNING id
                """, logger: logger
            ).decode(Int64.self) {
                spent = true
            }
            guard spent else { return .provisionalCodeAlreadyUsed }
            let person = opening.personID.rawValue
            try await connection.query(
                """
                DELETE FROM letter WHERE provisional_code_id = \(opening.provisionalCodeID.rawValue) AND status = 'pending'
                """, logger: logger)
            try await connection.query(
                """
                INSERT INTO account (person_id, status, code_hash, question, answer_hash, email, email_confirmed,
                    created_at, updated_at)
                VALUES (\(person), 'active', \(opening.codeHash), \(opening.question), \(opening.answerHash),
                    \(opening.email), false, \(opening.at), \(opening.at))
                ON CONFLICT (person_id) DO UPDATE SET status = 'active', code_hash = excluded.code_hash,
                    question = excluded.question, answer_hash = excluded.answer_hash,
                    email_confirmed = (account.email = excluded.email AND account.email_confirmed), email = excluded.email,
                    updated_at = excluded.updated_at, closed_at = NULL
                """, logger: logger)
            try await connection.query(
                """
                INSERT INTO account_period (person_id, opened_at) SELECT \(person), \(opening.at)
                WHERE NOT EXISTS (SELECT 1 FROM account_period WHERE person_id = \(person) AND closed_at IS NULL)
                """, logger: logger)
            try await connection.query("DELETE FROM login_failure WHERE nir = \(opening.nir.body)", logger: logger)
            try await connection.query(
                "UPDATE session SET revoked_at = \(opening.at) WHERE person_id = \(person) AND revoked_at IS NULL",
                logger: logger)
            if let token = opening.emailToken {
                try await connection.query(
                    """
                    INSERT INTO email_token (token_hash, person_id, email, expires_at)
                    VALUES (\(ByteBuffer(bytes: token.hash)), \(person), \(opening.email), \(token.expiresAt))
                    """, logger: logger)
            }
            try await Self.insert(audit, connection, logger: logger)
            return .opened
        }
    }

    /// Uses an e-mail confirmation token: single use, before its expiry (the token row is
    /// locked for the decision).
    public func confirmEmail(tokenHash: [UInt8], at: Int64, channel: String) async throws -> EmailConfirmation {
        try await client.withTransaction(logger: logger) { connection in
            var found: (person: Int64, email: String, expires: Int64, used: Int64?, nir: String)?
            for try await row in try await connection.query(
                """
                SELECT t.person_id, t.email, t.expires_at, t.used_at, p.nir FROM email_token t
                JOIN person p ON p.id = t.person_id WHERE t.token_hash = \(ByteBuffer(bytes: tokenHash)) FOR UPDATE OF t
                """, logger: logger
            ).decode((Int64, String, Int64, Int64?, String).self) {
                found = row
            }
            func audit(_ outcome: String, _ subject: String?) async throws {
                try await Self.insert(
                    AuditEvent(at: at, kind: "email_confirmation", outcome: outcome, subject: subject, channel: channel),
                    connection, logger: logger)
            }
            guard let found else {
                try await audit("unknown_token", nil)
                return .unknown
            }
            let nir = try NIR(parsing: found.nir).masked
            if found.used != nil {
                try await audit("reused_token", nir)
                return .alreadyUsed
            }
            if at >= found.expires {
                try await audit("expired_token", nir)
                return .expired
            }
            try await connection.query(
                "UPDATE email_token SET used_at = \(at) WHERE token_hash = \(ByteBuffer(bytes: tokenHash))", logger: logger)
            var confirmed = false
            for try await _ in try await connection.query(
                """
                UPDATE account SET email_confirmed = true, updated_at = \(at)
                WHERE person_id = \(found.person) AND email = \(found.email) AND status = 'active' RETURNING person_id
                """, logger: logger
            ).decode(Int64.self) {
                confirmed = true
            }
            guard confirmed else {
                try await audit("superseded_token", nir)
                return .superseded
            }
            try await audit("success", nir)
            return .confirmed(personID: InsuredPerson.ID(found.person), email: found.email)
        }
    }

    /// Counts one try of a provisional code before it is checked, if fewer than `maximum` were
    /// made (a conditional update); false, nothing counted, otherwise.
    public func reserveProvisionalCodeAttempt(id: StoredProvisionalCode.ID, maximum: Int) async throws -> Bool {
        for try await _ in try await client.query(
            """
            UPDATE provisional_code SET attempts = attempts + 1 WHERE id = \(id.rawValue) AND attempts < \(maximum)
            RETURNING id
            """, logger: logger
        ).decode(Int64.self) {
            return true
        }
        return false
    }

    /// Gives back a provisional-code try that turned out right (or was never checked).
    public func refundProvisionalCodeAttempt(id: StoredProvisionalCode.ID) async throws {
        try await client.query(
            "UPDATE provisional_code SET attempts = attempts - 1 WHERE id = \(id.rawValue) AND attempts > 0", logger: logger)
    }

    /// Replaces the personal code, revokes every other session, with its audit row.
    public func changeCode(personID: InsuredPerson.ID, codeHash: String, keepSession: [UInt8], at: Int64, audit: AuditEvent)
        async throws
    {
        try await client.withTransaction(logger: logger) { connection in
            try await connection.query(
                "UPDATE account SET code_hash = \(codeHash), updated_at = \(at) WHERE person_id = \(personID.rawValue)",
                logger: logger)
            try await connection.query(
                """
                UPDATE session SET revoked_at = \(at)
                WHERE person_id = \(personID.rawValue) AND revoked_at IS NULL AND token_hash <> \(ByteBuffer(bytes: keepSession))
                """, logger: logger)
            try await Self.insert(audit, connection, logger: logger)
        }
    }

    /// Sets a new, unconfirmed e-mail address and stores its confirmation token.
    public func changeEmail(
        personID: InsuredPerson.ID, email: String, token: (hash: [UInt8], expiresAt: Int64), at: Int64, audit: AuditEvent
    ) async throws {
        try await client.withTransaction(logger: logger) { connection in
            try await connection.query(
                """
                UPDATE account SET email = \(email), email_confirmed = false, updated_at = \(at)
                WHERE person_id = \(personID.rawValue)
                """, logger: logger)
            try await connection.query(
                """
                INSERT INTO email_token (token_hash, person_id, email, expires_at)
                VALUES (\(ByteBuffer(bytes: token.hash)), \(personID.rawValue), \(email), \(token.expiresAt))
                """, logger: logger)
            try await Self.insert(audit, connection, logger: logger)
        }
    }

    /// The periods during which this assuré's account was open, oldest first.
    public func accountPeriods(of personID: InsuredPerson.ID) async throws -> [DeliveryRule.OpenPeriod] {
        var periods: [DeliveryRule.OpenPeriod] = []
        for try await (opened, closed) in try await client.query(
            "SELECT opened_at, closed_at FROM account_period WHERE person_id = \(personID.rawValue) ORDER BY opened_at",
            logger: logger
        ).decode((Int64, Int64?).self) {
            periods.append(
                DeliveryRule.OpenPeriod(
                    from: CivilDate(unixSeconds: opened), until: closed.map { CivilDate(unixSeconds: $0) }))
        }
        return periods
    }

    /// Closes an active account: status, open period, every session, the postal confirmation,
    /// the audit row, in one transaction. False if the account was not active.
    public func closeAccount(personID: InsuredPerson.ID, at: Int64, letter: NewLetter, audit: AuditEvent) async throws
        -> Bool
    {
        try await client.withTransaction(logger: logger) { connection in
            var closed = false
            for try await _ in try await connection.query(
                """
                UPDATE account SET status = 'closed', closed_at = \(at), updated_at = \(at)
                WHERE person_id = \(personID.rawValue) AND status = 'active' RETURNING person_id
                """, logger: logger
            ).decode(Int64.self) {
                closed = true
            }
            guard closed else { return false }
            try await connection.query(
                "UPDATE account_period SET closed_at = \(at) WHERE person_id = \(personID.rawValue) AND closed_at IS NULL",
                logger: logger)
            try await connection.query(
                "UPDATE session SET revoked_at = \(at) WHERE person_id = \(personID.rawValue) AND revoked_at IS NULL",
                logger: logger)
            try await Self.insert(letter, personID: personID, at: at, connection, logger: logger)
            try await Self.insert(audit, connection, logger: logger)
            return true
        }
    }
}

/// Every method of `AccountStore` is above and in PostgresStore+Sessions.swift.
extension PostgresStore: AccountStore {}
