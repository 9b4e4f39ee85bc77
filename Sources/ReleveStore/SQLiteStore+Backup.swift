import Foundation
import GRDB

#if canImport(Glibc)
    import Glibc
#endif

/// Backups (SECURITY.md goal 27): SQLite's online backup API, run inside one read transaction,
/// so the copy is a consistent snapshot even while another process imports or serves; written
/// under a temporary name, checked, synced, made private and only then renamed into place.
extension SQLiteStore {
    /// Copies the base to `destination` (which must not exist).
    public func backup(to destination: String) async throws -> BackupReport {
        guard !FileManager.default.fileExists(atPath: destination) else {
            throw StoreError.cannotOpen(path: destination, reason: "le fichier existe déjà ; choisissez un nouveau nom")
        }
        let temporary = destination + ".partiel-\(getpid())"
        try? FileManager.default.removeItem(atPath: temporary)
        let created = Glibc.open(temporary, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard created >= 0 else {
            throw StoreError.cannotOpen(path: destination, reason: PrivateFiles.french(errno))
        }
        Glibc.close(created)
        do {
            let target = try DatabaseQueue(path: temporary)
            do {
                try writer.backup(to: target)
                // A backup is one self-contained file: no -wal or -shm beside it when it is read.
                try await target.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA journal_mode = DELETE") }
                // The copy is read back whole before it is trusted.
                let problems = try await target.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }
                guard problems == ["ok"] else {
                    throw StoreError.corrupt("sauvegarde : " + problems.prefix(3).joined(separator: "; "))
                }
                try target.close()
            } catch {
                try? target.close()
                throw error
            }
            try Self.syncFile(temporary)
            guard rename(temporary, destination) == 0 else {
                throw StoreError.cannotOpen(path: destination, reason: PrivateFiles.french(errno))
            }
            Self.syncDirectory(of: destination)
        } catch {
            unlink(temporary)
            throw Self.storeError(error)
        }
        let copy = try await SQLiteStore.openReadOnly(path: destination)
        let report = BackupReport(
            path: destination, bytes: Self.size(of: destination), statistics: try await copy.statistics(),
            statements: try await copy.statementCount(), contentDigest: try await copy.contentDigest())
        try copy.close()
        return report
    }

    /// Restores the backup at `source` as a new base at `destination` (which must not exist):
    /// the backup is checked first, copied, then opened as a base (self-check, migrations) and
    /// its counts and content digest compared with the backup's.
    public static func restore(from source: String, to destination: String) async throws -> (
        backup: BackupReport, restored: BackupReport
    ) {
        for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: destination + suffix) {
            throw StoreError.cannotOpen(
                path: destination, reason: "une base existe déjà à cet endroit ; restaurez vers un emplacement vide")
        }
        let backup = try await openReadOnly(path: source)
        let problems = try await backup.integrityProblems()
        guard problems.isEmpty else {
            try? backup.close()
            throw StoreError.corrupt("la sauvegarde est endommagée : " + problems.prefix(3).joined(separator: "; "))
        }
        let before = BackupReport(
            path: source, bytes: size(of: source), statistics: try await backup.statistics(),
            statements: try await backup.statementCount(), contentDigest: try await backup.contentDigest())
        let restored = try await backup.backup(to: destination)
        try backup.close()
        // Opened as a real base: WAL, synchronous FULL, self-check, migrations up to this build.
        let store = try await SQLiteStore.open(path: destination)
        let after = BackupReport(
            path: destination, bytes: restored.bytes, statistics: try await store.statistics(),
            statements: try await store.statementCount(), contentDigest: try await store.contentDigest())
        let integrity = try await store.integrityProblems()
        try store.close()
        guard integrity.isEmpty, after.statistics == before.statistics, after.statements == before.statements,
            after.contentDigest == before.contentDigest
        else {
            throw StoreError.corrupt("la base restaurée ne correspond pas à la sauvegarde")
        }
        return (before, after)
    }

    /// A base opened read-only (a backup file), never migrated nor written.
    static func openReadOnly(path: String) async throws -> SQLiteStore {
        guard FileManager.default.fileExists(atPath: path) else {
            throw StoreError.cannotOpen(path: path, reason: "fichier introuvable")
        }
        var configuration = Configuration()
        configuration.readonly = true
        do {
            return SQLiteStore(readOnly: try DatabaseQueue(path: path, configuration: configuration), path: path)
        } catch let error as DatabaseError {
            throw StoreError.cannotOpen(path: path, reason: french(error))
        }
    }

    public func statementCount() async throws -> Int {
        try await read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM statement") ?? 0 }
    }

    static func size(of path: String) -> Int64 {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.int64Value ?? 0
    }

    static func syncFile(_ path: String) throws {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw StoreError.cannotOpen(path: path, reason: PrivateFiles.french(errno)) }
        defer { Glibc.close(fd) }
        guard fsync(fd) == 0 else {
            let code = errno
            if PrivateFiles.isDiskFull(code) { throw StoreError.diskFull(PrivateFiles.french(code)) }
            throw StoreError.cannotOpen(path: path, reason: PrivateFiles.french(code))
        }
    }

    static func syncDirectory(of path: String) {
        let fd = Glibc.open(URL(fileURLWithPath: path).deletingLastPathComponent().path, O_RDONLY | O_CLOEXEC)
        if fd >= 0 {
            _ = fsync(fd)
            Glibc.close(fd)
        }
    }
}
