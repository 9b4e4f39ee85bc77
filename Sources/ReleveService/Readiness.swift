import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// What `/pret` (readiness) reports: the parts a node needs to serve, each checked now.
public struct Readiness: Sendable, Equatable {
    /// The parts that fail, by their short French names: `base`, `archives`, `cle`.
    public var failing: [String] = []
    /// A part that is degraded but does not stop the node serving: `replique` (the reads go to
    /// the primary while the replica is unreachable or late).
    public var degraded: [String] = []

    public var ready: Bool { failing.isEmpty }
}

extension ReleveServices {
    /// Checks the database (one read, at most `timeout`), the read replica if there is one, the
    /// archive folder (a file created and removed), and the key file (readable, 32 bytes).
    public func readiness(timeout: Duration = .seconds(2)) async -> Readiness {
        var result = Readiness()
        let store = self.store
        let answered = await Self.within(timeout) { _ = try await store.maintenanceMessage() }
        if !answered { result.failing.append("base") }
        if replica != nil {
            let state = await Self.value(within: timeout) { await self.replicaState() }
            if state??.replica != true { result.degraded.append("replique") }
        }
        if !Self.writable(settings.archive) { result.failing.append("archives") }
        if case .file(let path) = settings.pepper {
            let data = FileManager.default.contents(atPath: path)
            if data?.count != 32 { result.failing.append("cle") }
        }
        return result
    }

    /// Whether `body` finished without error within `timeout`.
    static func within(_ timeout: Duration, _ body: @escaping @Sendable () async throws -> Void) async -> Bool {
        await value(within: timeout) {
            do {
                try await body()
                return true
            } catch {
                return false
            }
        } ?? false
    }

    /// `body`'s value, or nil when it takes longer than `timeout`. The body runs in a task of its
    /// own, left to finish on its own time: a connection attempt that ignores cancellation must
    /// not hold the probe.
    static func value<T: Sendable>(within timeout: Duration, _ body: @escaping @Sendable () async -> T) async -> T? {
        let once = Once<T?>()
        return await withCheckedContinuation { continuation in
            once.set(continuation)
            Task { once.resume(await body()) }
            Task {
                try? await Task.sleep(for: timeout)
                once.resume(nil)
            }
        }
    }

    /// Whether a file can be created in `folder` now (or, while it does not exist yet, in the
    /// nearest folder above it, where the first issue will create it).
    static func writable(_ folder: String) -> Bool {
        var directory = folder.hasPrefix("/") ? folder : FileManager.default.currentDirectoryPath + "/" + folder
        var isDirectory: ObjCBool = false
        while !FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) {
            let parent = (directory as NSString).deletingLastPathComponent
            if parent == directory || parent.isEmpty { return false }
            directory = parent
        }
        guard isDirectory.boolValue else { return false }
        let probe = "\(directory)/.pret-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(probe, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return false }
        Glibc.close(fd)
        unlink(probe)
        return true
    }
}

/// A continuation resumed by the first of several racers.
final class Once<T: Sendable>: Sendable {
    private let state = Mutex<(continuation: CheckedContinuation<T, Never>?, value: T?, done: Bool)>((nil, nil, false))

    func set(_ continuation: CheckedContinuation<T, Never>) {
        let ready = state.withLock { state -> T? in
            if state.done, let value = state.value { return value }
            state.continuation = continuation
            return nil
        }
        if let ready { continuation.resume(returning: ready) }
    }

    func resume(_ value: T) {
        let continuation = state.withLock { state -> CheckedContinuation<T, Never>? in
            guard !state.done else { return nil }
            state.done = true
            guard let continuation = state.continuation else {
                state.value = value
                return nil
            }
            state.continuation = nil
            return continuation
        }
        continuation?.resume(returning: value)
    }
}
