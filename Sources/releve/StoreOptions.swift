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

    func open() async throws -> ReleveStore {
        try await CLI.run { try await ReleveStore.open(path: resolvedPath) }
    }
}
