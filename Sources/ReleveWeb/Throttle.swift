import Foundation

/// Per-address throttling applied before any code is checked (SECURITY.md goals 5 and 6); the
/// cap on concurrent key derivations is the service's `KDFGate`.
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

    /// Counts one event for `key` if it is under `limit`, in one step (an actor method without
    /// suspension): N parallel requests never get more than `limit` through. False, counting
    /// nothing, when the limit is reached.
    func reserve(_ key: String, _ limit: Limit) -> Bool {
        guard allows(key, limit) else { return false }
        record(key, limit)
        return true
    }

    /// Gives back the event `reserve` counted (the attempt turned out not to be a failure).
    func release(_ key: String) {
        guard var list = events[key], !list.isEmpty else { return }
        list.removeLast()
        events[key] = list.isEmpty ? nil : list
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
