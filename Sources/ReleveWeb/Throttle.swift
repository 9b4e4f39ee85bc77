import Foundation

/// Per-address throttling applied before any code is checked (SECURITY.md goals 5 and 6); the
/// cap on concurrent key derivations is the service's `KDFGate`.
///
/// Every node counts in the base (`shared`), so N web nodes behind one load balancer allow an
/// address `limit` events in all, not N × `limit`. The node's own events are also kept here: a
/// key this node alone has already filled is refused without a round trip (a flood costs no
/// query), and if the base cannot be reached the node's own count still applies.
actor Throttle {
    struct Limit: Sendable {
        var count: Int
        var seconds: Double
    }

    /// The base's side: reserve (key, limit, window in seconds) → event id or nil; release an id.
    struct Shared: Sendable {
        var reserve: @Sendable (String, Int, Double) async throws -> Int64?
        var release: @Sendable (Int64) async throws -> Void
    }

    private var events: [String: [Double]] = [:]
    private var sharedEvents: [String: [Int64]] = [:]
    private let clock: @Sendable () -> Double
    private let shared: Shared?

    init(shared: Shared? = nil, clock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }) {
        self.shared = shared
        self.clock = clock
    }

    /// Whether `key` is under `limit` (without counting anything).
    func allows(_ key: String, _ limit: Limit) -> Bool {
        prune(key, limit)
        return (events[key]?.count ?? 0) < limit.count
    }

    /// Counts one event for `key` if it is under `limit`, here and in the base: the local count
    /// is taken before any suspension, so N parallel requests on this node never get more than
    /// `limit` through, and the base's reservation is one step for every node. False, counting
    /// nothing, when the limit is reached.
    func reserve(_ key: String, _ limit: Limit) async -> Bool {
        guard allows(key, limit) else { return false }
        record(key, limit)
        guard let shared else { return true }
        do {
            guard let id = try await shared.reserve(key, limit.count, limit.seconds) else {
                dropLast(key)
                return false
            }
            sharedEvents[key, default: []].append(id)
        } catch {
            // The base is unreachable: this node's own count applies (and the request itself
            // meets the same fault at its next query).
        }
        return true
    }

    /// Gives back the event `reserve` counted (the attempt turned out not to be a failure).
    func release(_ key: String) async {
        dropLast(key)
        guard let shared, var ids = sharedEvents[key], let id = ids.popLast() else { return }
        sharedEvents[key] = ids.isEmpty ? nil : ids
        try? await shared.release(id)
    }

    private func dropLast(_ key: String) {
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
