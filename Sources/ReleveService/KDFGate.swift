import Foundation

/// The one gate every key derivation goes through (code checks and code hashing, for login,
/// opening, recovery, provisional codes and re-authentication, on every face): at most
/// `limit` runs at once (cores − 1 by default, so one core always serves pages), a bounded
/// queue, and a fair share between requesters, so that one client address flooding the
/// service waits behind its own requests, not in front of everyone else's (SECURITY.md goal 6).
///
/// The requester is the task-local `KDFGate.requester` (the web sets the client address); the
/// CLI, with one requester, simply runs its derivations one after the other.
public actor KDFGate {
    /// Who is asking, for the fair share (the client address on the web).
    @TaskLocal public static var requester: String = "local"

    private let limit: Int
    private let queueLimit: Int
    private let perRequesterLimit: Int
    private var running = 0
    /// Waiting callers by requester, and the requesters in round-robin order.
    private var waiting: [String: [CheckedContinuation<Void, Never>]] = [:]
    private var order: [String] = []
    private var waitingCount = 0

    /// - Parameters:
    ///   - limit: concurrent derivations (at least 1).
    ///   - queueLimit: callers waiting in all; beyond, `ServiceError.overloaded`.
    ///   - perRequesterLimit: callers one requester may have waiting; beyond, refused too.
    public init(
        limit: Int = max(1, ProcessInfo.processInfo.activeProcessorCount - 1), queueLimit: Int = 64,
        perRequesterLimit: Int = 4
    ) {
        self.limit = max(1, limit)
        self.queueLimit = max(0, queueLimit)
        self.perRequesterLimit = max(1, perRequesterLimit)
    }

    /// Runs `body` (a derivation) when a slot is free, serving requesters in turn. The body
    /// runs outside the actor: the gate keeps taking and refusing callers meanwhile.
    public nonisolated func run<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        try await acquire(Self.requester)
        do {
            let result = try await body()
            await finish()
            return result
        } catch {
            await finish()
            throw error
        }
    }

    private func acquire(_ requester: String) async throws {
        guard running >= limit else {
            running += 1
            ServiceMetrics.kdf(waiting: waitingCount, running: running)
            return
        }
        let mine = waiting[requester]?.count ?? 0
        guard waitingCount < queueLimit, mine < perRequesterLimit else {
            ServiceMetrics.kdfRefused()
            throw ServiceError.overloaded
        }
        ServiceMetrics.kdfWaited()
        await withCheckedContinuation { continuation in
            if waiting[requester] == nil { order.append(requester) }
            waiting[requester, default: []].append(continuation)
            waitingCount += 1
            ServiceMetrics.kdf(waiting: waitingCount, running: running)
        }
        // The slot was handed over by `finish`: `running` already counts it.
    }

    /// Hands the slot to the next requester in turn, or frees it.
    private func finish() {
        guard !order.isEmpty else {
            running -= 1
            ServiceMetrics.kdf(waiting: waitingCount, running: running)
            return
        }
        let next = order.removeFirst()
        var queue = waiting[next]!
        let continuation = queue.removeFirst()
        waitingCount -= 1
        if queue.isEmpty {
            waiting[next] = nil
        } else {
            waiting[next] = queue
            order.append(next)
        }
        ServiceMetrics.kdf(waiting: waitingCount, running: running)
        continuation.resume()
    }

    /// For tests and metrics: derivations running and callers waiting.
    public var load: (running: Int, waiting: Int) { (running, waitingCount) }
}
