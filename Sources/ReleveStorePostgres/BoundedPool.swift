import CoreMetrics
import Foundation
import Logging
import PostgresNIO
import ReleveStore
import Synchronization

/// The connection pool with a bounded wait: at most `limit` leases at once from this process
/// (the pool's size), at most `queueLimit` callers waiting, none longer than `wait`. Beyond that
/// a caller gets `StoreError.unavailable` at once — HTTP 503 with `Retry-After`, exit 69 —
/// instead of queueing without end behind a saturated server (postgres-nio's own pool queues
/// every request until a connection frees up, however long that takes).
struct BoundedPool: Sendable {
    let pool: PostgresClient
    let gate: PoolGate

    init(
        pool: PostgresClient, limit: Int, queueLimit: Int = 512, wait: Duration = .seconds(2), url: String,
        role: String = "primary"
    ) {
        self.pool = pool
        self.gate = PoolGate(limit: limit, queueLimit: queueLimit, wait: wait, url: url, role: role)
    }

    func run() async { await pool.run() }

    @discardableResult
    func query(_ query: PostgresQuery, logger: Logger) async throws -> PostgresRowSequence {
        try await gate.acquire()
        defer { gate.release() }
        return try await pool.query(query, logger: logger)
    }

    func execute<Statement: PostgresPreparedStatement>(_ statement: Statement, logger: Logger) async throws
        -> AsyncThrowingMapSequence<PostgresRowSequence, Statement.Row>
    {
        try await gate.acquire()
        defer { gate.release() }
        return try await pool.execute(statement, logger: logger)
    }

    func withConnection<T>(
        isolation: isolated (any Actor)? = #isolation, _ body: (PostgresConnection) async throws -> sending T
    ) async throws -> sending T {
        try await gate.acquire()
        defer { gate.release() }
        return try await pool.withConnection(isolation: isolation, body)
    }

    func withTransaction<T>(
        logger: Logger, isolation: isolated (any Actor)? = #isolation,
        _ body: (PostgresConnection) async throws -> sending T
    ) async throws -> sending T {
        try await gate.acquire()
        defer { gate.release() }
        return try await pool.withTransaction(logger: logger, isolation: isolation, body)
    }
}

/// A counting gate with a bounded, time-limited queue (first come, first served).
final class PoolGate: Sendable {
    struct State {
        var running = 0
        var waiters: [(id: UInt64, continuation: CheckedContinuation<Void, any Error>)] = []
        var next: UInt64 = 0
    }

    let limit: Int
    let queueLimit: Int
    let wait: Duration
    let url: String
    private let state = Mutex(State())
    /// Metrics (README, "Running it as a service"), labelled by the pool's role (primary, replica).
    private let inUse: Gauge
    private let waiting: Gauge
    private let waits: Counter
    private let refusals: Counter

    init(limit: Int, queueLimit: Int, wait: Duration, url: String, role: String = "primary") {
        self.limit = max(1, limit)
        self.queueLimit = queueLimit
        self.wait = wait
        self.url = url
        inUse = Gauge(label: "releve_db_pool_in_use", dimensions: [("role", role)])
        waiting = Gauge(label: "releve_db_pool_waiting", dimensions: [("role", role)])
        waits = Counter(label: "releve_db_pool_waits_total", dimensions: [("role", role)])
        refusals = Counter(label: "releve_db_pool_refusals_total", dimensions: [("role", role)])
    }

    private func publish(_ load: (running: Int, waiting: Int)) {
        inUse.record(load.running)
        waiting.record(load.waiting)
    }

    var busy: StoreError {
        .unavailable(
            path: url, reason: "base de données saturée (toutes les connexions sont occupées) ; réessayez dans quelques secondes")
    }

    /// Callers in and waiting (tests, the operator's figures).
    var load: (running: Int, waiting: Int) { state.withLock { ($0.running, $0.waiters.count) } }

    func acquire() async throws {
        enum Outcome {
            case go, refused
            case queued(UInt64)
        }
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let outcome = state.withLock { state -> Outcome in
                if state.running < limit {
                    state.running += 1
                    return .go
                }
                guard state.waiters.count < queueLimit else { return .refused }
                state.next += 1
                state.waiters.append((state.next, continuation))
                return .queued(state.next)
            }
            publish(load)
            switch outcome {
            case .go: continuation.resume()
            case .refused:
                refusals.increment()
                continuation.resume(throwing: busy)
            case .queued(let id):
                waits.increment()
                let wait = self.wait
                Task { [self] in
                    try? await Task.sleep(for: wait)
                    expire(id)
                }
            }
        }
    }

    /// Hands the slot to the first waiter, or frees it.
    func release() {
        let next = state.withLock { state -> CheckedContinuation<Void, any Error>? in
            guard !state.waiters.isEmpty else {
                state.running -= 1
                return nil
            }
            return state.waiters.removeFirst().continuation
        }
        publish(load)
        next?.resume()
    }

    private func expire(_ id: UInt64) {
        let expired = state.withLock { state -> CheckedContinuation<Void, any Error>? in
            guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
            return state.waiters.remove(at: index).continuation
        }
        publish(load)
        if expired != nil { refusals.increment() }
        expired?.resume(throwing: busy)
    }
}

extension PostgresConnection {
    /// `copyFrom` of `buffer`, or an error as soon as the connection closes. postgres-nio 1.33's
    /// `copyFrom` never resumes when the server goes away mid-COPY ("leaked its continuation"):
    /// without this race an import would wait for ever for a crashed server.
    func copy(_ buffer: ByteBuffer, into table: String, columns: [String], logger: Logger, url: String) async throws {
        let outcome = CopyOutcome()
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            outcome.set(continuation)
            Task {
                do {
                    try await self.copyFrom(table: table, columns: columns, logger: logger) { writer in
                        try await writer.write(buffer)
                    }
                    outcome.resume(with: .success(()))
                } catch {
                    outcome.resume(with: .failure(error))
                }
            }
            closeFuture.whenComplete { _ in
                outcome.resume(
                    with: .failure(
                        StoreError.unavailable(path: url, reason: "le serveur a fermé la connexion pendant l'écriture")))
            }
        }
    }
}

/// Resumes its continuation once, whichever side comes first.
private final class CopyOutcome: Sendable {
    private let continuation = Mutex<CheckedContinuation<Void, any Error>?>(nil)

    func set(_ value: CheckedContinuation<Void, any Error>) {
        continuation.withLock { $0 = value }
    }

    func resume(with result: Result<Void, any Error>) {
        let waiting = continuation.withLock { current -> CheckedContinuation<Void, any Error>? in
            defer { current = nil }
            return current
        }
        waiting?.resume(with: result)
    }
}
