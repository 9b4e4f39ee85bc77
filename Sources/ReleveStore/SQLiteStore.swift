import Foundation
import GRDB
import ReleveDomain

#if canImport(Glibc)
    import Glibc
#endif

/// The single door to the database (STYLE.md habit 6).
///
/// Public methods are async, named after intents, and take and return domain values only:
/// no GRDB or SQLite type crosses this boundary, so a PostgreSQL store can later sit behind
/// the same shape.
///
/// On disk: WAL, `synchronous=FULL`, `foreign_keys=ON`, one writer connection plus readers,
/// every write in `BEGIN IMMEDIATE` under an exclusive lock file, a busy timeout, and a
/// startup self-check that refuses any other setting.
public final class SQLiteStore: Sendable {
    let writer: any DatabaseWriter
    let lock: FileLock?
    /// Held for a whole import (imports run one at a time), while `lock` is taken and
    /// released around each of its chunks.
    let importLock: FileLock?
    /// `sqlite_version()`, logged at startup.
    public let sqliteVersion: String
    /// Set once damage is seen (SQLITE_CORRUPT, a failed quick check): from then on this store
    /// refuses every write, so nothing is written on top of a damaged file.
    let damage = DamageFlag()
    public let path: String?

    /// Settings a test may weaken to prove the self-check refuses them.
    struct Settings: Sendable {
        var synchronous = "FULL"
        var busyTimeoutSeconds: Double = 10
    }

    /// Opens (creating if needed) the database file at `path` and migrates it.
    public static func open(path: String) async throws -> SQLiteStore {
        try await open(path: path, settings: Settings())
    }

    static func open(path: String, settings: Settings) async throws -> SQLiteStore {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw StoreError.cannotOpen(path: path, reason: "le dossier « \(directory) » n'existe pas")
        }
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw StoreError.cannotOpen(path: path, reason: "c'est un dossier")
        }
        // Lock files this call creates go away again if the base cannot be opened (a wrong
        // `--base` leaves nothing behind).
        let lockFiles = [path + ".lock", path + ".import.lock"].filter { !FileManager.default.fileExists(atPath: $0) }
        do {
            return try await openChecked(path: path, settings: settings)
        } catch {
            for file in lockFiles { try? FileManager.default.removeItem(atPath: file) }
            throw error
        }
    }

    private static func openChecked(path: String, settings: Settings) async throws -> SQLiteStore {
        let lock = try FileLock(path: path + ".lock")
        // Created 0600 before SQLite opens it: SQLite gives the -wal and -shm files the mode of
        // the base, so none of the three is ever readable by other users (SECURITY.md goal 28).
        let created = Glibc.open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        if created >= 0 { Glibc.close(created) }
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(settings.busyTimeoutSeconds)
        // Whenever the log restarts from its beginning (after a checkpoint that every reader
        // has let through), SQLite cuts the file back to this size: a long import or a big
        // batch never leaves a log as large as its biggest transaction on disk.
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA journal_size_limit = \(SQLiteStore.logSizeLimit)")
        }
        let pool: DatabasePool
        do {
            // Creating the file and switching it to WAL are writes: take the lock.
            pool = try lock.withLock { try DatabasePool(path: path, configuration: configuration) }
            // GRDB sets NORMAL on the writer when it enables WAL; commits that people were told
            // are done must survive a power loss, so the one writer connection syncs FULL.
            try await pool.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA synchronous = \(settings.synchronous)")
            }
        } catch let error as DatabaseError {
            throw StoreError.cannotOpen(path: path, reason: Self.french(error))
        }
        let store = SQLiteStore(writer: pool, lock: lock, importLock: try FileLock(path: path + ".import.lock"), path: path)
        try await store.selfCheck(expectWAL: true)
        try await store.migrate()
        return store
    }

    /// A fresh private in-memory database, for tests and throw-away runs.
    public static func inMemory() async throws -> SQLiteStore {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        let queue = try DatabaseQueue(configuration: configuration)
        let store = SQLiteStore(writer: queue, lock: nil, importLock: nil, path: nil)
        try await store.selfCheck(expectWAL: false)
        try await store.migrate()
        return store
    }

    /// A read-only base (a backup being checked): no lock, never written.
    convenience init(readOnly queue: DatabaseQueue, path: String) {
        self.init(writer: queue, lock: nil, importLock: nil, path: path)
    }

    private init(writer: any DatabaseWriter, lock: FileLock?, importLock: FileLock?, path: String?) {
        self.writer = writer
        self.lock = lock
        self.importLock = importLock
        self.path = path
        self.sqliteVersion =
            (try? writer.unsafeReentrantRead { db in try String.fetchOne(db, sql: "SELECT sqlite_version()") })
            .flatMap { $0 } ?? "?"
    }

    /// Refuses to run with settings that could lose or corrupt committed data (SECURITY.md goal 23).
    func selfCheck(expectWAL: Bool) async throws {
        let (journal, synchronous, foreignKeys) = try await writer.writeWithoutTransaction { db in
            (
                try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "",
                try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1,
                try Int.fetchOne(db, sql: "PRAGMA foreign_keys") ?? 0
            )
        }
        if expectWAL && journal.lowercased() != "wal" {
            throw StoreError.unsafeSettings("journal_mode=\(journal) au lieu de wal")
        }
        // 2 = FULL. An in-memory database has nothing to sync.
        if expectWAL && synchronous != 2 {
            throw StoreError.unsafeSettings("synchronous=\(synchronous) au lieu de FULL (2)")
        }
        if foreignKeys != 1 {
            throw StoreError.unsafeSettings("foreign_keys désactivé")
        }
    }

    func migrate() async throws {
        let migrator = Migrations.migrator
        try await write { db in
            let applied = try migrator.appliedIdentifiers(db)
            let known = Set(migrator.migrations)
            let unknown = applied.filter { !known.contains($0) }
            if !unknown.isEmpty { throw StoreError.newerSchema(unknown.sorted()) }
        }
        // Migrating is a write: under the lock like every other one.
        do {
            try withWriteLock { try migrator.migrate(writer) }
        } catch let error as DatabaseError {
            throw StoreError.database(error.description)
        }
    }

    /// The identifiers of the migrations applied, oldest first.
    public func appliedMigrations() async throws -> [String] {
        try await read { db in try Migrations.migrator.appliedIdentifiers(db).sorted() }
    }

    /// Every migration this build knows, in order.
    public static var knownMigrations: [String] { Migrations.migrator.migrations }

    /// Closes the connections; the last close may checkpoint, so it takes the lock too.
    public func close() throws {
        if let pool = writer as? DatabasePool {
            try withWriteLock { try pool.close() }
        }
    }

    // MARK: Access helpers (internal: GRDB stays inside this module)

    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await writer.read(body)
        } catch {
            throw failure(error)
        }
    }

    /// `PRAGMA quick_check`: every page and index entry read once (no cross-check of indexes
    /// against tables). Commands that write in bulk run it when they open the base; a damaged
    /// base is reported and nothing is written (exit 74).
    public func quickCheck() async throws {
        let result = try await read { db in try String.fetchAll(db, sql: "PRAGMA quick_check") }
        guard result == ["ok"] else {
            damage.set()
            throw StoreError.corrupt("quick_check: " + result.prefix(5).joined(separator: "; "))
        }
    }

    /// Maps a database error and remembers damage.
    func failure(_ error: any Error) -> any Error {
        let mapped = Self.storeError(error)
        if case StoreError.corrupt = mapped { damage.set() }
        return mapped
    }

    /// The store's vocabulary for what a database call threw: damage and a full disk are told
    /// apart (exit 74, never a write after), and a stored value that no longer passes the
    /// domain's checks fails this one read only.
    static func storeError(_ error: any Error) -> any Error {
        switch error {
        case let error as DatabaseError:
            switch error.resultCode {
            case .SQLITE_CORRUPT, .SQLITE_NOTADB: return StoreError.corrupt(error.description)
            case .SQLITE_FULL: return StoreError.diskFull(error.description)
            case .SQLITE_IOERR:
                // SQLite reports ENOSPC as SQLITE_FULL, but EDQUOT and EFBIG (a file size limit)
                // as a failed write, sync or truncation.
                switch error.extendedResultCode {
                case .SQLITE_IOERR_WRITE, .SQLITE_IOERR_FSYNC, .SQLITE_IOERR_TRUNCATE, .SQLITE_IOERR_SHMSIZE:
                    return StoreError.diskFull(error.description)
                default: return StoreError.database(error.description)
                }
            default: return StoreError.database(error.description)
            }
        case let error as DomainError:
            return StoreError.invalidStoredData(error.debugDescription)
        default:
            return error
        }
    }

    /// One write transaction, `BEGIN IMMEDIATE`, under the lock file. Rolled back if `body` throws.
    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await writeOutsideTransaction { db in
            var result: T?
            try db.inTransaction(.immediate) {
                result = try body(db)
                return .commit
            }
            return result!
        }
    }

    func writeOutsideTransaction<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        let lock = self.lock
        if damage.isSet { throw StoreError.corrupt("écritures suspendues : la base a été trouvée endommagée") }
        do {
            return try await writer.writeWithoutTransaction { db in
                if let lock {
                    return try lock.withLock { try body(db) }
                }
                return try body(db)
            }
        } catch {
            throw failure(error)
        }
    }

    private func withWriteLock<T>(_ body: () throws -> T) throws -> T {
        if let lock { return try lock.withLock(body) }
        return try body()
    }

    static func french(_ error: DatabaseError) -> String {
        switch error.resultCode {
        case .SQLITE_CANTOPEN: "fichier impossible à ouvrir ou à créer (droits ? dossier ?)"
        case .SQLITE_NOTADB: "ce fichier n'est pas une base Releve (ni même SQLite)"
        case .SQLITE_CORRUPT:
            "le fichier est endommagé ; rien n'a été écrit : restaurez la dernière sauvegarde (releve admin restaurer)"
        case .SQLITE_READONLY: "le fichier est en lecture seule"
        case .SQLITE_BUSY, .SQLITE_LOCKED: "la base est occupée par un autre programme"
        case .SQLITE_FULL: "le disque est plein"
        default: "erreur SQLite \(error.resultCode.rawValue)"
        }
    }
}

/// Whether damage was seen; shared by every task using the store.
final class DamageFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false

    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}

extension SQLiteStore: AccountStore, AuditStore, DocumentStore, InsurerClientStore, OperationsStore, PaperStore, PaymentStore,
    SettingsStore,
    StatementStore
{
    public var engineDescription: String { "SQLite \(sqliteVersion), base \(path ?? "en mémoire")" }
}
