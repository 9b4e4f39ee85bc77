import ArgumentParser
import Foundation
import ReleveService
import ReleveStore

/// The options every command that touches the database shares.
struct StoreOptions: ParsableArguments {
    @Option(
        name: .customLong("base"),
        help: ArgumentHelp(
            "Chemin de la base de données (par défaut ./releve.sqlite, ou la variable RELEVE_BASE).",
            valueName: "CHEMIN"))
    var path: String?

    var resolvedPath: String {
        path ?? ProcessInfo.processInfo.environment["RELEVE_BASE"] ?? "releve.sqlite"
    }

    /// Opens the base; with `check`, runs SQLite's quick check first (commands that write in
    /// bulk, and the server at start): a damaged base exits 74 before anything is written.
    func open(check: Bool = false) async throws -> ReleveStore {
        try await CLI.run {
            let store = try await ReleveStore.open(path: resolvedPath)
            if check {
                do { try await store.quickCheck() } catch {
                    try? store.close()
                    throw error
                }
            }
            return store
        }
    }
}
