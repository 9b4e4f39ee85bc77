import Foundation
import Logging
import PostgresNIO
import ReleveDomain
import ReleveStore

/// The registry read, sessions and failed-code counters on PostgreSQL (the first methods of
/// `AccountStore`; the protocol is declared when all of them are in).
///
/// Where SQLite relies on its single writer, this engine locks rows: a code attempt is counted
/// under `SELECT … FOR UPDATE` of the NIR's counter row (created first if missing, so two first
/// attempts serialise on it too), so N parallel attempts never evaluate more codes than the
/// policy allows, on one node or several.
extension PostgresStore {
    // MARK: Registry

    /// The assurés of a settled import only, as on SQLite.
    static let settled = "AND id NOT IN (SELECT person_id FROM import_new_person)"

    static let personColumns = """
        id, nir, last_name, first_names, birth_date::text, address_lines, postal_code, city, regime, caisse_code,
        caisse_name, doctor_name, doctor_since::text, long_term_condition
        """

    typealias PersonRow = (
        Int64, String, String, String, String, String, String, String, String, String, String, String?, String?, Bool
    )

    /// The assuré of a row of `personColumns`, with their beneficiaries (read on `connection`).
    static func person(_ row: PersonRow, _ connection: PostgresConnection, logger: Logger) async throws -> StoredPerson {
        let (
            id, nir, lastName, firstNames, birth, lines, postalCode, city, regime, caisseCode, caisseName, doctorName,
            doctorSince, longTerm
        ) = row
        var beneficiaries: [Beneficiary] = []
        let rows = try await connection.query(
            """
            SELECT rank, first_name, birth_date::text, complementaire_code, complementaire_name, noemie_active
            FROM beneficiary WHERE person_id = \(id) ORDER BY rank
            """, logger: logger)
        for try await (rank, firstName, birthDate, code, name, noemie) in rows.decode(
            (Int, String, String, String?, String?, Bool).self)
        {
            let complementaire = try code.map { code throws -> Complementaire in
                try Complementaire(code: code, name: name ?? "", noemieLinkActive: noemie)
            }
            beneficiaries.append(
                try Beneficiary(
                    rank: rank, firstName: firstName, birthDate: CivilDate(parsing: birthDate), complementaire: complementaire))
        }
        var doctor: DoctorDeclaration?
        if let doctorName, let doctorSince {
            doctor = try DoctorDeclaration(name: doctorName, since: CivilDate(parsing: doctorSince))
        }
        let person = try InsuredPerson(
            nir: NIR(parsing: nir), lastName: lastName, firstNames: firstNames, birthDate: CivilDate(parsing: birth),
            address: PostalAddress(lines: lines.split(separator: "\n").map(String.init), postalCode: postalCode, city: city),
            regime: Regime(code: regime), caisse: Caisse(code: caisseCode, name: caisseName), doctor: doctor,
            longTermCondition: longTerm, beneficiaries: beneficiaries)
        return StoredPerson(id: InsuredPerson.ID(id), person: person)
    }

    static func account(personID: Int64, _ connection: PostgresConnection, logger: Logger) async throws -> StoredAccount? {
        let rows = try await connection.query(
            """
            SELECT status, code_hash, question, answer_hash, email, email_confirmed, created_at, updated_at, closed_at
            FROM account WHERE person_id = \(personID)
            """, logger: logger)
        for try await (status, codeHash, question, answerHash, email, confirmed, created, updated, closed) in rows.decode(
            (String, String, Int, String, String, Bool, Int64, Int64, Int64?).self)
        {
            guard let status = StoredAccount.Status(rawValue: status) else {
                throw StoreError.unknownStoredValue(column: "account.status", value: status)
            }
            return StoredAccount(
                personID: InsuredPerson.ID(personID), status: status, codeHash: codeHash, question: question,
                answerHash: answerHash, email: email, emailConfirmed: confirmed, createdAt: created, updatedAt: updated,
                closedAt: closed)
        }
        return nil
    }

    /// The assuré with this NIR (settled imports only) and their account, if any.
    public func accountContext(nir: NIR) async throws -> AccountContext? {
        try await client.withConnection { connection in
            let rows = try await connection.query(
                PostgresQuery(
                    unsafeSQL: "SELECT \(Self.personColumns) FROM person WHERE nir = $1 \(Self.settled)",
                    binds: Self.binds(nir.body)), logger: logger)
            for try await row in rows.decode(PersonRow.self) {
                let person = try await Self.person(row, connection, logger: logger)
                return AccountContext(
                    person: person, account: try await Self.account(personID: person.id.rawValue, connection, logger: logger))
            }
            return nil
        }
    }

    static func binds(_ values: String...) -> PostgresBindings {
        var bindings = PostgresBindings()
        for value in values { bindings.append(value) }
        return bindings
    }

    // MARK: Sessions

    static let sessionQuery = """
        SELECT s.person_id, p.nir, s.channel, s.created_at, s.last_seen_at, s.revoked_at, s.method, s.id_token,
            s.reauthenticated_at
        FROM session s JOIN person p ON p.id = s.person_id WHERE s.token_hash = $1
        """

    static func session(tokenHash: [UInt8], _ connection: PostgresConnection, logger: Logger) async throws
        -> StoredSession?
    {
        var bindings = PostgresBindings()
        bindings.append(ByteBuffer(bytes: tokenHash))
        let rows = try await connection.query(PostgresQuery(unsafeSQL: sessionQuery, binds: bindings), logger: logger)
        for try await (person, nir, channel, created, seen, revoked, method, idToken, reauthenticated) in rows.decode(
            (Int64, String, String, Int64, Int64, Int64?, String, String?, Int64?).self)
        {
            return StoredSession(
                personID: InsuredPerson.ID(person), nir: try NIR(parsing: nir), channel: channel, createdAt: created,
                lastSeenAt: seen, revokedAt: revoked, method: method, idToken: idToken, reauthenticatedAt: reauthenticated)
        }
        return nil
    }

    /// The session whose token hashes to `tokenHash`, with its assuré's NIR.
    public func session(tokenHash: [UInt8]) async throws -> StoredSession? {
        try await client.withConnection { try await Self.session(tokenHash: tokenHash, $0, logger: logger) }
    }

    /// The maintenance message, the session and its assuré with their account, in one
    /// repeatable-read snapshot (the page or API call sees one state).
    public func sessionContext(tokenHash: [UInt8]) async throws -> (
        maintenance: String?, session: StoredSession?, context: AccountContext?
    ) {
        try await client.withConnection { connection in
            try await connection.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", logger: logger)
            do {
                var maintenance: String?
                for try await value in try await connection.query(
                    "SELECT value FROM setting WHERE key = 'maintenance'", logger: logger
                ).decode(String.self) {
                    maintenance = value
                }
                guard let session = try await Self.session(tokenHash: tokenHash, connection, logger: logger) else {
                    try await connection.query("COMMIT", logger: logger)
                    return (maintenance, nil, nil)
                }
                var context: AccountContext?
                let rows = try await connection.query(
                    PostgresQuery(
                        unsafeSQL: "SELECT \(Self.personColumns) FROM person WHERE id = $1",
                        binds: {
                            var b = PostgresBindings()
                            b.append(session.personID.rawValue)
                            return b
                        }()),
                    logger: logger)
                for try await row in rows.decode(PersonRow.self) {
                    let person = try await Self.person(row, connection, logger: logger)
                    context = AccountContext(
                        person: person,
                        account: try await Self.account(personID: person.id.rawValue, connection, logger: logger))
                }
                try await connection.query("COMMIT", logger: logger)
                return (maintenance, session, context)
            } catch {
                _ = try? await connection.query("ROLLBACK", logger: logger)
                throw error
            }
        }
    }

    /// A successful login: clears the NIR's failures and stores the session, audit included.
    public func recordLogin(
        nir: NIR, personID: InsuredPerson.ID, tokenHash: [UInt8], channel: String, at: Int64, audit: AuditEvent
    ) async throws {
        try await client.withTransaction(logger: logger) { connection in
            try await connection.query("DELETE FROM login_failure WHERE nir = \(nir.body)", logger: logger)
            try await connection.query(
                """
                INSERT INTO session (token_hash, person_id, channel, created_at, last_seen_at)
                VALUES (\(ByteBuffer(bytes: tokenHash)), \(personID.rawValue), \(channel), \(at), \(at))
                """, logger: logger)
            try await Self.insert(audit, connection, logger: logger)
        }
    }

    public func touchSession(tokenHash: [UInt8], at: Int64) async throws {
        try await client.query(
            "UPDATE session SET last_seen_at = \(at) WHERE token_hash = \(ByteBuffer(bytes: tokenHash))", logger: logger)
    }

    /// Revokes one session (logout), or with `allOf`, every session of that assuré.
    public func revokeSessions(tokenHash: [UInt8]?, allOf personID: InsuredPerson.ID?, at: Int64, audit: AuditEvent?)
        async throws
    {
        try await client.withTransaction(logger: logger) { connection in
            if let tokenHash {
                try await connection.query(
                    """
                    UPDATE session SET revoked_at = \(at)
                    WHERE token_hash = \(ByteBuffer(bytes: tokenHash)) AND revoked_at IS NULL
                    """, logger: logger)
            }
            if let personID {
                try await connection.query(
                    "UPDATE session SET revoked_at = \(at) WHERE person_id = \(personID.rawValue) AND revoked_at IS NULL",
                    logger: logger)
            }
            if let audit { try await Self.insert(audit, connection, logger: logger) }
        }
    }

    // MARK: Failed-code counters

    public func loginFailures(nir: NIR) async throws -> (failures: Int, last: Int64)? {
        for try await (failures, last) in try await client.query(
            "SELECT failures, last_failure_at FROM login_failure WHERE nir = \(nir.body)", logger: logger
        ).decode((Int, Int64).self) {
            return (failures, last)
        }
        return nil
    }

    /// Counts one more code attempt for this NIR before the code is checked, unless `refuse`
    /// says the NIR is locked: the counter row is locked (`FOR UPDATE`) for the decision, so
    /// parallel attempts, from any node, are decided one after the other.
    public func reserveCodeAttempt(
        nir: NIR, at: Int64, refuse: @escaping @Sendable (_ failures: Int, _ lastFailure: Int64) -> Bool
    ) async throws -> AttemptReservation {
        try await client.withTransaction(logger: logger) { connection in
            try await connection.query(
                """
                INSERT INTO login_failure (nir, failures, last_failure_at) VALUES (\(nir.body), 0, 0)
                ON CONFLICT (nir) DO NOTHING
                """, logger: logger)
            var current = (0, Int64(0))
            for try await row in try await connection.query(
                "SELECT failures, last_failure_at FROM login_failure WHERE nir = \(nir.body) FOR UPDATE", logger: logger
            ).decode((Int, Int64).self) {
                current = row
            }
            if current.0 > 0 && refuse(current.0, current.1) {
                return .refused(failures: current.0, lastFailure: current.1)
            }
            try await connection.query(
                "UPDATE login_failure SET failures = failures + 1, last_failure_at = \(at) WHERE nir = \(nir.body)",
                logger: logger)
            return .reserved(failures: current.0 + 1)
        }
    }

    /// Gives back an attempt reserved but never checked.
    public func refundCodeAttempt(nir: NIR) async throws {
        try await client.withTransaction(logger: logger) { connection in
            try await connection.query(
                "UPDATE login_failure SET failures = failures - 1 WHERE nir = \(nir.body) AND failures > 0", logger: logger)
            try await connection.query("DELETE FROM login_failure WHERE nir = \(nir.body) AND failures = 0", logger: logger)
        }
    }
}
