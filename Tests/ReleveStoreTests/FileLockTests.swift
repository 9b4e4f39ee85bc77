import Foundation
import GRDB
import ReleveTestSupport
import Synchronization
import Testing

@testable import ReleveStore

@Suite("Store: one writer across processes")
struct FileLockTests {
    @Test("a second store on the same file waits for the lock instead of writing at the same time")
    func writersAreSerialised() async throws {
        let directory = Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("r.sqlite").path
        // Two stores = two connections and two lock descriptors, as two processes would have.
        let first = try await SQLiteStore.open(path: path)
        let second = try await SQLiteStore.open(path: path)
        let events = Mutex<[String]>([])
        async let slow: Void = first.write { db in
            events.withLock { $0.append("first begins") }
            Thread.sleep(forTimeInterval: 0.4)
            try db.execute(sql: "CREATE TABLE probe_a (x)")
            events.withLock { $0.append("first ends") }
        }
        try await Task.sleep(for: .milliseconds(100))
        try await second.write { db in
            events.withLock { $0.append("second begins") }
            try db.execute(sql: "CREATE TABLE probe_b (x)")
            events.withLock { $0.append("second ends") }
        }
        try await slow
        #expect(events.withLock { $0 } == ["first begins", "first ends", "second begins", "second ends"])
        try first.close()
        try second.close()
    }
}

#if canImport(Glibc)
    import Glibc
#endif

@Suite("Store: lock file")
struct LockFileHeldTests {
    @Test("the lock file is held during a write transaction and released after it")
    func lockHeldDuringWrite() async throws {
        let directory = Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("r.sqlite").path
        let store = try await SQLiteStore.open(path: path)
        let probe = open(path + ".lock", O_RDWR)
        #expect(probe >= 0)
        defer { close(probe) }
        let heldInside = try await store.write { _ in
            flock(probe, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK
        }
        #expect(heldInside)
        #expect(flock(probe, LOCK_EX | LOCK_NB) == 0)
        flock(probe, LOCK_UN)
        try store.close()
    }
}
