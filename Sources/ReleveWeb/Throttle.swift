import Foundation

/// Per-address throttling applied before any code is checked (SECURITY.md goals 5 and 6), and
/// a cap on concurrent key-derivation runs so that a flood of bad logins cannot take the CPU.
actor Throttle {
    struct Limit: Sendable {
        var count: Int
        var seconds: Double
    }

    private var events: [String: [Double]] = [:]
    private let clock: @Sendable () -> Double

    init(clock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }) {
        self.clock = clock
    }

    /// Whether `key` is under `limit` (without counting anything).
    func allows(_ key: String, _ limit: Limit) -> Bool {
        prune(key, limit)
        return (events[key]?.count ?? 0) < limit.count
    }

    /// Counts one event for `key`.
    func record(_ key: String, _ limit: Limit) {
        prune(key, limit)
        events[key, default: []].append(clock())
        if events.count > 100_000 {
            // Many addresses: forget those not seen within the longest window (one hour).
            let horizon = clock() - 3600
            events = events.filter { ($0.value.last ?? 0) > horizon }
        }
    }

    private func prune(_ key: String, _ limit: Limit) {
        guard let list = events[key] else { return }
        let horizon = clock() - limit.seconds
        let kept = list.filter { $0 > horizon }
        events[key] = kept.isEmpty ? nil : kept
    }
}

/// At most `limit` key derivations at once; beyond `queueLimit` waiting callers, refuse.
actor KDFGate {
    private let limit: Int
    private let queueLimit: Int
    private var running = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(limit: Int, queueLimit: Int) {
        self.limit = max(1, limit)
        self.queueLimit = queueLimit
    }

    /// Runs `body` when a slot is free; throws `WebError.overloaded` if too many are waiting.
    func run<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        if running >= limit {
            guard waiting.count < queueLimit else { throw WebError.overloaded }
            await withCheckedContinuation { waiting.append($0) }
        } else {
            running += 1
        }
        defer {
            if waiting.isEmpty { running -= 1 } else { waiting.removeFirst().resume() }
        }
        return try await body()
    }
}
