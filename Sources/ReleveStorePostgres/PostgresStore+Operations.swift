import Crypto
import Foundation
import Logging
import PostgresNIO
import ReleveDomain
import ReleveStore

/// The engine itself on PostgreSQL: figures, checks, a content digest, a backup by `pg_dump`.
extension PostgresStore: OperationsStore {
    public var engineDescription: String { "PostgreSQL \(serverVersion) (\(url))" }

    func count(_ sql: String) async throws -> Int {
        for try await value in try await client.query(PostgresQuery(unsafeSQL: sql), logger: logger).decode(Int.self) {
            return value
        }
        return 0
    }

    public func statistics() async throws -> StoreStatistics {
        StoreStatistics(
            persons: try await count("SELECT count(*) FROM person"),
            beneficiaries: try await count("SELECT count(*) FROM beneficiary"),
            payments: try await count("SELECT count(*) FROM payment"),
            paymentLines: try await count("SELECT count(*) FROM payment_line"),
            importedFiles: try await count("SELECT count(*) FROM import_ledger WHERE state = 'done'"))
    }

    /// The server answers and the schema is there (PostgreSQL checks its pages itself; amcheck
    /// is the operator's deeper tool).
    public func quickCheck() async throws {
        guard try await count("SELECT count(*) FROM releve_schema") > 0 else {
            throw StoreError.corrupt("la table releve_schema est vide : ce n'est pas une base Releve")
        }
    }

    /// The model's invariants the constraints do not state: every payment has lines, every line
    /// its payment's date (the partition key), every statement's payments their statement.
    public func integrityProblems() async throws -> [String] {
        var problems: [String] = []
        let checks = [
            (
                "paiements sans ligne",
                "SELECT count(*) FROM payment p WHERE NOT EXISTS (SELECT 1 FROM payment_line l WHERE l.person_id = p.person_id AND l.payment_id = p.id)"
            ),
            (
                "lignes à une autre date que leur paiement",
                "SELECT count(*) FROM payment_line l JOIN payment p ON p.person_id = l.person_id AND p.id = l.payment_id WHERE l.payment_date <> p.payment_date"
            ),
            // More payments than the statement says it covers is damage; fewer is retention
            // (payments leave the base after their months online, their statements stay).
            (
                "relevés couvrant plus de paiements qu'ils n'en comptent",
                "SELECT count(*) FROM statement s WHERE s.payments < (SELECT count(*) FROM payment p WHERE p.statement_id = s.id)"
            ),
        ]
        for (label, sql) in checks {
            let n = try await count(sql)
            if n > 0 { problems.append("\(label) : \(n)") }
        }
        return problems
    }

    /// A SHA-256 over the business content in a stable order, without row ids or timestamps:
    /// the same lines as `SQLiteStore.contentDigest` writes, so equal data gives equal digests
    /// on both engines.
    public func contentDigest() async throws -> String {
        var hasher = SHA256()
        let queries = [
            "SELECT nir || '|' || encode(content_hash, 'hex') FROM person ORDER BY nir",
            "SELECT p.nir || '|' || b.rank || '|' || b.first_name || '|' || b.birth_date || '|' || coalesce(b.complementaire_code, '') || '|' || (CASE WHEN b.noemie_active THEN 1 ELSE 0 END) FROM beneficiary b JOIN person p ON p.id = b.person_id ORDER BY p.nir, b.rank",
            "SELECT reference || '|' || encode(content_hash, 'hex') || '|' || payment_date FROM payment ORDER BY reference",
            "SELECT p.reference || '|' || l.position || '|' || l.care_date || '|' || l.kind || '|' || l.act_code || '|' || l.paid || '|' || l.base || '|' || l.rate_bp || '|' || l.reimbursed FROM payment_line l JOIN payment p ON p.person_id = l.person_id AND p.id = l.payment_id ORDER BY p.reference, l.position",
            "SELECT sha256 FROM import_ledger WHERE state = 'done' ORDER BY sha256",
        ]
        for sql in queries {
            for try await line in try await client.query(PostgresQuery(unsafeSQL: sql), logger: logger).decode(String.self) {
                hasher.update(data: Array(line.utf8))
                hasher.update(data: [0x0A])
            }
        }
        return French.hex(hasher.finalize())
    }

    /// PostgreSQL recycles its own log segments (`max_wal_size`, checkpoints): nothing to give back.
    public func truncateLog() async throws -> LogTruncation {
        LogTruncation(bytesBefore: 0, bytesAfter: 0, complete: true)
    }

    /// A consistent copy with `pg_dump --format=custom` (one snapshot), written under a
    /// temporary name then renamed, mode 0600; the figures are the live base's at the same time.
    public func backup(to destination: String) async throws -> BackupReport {
        guard !FileManager.default.fileExists(atPath: destination) else {
            throw StoreError.cannotOpen(path: destination, reason: "le fichier existe déjà ; choisissez un nouveau nom")
        }
        let temporary = destination + ".partiel-\(getpid())"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/pg_dump")
        process.arguments = ["--format=custom", "--file=\(temporary)", "--dbname=\(connectionURL)"]
        let errors = Pipe()
        process.standardError = errors
        do {
            try process.run()
        } catch {
            throw StoreError.cannotOpen(path: destination, reason: "pg_dump introuvable (paquet postgresql-client)")
        }
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            unlink(temporary)
            throw StoreError.cannotOpen(
                path: destination, reason: "pg_dump : " + String(decoding: message, as: UTF8.self).prefix(300))
        }
        chmod(temporary, 0o600)
        guard rename(temporary, destination) == 0 else {
            unlink(temporary)
            throw StoreError.cannotOpen(path: destination, reason: String(cString: strerror(errno)))
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: destination)[.size] as? NSNumber)?.int64Value ?? 0
        return BackupReport(
            path: destination, bytes: size, statistics: try await statistics(), statements: try await statementCount(),
            contentDigest: try await contentDigest())
    }
}
