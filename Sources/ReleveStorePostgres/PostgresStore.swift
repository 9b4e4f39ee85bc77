import Foundation
import Logging
import PostgresNIO
import ReleveDomain
import ReleveStore

/// The PostgreSQL engine (issue 13, in progress): a bounded pool of connections
/// (`PostgresClient`), migrations applied under an advisory lock, a newer schema refused.
/// It implements the store protocols one by one (settings and audit so far); it becomes a
/// `Store`, selectable with `--base postgres://…`, when every protocol is in and the
/// conformance suite passes on it.
public final class PostgresStore: Sendable {
    let client: BoundedPool
    private let running: Task<Void, Never>
    let logger: Logger
    public let url: String

    /// The key of the advisory lock that serialises migrations across processes.
    static let migrationLock: Int64 = 7_265_766_500

    /// Where the server is, from `postgres://user[:password]@host[:port]/base` (`?sslmode=require`
    /// for TLS). A password is better given by `PGPASSWORD` than in the URL.
    struct Endpoint {
        var host: String
        var port: Int
        var username: String
        var password: String?
        var database: String?
        var requireTLS: Bool
        /// Connections per process (`RELEVE_PG_CONNEXIONS`, default 16).
        var poolSize = 16
        static let connectTimeout: TimeAmount = .seconds(5)

        var client: PostgresClient.Configuration {
            var configuration = PostgresClient.Configuration(
                host: host, port: port, username: username, password: password, database: database,
                tls: requireTLS ? .require(.makeClientConfiguration()) : .disable)
            configuration.options.connectTimeout = .seconds(5)
            configuration.options.maximumConnections = poolSize
            return configuration
        }

        func connection() throws -> PostgresConnection.Configuration {
            var configuration = PostgresConnection.Configuration(
                host: host, port: port, username: username, password: password, database: database,
                tls: requireTLS ? .require(try NIOSSLContext(configuration: .makeClientConfiguration())) : .disable)
            configuration.options.connectTimeout = Self.connectTimeout
            return configuration
        }
    }

    static func endpoint(url: String, environment: [String: String] = ProcessInfo.processInfo.environment)
        throws(StoreError) -> Endpoint
    {
        guard let components = URLComponents(string: url), ["postgres", "postgresql"].contains(components.scheme),
            let host = components.host, !host.isEmpty
        else {
            throw .cannotOpen(path: redacted(url), reason: "adresse PostgreSQL attendue : postgres://utilisateur@hôte:port/base")
        }
        let database = String(components.path.drop { $0 == "/" })
        var endpoint = Endpoint(
            host: host, port: components.port ?? 5432, username: components.user ?? "postgres",
            password: components.password ?? environment["PGPASSWORD"], database: database.isEmpty ? nil : database,
            requireTLS: components.queryItems?.first { $0.name == "sslmode" }?.value == "require")
        if let size = environment["RELEVE_PG_CONNEXIONS"].flatMap(Int.init), (1...1_000).contains(size) {
            endpoint.poolSize = size
        }
        return endpoint
    }

    /// One direct connection, closed at once: the pool retries a server that refuses (and trips
    /// a circuit breaker a minute later), so the real cause — no server, a wrong password, an
    /// unknown base — is read here first, within the 5 s connect timeout.
    static func probe(_ endpoint: Endpoint, logger: Logger) async throws -> String {
        let connection = try await PostgresConnection.connect(
            configuration: try endpoint.connection(), id: 0, logger: logger)
        var version = "?"
        for try await value in try await connection.query("SHOW server_version", logger: logger).decode(String.self) {
            version = value
        }
        try await connection.close()
        return version
    }

    /// The URL without its password, for messages.
    static func redacted(_ url: String) -> String {
        guard var components = URLComponents(string: url), components.password != nil else { return url }
        components.password = "***"
        return components.string ?? url
    }

    /// The server's version, read at opening (for the operator's log).
    public let serverVersion: String
    /// The URL as given (with its password), for `pg_dump`; never printed.
    let connectionURL: String

    private init(
        client: BoundedPool, running: Task<Void, Never>, url: String, connectionURL: String, serverVersion: String,
        logger: Logger
    ) {
        self.client = client
        self.running = running
        self.url = url
        self.connectionURL = connectionURL
        self.serverVersion = serverVersion
        self.logger = logger
    }

    /// Connects (5 s at most), then applies the missing migrations. An unreachable server, a
    /// refused login or a newer schema throw `StoreError` with the cause in French.
    /// Opens the base at `url`. `replica`: a read-only standby — nothing is migrated there; its
    /// schema (replayed from the primary) must be one this Releve knows.
    public static func open(url: String, replica: Bool = false) async throws -> PostgresStore {
        let endpoint = try endpoint(url: url)
        // Errors reach the caller as thrown errors, in French; the pool's own chatter (a first
        // lease racing its run loop's start) stays out of the operator's terminal.
        var logger = Logger(label: "releve.postgres")
        logger.logLevel = .error
        let version: String
        do {
            version = try await probe(endpoint, logger: logger)
        } catch {
            throw Self.storeError(error, url: redacted(url))
        }
        let client = BoundedPool(
            pool: PostgresClient(configuration: endpoint.client, backgroundLogger: logger), limit: endpoint.poolSize,
            url: redacted(url), role: replica ? "replica" : "primary")
        let running = Task { await client.run() }
        let store = PostgresStore(
            client: client, running: running, url: redacted(url), connectionURL: url, serverVersion: version, logger: logger)
        do {
            if replica { try await store.checkReplicaSchema() } else { try await store.migrate() }
        } catch {
            store.close()
            throw Self.storeError(error, url: store.url)
        }
        return store
    }

    /// A standby's schema: made (replayed), and no newer than this Releve's.
    func checkReplicaSchema() async throws {
        let known = Set(PostgresSchema.migrations.map(\.version))
        var applied: Set<Int> = []
        for try await version in try await client.query("SELECT version FROM releve_schema", logger: logger).decode(Int.self) {
            applied.insert(version)
        }
        let unknown = applied.subtracting(known)
        guard unknown.isEmpty else { throw StoreError.newerSchema(unknown.sorted().map { "postgres v\($0)" }) }
        guard applied == known else {
            throw StoreError.cannotOpen(
                path: url,
                reason: "la réplique n'a pas encore le schéma de cette version (lancez une commande sur la base principale)")
        }
    }

    /// Stops the pool (every query after this fails).
    public func close() {
        running.cancel()
    }

    /// Applies the missing migrations in one transaction holding the advisory lock: a second
    /// process migrating at the same time waits, then finds nothing left to do. A base that
    /// knows a version this Releve does not is refused, unchanged.
    func migrate() async throws {
        try await client.withTransaction(logger: logger) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(Self.migrationLock))", logger: logger)
            try await connection.query(
                """
                CREATE TABLE IF NOT EXISTS releve_schema (
                    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())
                """, logger: logger)
            var applied: Set<Int> = []
            for try await version in try await connection.query("SELECT version FROM releve_schema", logger: logger)
                .decode(Int.self)
            {
                applied.insert(version)
            }
            let known = Set(PostgresSchema.migrations.map(\.version))
            let unknown = applied.subtracting(known)
            guard unknown.isEmpty else {
                throw StoreError.newerSchema(unknown.sorted().map { "postgres v\($0)" })
            }
            for migration in PostgresSchema.migrations where !applied.contains(migration.version) {
                for statement in PostgresSchema.statements(migration.sql) {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query(
                    "INSERT INTO releve_schema (version, name) VALUES (\(migration.version), \(migration.name))",
                    logger: logger)
            }
        }
    }

    /// The versions applied, in order (tests and the operator's log).
    public func schemaVersions() async throws -> [Int] {
        var versions: [Int] = []
        for try await version in try await client.query(
            "SELECT version FROM releve_schema ORDER BY version", logger: logger
        ).decode(Int.self) {
            versions.append(version)
        }
        return versions
    }

    /// A PostgreSQL or connection error as the store's error, with its cause in French.
    static func storeError(_ error: any Error, url: String) -> any Error {
        if error is StoreError { return error }
        if let failed = error as? PostgresTransactionError {
            // The transaction rolled back: what matters is why.
            if let inner = failed.closureError ?? failed.beginError { return storeError(inner, url: url) }
        }
        if let error = error as? PSQLError {
            switch error.code {
            case .connectionError, .unexpectedBackendMessage, .serverClosedConnection, .clientClosedConnection:
                return StoreError.unavailable(
                    path: url,
                    reason: "serveur PostgreSQL injoignable (\(error.underlying.map { "\($0)" } ?? "connexion refusée"))")
            case .server:
                let sqlState = error.serverInfo?[.sqlState] ?? ""
                let message = error.serverInfo?[.message] ?? ""
                if sqlState.hasPrefix("28") {
                    return StoreError.cannotOpen(path: url, reason: "connexion refusée par le serveur : \(message)")
                }
                if sqlState == "3D000" {
                    return StoreError.cannotOpen(path: url, reason: "base inconnue du serveur : \(message)")
                }
                return StoreError.database("\(sqlState) \(message)")
            default:
                return StoreError.database("\(error.code)")
            }
        }
        return StoreError.cannotOpen(path: url, reason: "\(error)")
    }
}

extension PostgresStore: AuditStore {
    public func appendAudit(_ events: [AuditEvent]) async throws {
        guard !events.isEmpty else { return }
        try await client.withTransaction(logger: logger) { connection in
            for event in events { try await Self.insert(event, connection, logger: logger) }
        }
    }

    static func insert(_ e: AuditEvent, _ connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query(
            """
            INSERT INTO audit_event (at, kind, outcome, subject, channel, detail)
            VALUES (\(e.at), \(e.kind), \(e.outcome), \(e.subject), \(e.channel), \(e.detail))
            """, logger: logger)
    }

    public func auditEvents(limit: Int) async throws -> [AuditEvent] {
        var events: [AuditEvent] = []
        let rows = try await client.query(
            "SELECT at, kind, outcome, subject, channel, detail FROM audit_event ORDER BY id DESC LIMIT \(limit)",
            logger: logger)
        for try await (at, kind, outcome, subject, channel, detail) in rows.decode(
            (Int64, String, String, String?, String?, String?).self)
        {
            events.append(
                AuditEvent(at: at, kind: kind, outcome: outcome, subject: subject, channel: channel, detail: detail))
        }
        return events.reversed()
    }
}

extension PostgresStore: SettingsStore {
    public func maintenanceMessage() async throws -> String? {
        try await setting("maintenance")
    }

    public func setMaintenance(_ message: String?, audit: AuditEvent) async throws {
        try await client.withTransaction(logger: logger) { connection in
            if let message {
                try await Self.upsertSetting("maintenance", message, connection, logger: logger)
            } else {
                try await connection.query("DELETE FROM setting WHERE key = 'maintenance'", logger: logger)
            }
            try await Self.insert(audit, connection, logger: logger)
        }
    }

    public func setting(_ key: String) async throws -> String? {
        let rows = try await client.query("SELECT value FROM setting WHERE key = \(key)", logger: logger)
        for try await value in rows.decode(String.self) { return value }
        return nil
    }

    public func setSetting(_ key: String, _ value: String, audit: AuditEvent) async throws {
        try await client.withTransaction(logger: logger) { connection in
            try await Self.upsertSetting(key, value, connection, logger: logger)
            try await Self.insert(audit, connection, logger: logger)
        }
    }

    static func upsertSetting(_ key: String, _ value: String, _ connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query(
            "INSERT INTO setting (key, value) VALUES (\(key), \(value)) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            logger: logger)
    }
}
