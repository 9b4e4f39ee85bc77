import Foundation
import ReleveStore
import ReleveStorePostgres

/// Every store engine the conformance suite runs against. A second engine adds its case here
/// (and its opening below); every test of `StoreConformanceTests` then runs on it too.
public enum StoreEngine: String, CaseIterable, Sendable, CustomStringConvertible {
    case sqliteInMemory = "SQLite en mémoire"
    case sqliteFile = "SQLite sur fichier"
    /// A fresh database on the throwaway cluster of Tests/postgres/grappe.sh, when one runs
    /// (`make test` and CI start it).
    case postgres = "PostgreSQL"

    /// The engines available here: PostgreSQL only when a cluster was started.
    public static var allCases: [StoreEngine] {
        [.sqliteInMemory, .sqliteFile] + (PostgresTestServer.url == nil ? [] : [.postgres])
    }

    public var description: String { rawValue }

    /// A fresh, empty store of this engine, and how to dispose of it.
    public func open() async throws -> (store: any Store, dispose: @Sendable () -> Void) {
        switch self {
        case .sqliteInMemory:
            let store = try await SQLiteStore.inMemory()
            return (store, { try? store.close() })
        case .postgres:
            let (url, drop) = try PostgresTestServer.database()
            let store = try await PostgresStore.open(url: url)
            return (
                store,
                {
                    store.close()
                    drop()
                }
            )
        case .sqliteFile:
            let directory = Fixtures.temporaryDirectory()
            let store = try await SQLiteStore.open(path: directory.appendingPathComponent("base.sqlite").path)
            return (
                store,
                {
                    try? store.close()
                    try? FileManager.default.removeItem(at: directory)
                }
            )
        }
    }
}
