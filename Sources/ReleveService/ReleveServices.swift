import Crypto
import Foundation
import ReleveDomain
import ReleveStore
import ReleveStorePostgres

/// The composition root: from one `ReleveSettings`, the engine, the code hasher, the mailer
/// and every service, wired once. Every CLI command, `demo`, `servir` and the tests build
/// their world here (in the manner of hummingbird-examples' `buildApplication(settings)`);
/// only this file knows which engine is behind `Store`.
public struct ReleveServices: Sendable {
    public let settings: ReleveSettings
    public let accounts: AccountService
    public let federation: FederationService
    public let payments: PaymentsService
    public let statements: StatementService
    public let documents: DocumentService
    public let insurerAPI: InsurerAPIService
    public let printing: PrintService
    public let insurerExports: InsurerExportService
    public let imports: FeedImporter
    public let operations: OperationsService
    public let retention: RetentionService
    /// The web's key for CSRF tokens and sealed form fields, derived from the key file (HKDF with
    /// its own label, so it reveals nothing of the pepper): every node that shares the key file
    /// accepts the others' forms, and a restart invalidates nothing.
    public let formKey: SymmetricKey
    let store: any Store
    /// The read replica's router, when the settings name one (PostgreSQL only).
    let replica: PostgresReplicaRouter?

    /// Opens the engine the settings name and builds the services over it. With
    /// `settings.checkOnOpen`, a damaged base is refused here (exit 74), before any write.
    public static func build(_ settings: ReleveSettings) async throws -> ReleveServices {
        let store: any Store
        do {
            switch settings.database {
            case .sqlite(let path): store = try await SQLiteStore.open(path: path)
            case .postgres(let url): store = try await PostgresStore.open(url: url)
            case .memory: store = try await SQLiteStore.inMemory()
            case .engine(let engine): store = engine
            }
        } catch {
            throw ServiceError.wrap(error)
        }
        do {
            if settings.checkOnOpen { try await store.quickCheck() }
            return try ReleveServices(settings: settings, store: store)
        } catch {
            try? store.close()
            throw ServiceError.wrap(error)
        }
    }

    private init(settings: ReleveSettings, store: any Store) throws {
        let pepper =
            switch settings.pepper {
            case .file(let path): try CodeHasher.loadPepper(at: path)
            case .key(let key): key
            }
        let mail = MailOutbox(delivery: settings.mail)
        self.settings = settings
        self.store = store
        if let url = settings.readReplica, let primary = store as? PostgresStore {
            replica = PostgresReplicaRouter(primary: primary, replicaURL: url, maximumLag: settings.maximumReplicaLag)
        } else {
            replica = nil
        }
        formKey = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: pepper, info: Data("releve-formulaires-v1".utf8), outputByteCount: 32)
        accounts = AccountService(
            store: store, hasher: CodeHasher(pepper: pepper, rounds: settings.kdfRounds), policy: settings.policy, mail: mail,
            publicURL: settings.publicURL)
        federation = FederationService(store: store, accounts: accounts, settings: settings.federation)
        payments = PaymentsService(store: store, reader: replica)
        statements = StatementService(store: store, archive: settings.archive, notices: (mail, settings.publicURL))
        documents = DocumentService(store: store, archive: settings.archive, publicURL: settings.publicURL)
        insurerAPI = InsurerAPIService(store: store)
        printing = PrintService(store: store, archive: settings.archive, directory: settings.printBatches)
        insurerExports = InsurerExportService(store: store, directory: settings.insurerExports)
        imports = FeedImporter(store: store)
        operations = OperationsService(store: store, archive: settings.archive)
        retention = RetentionService(store: store, archive: settings.archive)
    }

    /// The same services with another key-derivation gate for accounts (the web server sizes its own).
    public func with(gate: KDFGate) -> ReleveServices {
        ReleveServices(copying: self, accounts: accounts.with(gate: gate))
    }

    private init(copying other: ReleveServices, accounts: AccountService) {
        settings = other.settings
        store = other.store
        replica = other.replica
        formKey = other.formKey
        self.accounts = accounts
        federation = FederationService(store: other.store, accounts: accounts, settings: other.settings.federation)
        payments = other.payments
        statements = other.statements
        documents = other.documents
        insurerAPI = other.insurerAPI
        printing = other.printing
        insurerExports = other.insurerExports
        imports = other.imports
        operations = other.operations
        retention = other.retention
    }

    /// A backup made by `OperationsService.backup`, restored as a new base by the engine that
    /// wrote it (backups are engine files; the embedded engine's today).
    static func restoreEngine(from source: String, to destination: String) async throws -> (
        backup: BackupReport, restored: BackupReport
    ) {
        try await SQLiteStore.restore(from: source, to: destination)
    }

    /// Which engine, which version, where: for the operator's log.
    public var engineDescription: String { store.engineDescription }

    /// Closes the engine (every service built here stops working).
    public func close() {
        if let replica { Task { await replica.close() } }
        try? store.close()
    }

    /// Whether the payments reads go to the read replica now, and its lag (nil: no replica
    /// configured; lag nil: the replica cannot be reached).
    public func replicaState() async -> (replica: Bool, lag: Double?)? {
        await replica?.state()
    }

    /// Builds, runs `body`, closes, whatever `body` does.
    public static func with<T>(_ settings: ReleveSettings, _ body: (ReleveServices) async throws -> T) async throws -> T {
        let services = try await build(settings)
        defer { services.close() }
        return try await body(services)
    }
}
