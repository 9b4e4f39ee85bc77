import Foundation
import ReleveDomain
import ReleveStore

/// The operator's safety net, for the faces: backups, restores and full verification, so that
/// the CLI never reaches into the store for them (SECURITY.md goal 27, issue 10).
public struct OperationsService: Sendable {
    let store: any Store
    let archive: String

    public init(store: any Store, archive: String) {
        self.store = store
        self.archive = archive
    }

    /// What a backup or a restore holds: file, size, counts, content digest.
    public struct Snapshot: Sendable, Equatable {
        public var path: String
        public var bytes: Int64
        public var persons: Int
        public var payments: Int
        public var paymentLines: Int
        public var statements: Int
        public var contentDigest: String

        init(_ report: BackupReport) {
            path = report.path
            bytes = report.bytes
            persons = report.statistics.persons
            payments = report.statistics.payments
            paymentLines = report.statistics.paymentLines
            statements = report.statements
            contentDigest = report.contentDigest
        }
    }

    /// A consistent copy of the base at `destination` (0600), and beside it
    /// `destination.manifeste.csv`: reference, file and SHA-256 of every archived statement and
    /// document.
    public func backup(to destination: String) async throws -> Snapshot {
        let report = try await store.backup(to: destination)
        var manifest = "reference,fichier,sha256\n"
        var last: ArchivedStatement.ID?
        while true {
            let batch = try await store.archivedFiles(after: last, limit: 4096)
            guard let end = batch.last else { break }
            for entry in batch { manifest += "\(entry.reference),\(entry.file),\(entry.sha256)\n" }
            last = end.id
        }
        var lastReference: String?
        while true {
            let batch = try await store.documentFiles(after: lastReference, limit: 4096)
            guard let end = batch.last else { break }
            for entry in batch { manifest += "\(entry.reference),\(entry.file),\(entry.sha256)\n" }
            lastReference = end.reference
        }
        try AtomicFile.write(Array(manifest.utf8), to: destination + ".manifeste.csv", mode: 0o600)
        return Snapshot(report)
    }

    /// Restores `source` as a new base at `destination` (which must not exist) and checks it.
    public static func restore(from source: String, to destination: String) async throws -> (
        backup: Snapshot, restored: Snapshot
    ) {
        let (backup, restored) = try await ReleveServices.restoreEngine(from: source, to: destination)
        return (Snapshot(backup), Snapshot(restored))
    }

    /// What `verify` found.
    public struct Verification: Sendable {
        /// Set when SQLite could not even read the base through (SQLITE_CORRUPT).
        public var damage: String?
        /// `integrity_check` and `foreign_key_check` findings.
        public var problems: [String]
        public var archive: StatementService.ArchiveCheck?
        public var intact: Bool { damage == nil && problems.isEmpty && (archive?.problems.isEmpty ?? false) }
    }

    /// The full check: the base, then (if it can be read) every archived statement.
    public func verify(progress: (@Sendable (Int) -> Void)? = nil) async throws -> Verification {
        let problems: [String]
        do {
            problems = try await store.integrityProblems()
        } catch StoreError.corrupt(let detail) {
            return Verification(damage: String(detail.prefix(300)), problems: [], archive: nil)
        }
        let archive = try await StatementService(store: store, archive: archive).verifyArchive(progress: progress)
        return Verification(damage: nil, problems: problems, archive: archive)
    }
}

extension OperationsService {
    /// How much the base holds.
    public func statistics() async throws -> StoreStatistics {
        try await store.statistics()
    }
}
