import Foundation
import ReleveDomain
import ReleveTestSupport
import Testing

@testable import ReleveStore

/// Issue 10, class 7: an import commits in short chunks (the write lock is free between them)
/// yet stays all or nothing for readers: while it runs, readers see none of its payments, none
/// of the assurés it creates and none of its updates; a failed import leaves nothing.
@Suite("Store: imports in chunks")
struct ChunkedImportTests {
    func entry(_ sha: String) -> ImportLedgerEntry {
        ImportLedgerEntry(sha256: sha, fileName: "\(sha).jsonl", importedAt: "2026-11-28T00:00:00Z")
    }

    static let known = Fixtures.person(nir: "2850375112045", birthDate: "1985-03-01", lastName: "Durand")

    /// A file base holding one assuré (Durand), and its content digest.
    func baseWithKnownPerson(in directory: URL) async throws -> (SQLiteStore, String) {
        let store = try await SQLiteStore.open(path: directory.appendingPathComponent("r.sqlite").path)
        _ = try await store.importFile(entry("base")) { session in _ = try await session.upsert(Self.known) }
        return (store, try await store.contentDigest())
    }

    /// Waits on a thread of its own (the import's body blocks GRDB's writer queue, not a task).
    func wait(_ semaphore: DispatchSemaphore) async {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                semaphore.wait()
                continuation.resume()
            }
        }
    }

    @Test func readersAndWritersGoOnWhileAnImportIsHalfWritten() async throws {
        let directory = Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (store, before) = try await baseWithKnownPerson(in: directory)

        let midway = DispatchSemaphore(value: 0)
        let resume = DispatchSemaphore(value: 0)
        var renamed = Self.known
        renamed.lastName = "Durand-Martin"
        let renamedPerson = renamed
        let importing = Task {
            try await store.importFile(entry("gros"), chunkSeconds: 0) { session in
                _ = try await session.upsert(Fixtures.person())
                _ = try await session.upsert(renamedPerson)
                for n in 1...20 { _ = try await session.insert(Fixtures.consultation(reference: "751-CHUNK-\(n)")) }
                midway.signal()
                await withCheckedContinuation { continuation in
                    DispatchQueue.global().async {
                        resume.wait()
                        continuation.resume()
                    }
                }
                _ = try await session.insert(Fixtures.consultation(reference: "751-CHUNK-21"))
                return 21
            }
        }
        await wait(midway)
        // Another process (here a second connection pool with its own lock descriptor, as the
        // web server would be) sees the half-written import as nothing at all…
        let other = try await SQLiteStore.open(path: directory.appendingPathComponent("r.sqlite").path)
        #expect(try await other.contentDigest() == before)
        #expect(try await other.statistics().payments == 0)
        #expect(try await other.accountContext(nir: Fixtures.nir("1701275112034")) == nil)
        #expect(try await other.accountContext(nir: Fixtures.nir("2850375112045"))?.person.person.lastName == "Durand")
        #expect(
            try await other.payments(
                of: Fixtures.nir("1701275112034"), from: Fixtures.date("2026-01-01"), to: Fixtures.date("2026-12-31")
            ).isEmpty)
        // …and writes while it is paused: the write lock is free between chunks.
        try await other.appendAudit(AuditEvent(at: 1, kind: "test", outcome: "pendant_import"))
        resume.signal()
        let (count, counts) = try await importing.value
        #expect(count == 21 && counts.paymentsInserted == 21 && counts.personsUpdated == 1 && counts.personsInserted == 1)
        #expect(try await store.statistics().payments == 21)
        #expect(try await other.accountContext(nir: Fixtures.nir("2850375112045"))?.person.person.lastName == "Durand-Martin")
        try other.close()
        try store.close()
    }

    @Test func aFailedImportLeavesNothingEvenAfterManyChunks() async throws {
        let directory = Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (store, before) = try await baseWithKnownPerson(in: directory)
        struct Refused: Error {}
        await #expect(throws: Refused.self) {
            _ = try await store.importFile(entry("mauvais"), chunkSeconds: 0) { session in
                _ = try await session.upsert(Fixtures.person())
                var renamed = Self.known
                renamed.lastName = "Autre"
                _ = try await session.upsert(renamed)
                for n in 1...50 { _ = try await session.insert(Fixtures.consultation(reference: "751-BAD-\(n)")) }
                throw Refused()
            }
        }
        #expect(try await store.contentDigest() == before)
        #expect(try await store.importedFile(sha256: "mauvais") == nil)
        // The same file can be imported again, and completes.
        _ = try await store.importFile(entry("mauvais"), chunkSeconds: 0) { session in
            _ = try await session.upsert(Fixtures.person())
            _ = try await session.insert(Fixtures.consultation(reference: "751-BAD-1"))
        }
        #expect(try await store.statistics().payments == 1)
        try store.close()
    }
}
