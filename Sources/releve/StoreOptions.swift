import ArgumentParser
import Foundation
import ReleveService

/// The options every command that touches the database shares.
struct StoreOptions: ParsableArguments {
    @Option(
        name: .customLong("base"),
        help: ArgumentHelp(
            "Chemin de la base de données (par défaut ./releve.sqlite, ou la variable RELEVE_BASE).",
            valueName: "CHEMIN"))
    var path: String?

    @Option(
        name: .customLong("base-lecture"),
        help: ArgumentHelp(
            "Réplique PostgreSQL en flux pour les lectures des paiements (ou RELEVE_BASE_LECTURE) ; la base principale reprend si elle est en retard de plus de RELEVE_RETARD_LECTURE_MAX secondes (5 par défaut) ou injoignable.",
            valueName: "postgres://…"))
    var replica: String?

    /// The installation's settings: the base, and everything else beside it.
    func settings() -> ReleveSettings {
        ReleveSettings.beside(base: path, readReplica: replica)
    }

    /// Builds the services over these settings, runs `body`, closes them; errors become French
    /// messages and exit codes. With `check`, the engine's quick check runs first (commands
    /// that write in bulk): a damaged base exits 74 before anything is written.
    func withServices<T>(check: Bool = false, _ body: (ReleveServices) async throws -> T) async throws -> T {
        var settings = settings()
        settings.checkOnOpen = check
        return try await CLI.open(settings, body)
    }
}
