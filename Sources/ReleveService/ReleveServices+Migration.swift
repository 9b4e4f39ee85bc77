import Foundation
import ReleveStore
import ReleveStorePostgres

/// Moving an embedded installation to PostgreSQL (`releve admin migrer`).
extension ReleveServices {
    public struct MigrationReport: Sendable {
        public var tables: [TableCopy]
        /// The archive as the new base records it, read back from the same folder.
        public var archive: StatementService.ArchiveCheck
    }

    /// Copies this SQLite base whole into the empty PostgreSQL base at `url` (see
    /// `PostgresStore.copy`: one transaction, kept only if every table's count and digest
    /// match), then checks every archived statement and document against the new base. The
    /// key file and the folders stay where they are: the new installation must use them.
    public func migrate(to url: String, progress: (@Sendable (String, Int) -> Void)? = nil) async throws
        -> MigrationReport
    {
        try await store.truncatingLog { try await copy(to: url, progress: progress) }
    }

    private func copy(to url: String, progress: (@Sendable (String, Int) -> Void)?) async throws -> MigrationReport {
        guard let source = store as? SQLiteStore else {
            throw ServiceError.invalidValue(
                .invalid(field: "base", reason: "la base d'origine doit être un fichier SQLite (--base CHEMIN)"))
        }
        guard url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") else {
            throw ServiceError.invalidValue(.invalid(field: "vers", reason: "une adresse postgres://… est attendue"))
        }
        do {
            let destination = try await PostgresStore.open(url: url)
            defer { destination.close() }
            guard try await destination.isEmptyBase() else {
                throw ServiceError.outputUnwritable(
                    path: ReleveSettings.redacted(url),
                    reason: "la base de destination n'est pas vide : la copie se fait dans une base neuve")
            }
            let tables = try await destination.copy(from: source, progress: progress)
            let archive = try await StatementService(store: destination, archive: settings.archive).verifyArchive()
            return MigrationReport(tables: tables, archive: archive)
        } catch let error as ServiceError {
            throw error
        } catch {
            throw ServiceError.wrap(error)
        }
    }
}
