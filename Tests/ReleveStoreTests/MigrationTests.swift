import Foundation
import GRDB
import ReleveDomain
import ReleveTestSupport
import Testing

@testable import ReleveStore

@Suite("Store: migrations and startup self-check")
struct MigrationTests {
    @Test("a fresh database migrates to the latest schema")
    func freshToLatest() async throws {
        let store = try await SQLiteStore.inMemory()
        #expect(try await store.appliedMigrations() == SQLiteStore.knownMigrations.sorted())
        #expect(try await store.integrityProblems().isEmpty)
    }

    @Test("reopening a migrated file is a no-op that keeps the data")
    func rerunIsNoOp() async throws {
        let directory = Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("releve.sqlite").path
        let store = try await SQLiteStore.open(path: path)
        _ = try await store.importFile(ImportLedgerEntry(sha256: "a", fileName: "f", importedAt: "2026-11-28T00:00:00Z")) {
            session in
            _ = try await session.upsert(Fixtures.person())
            return try await session.insert(Fixtures.consultation())
        }
        let digest = try await store.contentDigest()
        try store.close()

        let reopened = try await SQLiteStore.open(path: path)
        #expect(try await reopened.appliedMigrations() == SQLiteStore.knownMigrations.sorted())
        #expect(try await reopened.contentDigest() == digest)
        try reopened.close()
    }

    @Test("the file store runs in WAL with synchronous=FULL and foreign keys on")
    func durableSettings() async throws {
        let directory = Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try await SQLiteStore.open(path: directory.appendingPathComponent("r.sqlite").path)
        let (journal, synchronous, foreignKeys) = try await store.writer.writeWithoutTransaction { db in
            (
                try String.fetchOne(db, sql: "PRAGMA journal_mode"), try Int.fetchOne(db, sql: "PRAGMA synchronous"),
                try Int.fetchOne(db, sql: "PRAGMA foreign_keys")
            )
        }
        #expect(journal == "wal")
        #expect(synchronous == 2)
        #expect(foreignKeys == 1)
        #expect(store.sqliteVersion.hasPrefix("3."))
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("r.sqlite.lock").path))
        try store.close()
    }

    @Test("the self-check refuses to run with synchronous=NORMAL")
    func refusesUnsafeSettings() async throws {
        let directory = Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var settings = SQLiteStore.Settings()
        settings.synchronous = "NORMAL"
        await #expect {
            _ = try await SQLiteStore.open(path: directory.appendingPathComponent("r.sqlite").path, settings: settings)
        } throws: { error in
            guard case .unsafeSettings(let what) = error as? StoreError else { return false }
            return what.contains("synchronous")
        }
    }

    @Test("a database from a newer Releve is refused")
    func newerSchema() async throws {
        let directory = Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("r.sqlite").path
        let store = try await SQLiteStore.open(path: path)
        try await store.write { db in
            try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99: from the future')")
        }
        try store.close()
        await #expect {
            _ = try await SQLiteStore.open(path: path)
        } throws: { error in
            if case .newerSchema = error as? StoreError { return true }
            return false
        }
    }

    @Test("a path that cannot hold a database gets a French reason")
    func badPaths() async throws {
        let directory = Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        await #expect(throws: StoreError.self) { _ = try await SQLiteStore.open(path: directory.path) }
        await #expect(throws: StoreError.self) { _ = try await SQLiteStore.open(path: "/nonexistent-dir/x.sqlite") }
        let notADatabase = Fixtures.write(
            "ceci n'est pas une base\n" + String(repeating: "x", count: 4096), named: "x.sqlite", in: directory)
        await #expect {
            _ = try await SQLiteStore.open(path: notADatabase)
        } throws: { error in
            (error as? StoreError)?.message.contains("pas une base") == true
        }
    }

    @Test("payments of one assuré in a date range use the (person, date) index")
    func queryPlan() async throws {
        let store = try await SQLiteStore.inMemory()
        let plan = try await store.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    EXPLAIN QUERY PLAN SELECT p.id FROM payment p JOIN payment_line l ON l.payment_id = p.id
                    WHERE p.person_id = 1 AND p.payment_date BETWEEN '2026-01-01' AND '2026-06-30'
                    """
            ).map { $0["detail"] as String }
        }
        #expect(plan.contains { $0.contains("payment_by_person_date") })
        #expect(plan.contains { $0.contains("PRIMARY KEY") })
        #expect(!plan.contains { $0.hasPrefix("SCAN") })
    }
}
