import Foundation
import ReleveDomain
import ReleveStore
import ReleveTestSupport
import Testing

@testable import ReleveService

/// Issue 10, class 4: limits hold under concurrency. Given N attempts fired at once, the number
/// of codes actually evaluated (each one a failure audit) is exactly the limit: the check and
/// the count are one atomic step, taken before the key derivation.
@Suite("Limits under concurrency")
struct AtomicLimitsTests {
    /// Runs `count` attempts at once; returns how many errors matched each description.
    func fire(_ count: Int, _ attempt: @escaping @Sendable () async throws -> Void) async -> [String: Int] {
        await withTaskGroup(of: String.self) { group in
            for _ in 0..<count {
                group.addTask {
                    do {
                        try await attempt()
                        return "success"
                    } catch let error as ServiceError {
                        return String(error.debugDescription.prefix(while: { $0 != "(" }))
                    } catch {
                        return "other: \(error)"
                    }
                }
            }
            var outcomes: [String: Int] = [:]
            for await outcome in group { outcomes[outcome, default: 0] += 1 }
            return outcomes
        }
    }

    func audits(_ world: AccountWorld, kind: String, outcome: String) async throws -> Int {
        try await world.store.auditEvents(limit: 10_000).count { $0.kind == kind && $0.outcome == outcome }
    }

    @Test func thirtyParallelWrongLoginsEvaluateExactlyTheSoftLockThreshold() async throws {
        let world = try await AccountWorld(rounds: 2_000)
        try await world.openAccount()
        let service = world.service
        let now = world.now
        let outcomes = await fire(30) {
            _ = try await service.login(nir: AccountWorld.nir, code: "84061539", channel: .web, now: now)
        }
        let threshold = AccessPolicy.standard.softLockThreshold
        #expect(try await audits(world, kind: "login", outcome: "failure") == threshold, "\(outcomes)")
        #expect(try await audits(world, kind: "login", outcome: "refused_locked") == 30 - threshold)
        #expect(try await world.store.loginFailures(nir: Fixtures.nir(AccountWorld.nir))?.failures == threshold)
        #expect(outcomes["success"] == nil)
    }

    @Test func thirtyParallelReauthenticationsWithAStolenTokenEvaluateAtMostTheThreshold() async throws {
        let world = try await AccountWorld(rounds: 2_000)
        try await world.openAccount()
        let session = try await world.service.login(
            nir: AccountWorld.nir, code: AccountWorld.goodCode, channel: .api, now: world.now)
        let service = world.service
        let now = world.now
        let outcomes = await fire(30) {
            _ = try await service.changeEmail(
                token: session.token, code: "84061539", newEmail: "pirate@exemple.fr", channel: .api, now: now)
        }
        let threshold = AccessPolicy.standard.softLockThreshold
        #expect(try await audits(world, kind: "login", outcome: "failure") == threshold, "\(outcomes)")
        #expect(outcomes["success"] == nil)
        #expect((outcomes["wrongCurrentCode"] ?? 0) + (outcomes["locked"] ?? 0) + (outcomes["notAuthenticated"] ?? 0) == 30)
    }

    @Test func thirtyParallelGuessesOnAProvisionalCodeEvaluateExactlyItsTries() async throws {
        let world = try await AccountWorld(rounds: 2_000)
        let code = try await world.orderCode()
        let wrong = code == "11223344" ? "11223345" : "11223344"
        let service = world.service
        let now = world.now
        let outcomes = await fire(30) {
            _ = try await service.checkProvisionalCode(nir: AccountWorld.nir, code: wrong, channel: .web, now: now)
        }
        let tries = AccessPolicy.standard.provisionalCodeMaxAttempts
        #expect(try await audits(world, kind: "provisional_code_check", outcome: "wrong_code") == tries, "\(outcomes)")
        #expect(try await audits(world, kind: "provisional_code_check", outcome: "too_many_attempts") == 30 - tries)
        // The right code is now refused too: the tries are spent.
        await #expect(throws: ServiceError.self) {
            _ = try await service.checkProvisionalCode(nir: AccountWorld.nir, code: code, channel: .web, now: now)
        }
    }

    @Test func aRightProvisionalCodeGivesItsTryBack() async throws {
        let world = try await AccountWorld()
        let code = try await world.orderCode()
        for _ in 0..<(AccessPolicy.standard.provisionalCodeMaxAttempts + 2) {
            _ = try await world.service.checkProvisionalCode(nir: AccountWorld.nir, code: code, channel: .web, now: world.now)
        }
        _ = try await world.service.openAccount(world.openingRequest(code: code), channel: .web, now: world.now)
    }

    /// Starts a derivation for `requester` on `gate` and waits until it is running or queued.
    func enqueue(_ gate: KDFGate, _ requester: String, order: Order, body: @escaping @Sendable () async -> Void = {})
        async throws
        -> Task<Void, any Error>
    {
        let before = await gate.load
        let task = Task {
            try await KDFGate.$requester.withValue(requester) {
                try await gate.run {
                    await body()
                    order.append(requester)
                }
            }
        }
        while await gate.load.running + gate.load.waiting == before.running + before.waiting {
            try await Task.sleep(for: .milliseconds(1))
        }
        return task
    }

    /// A derivation that holds its slot until told, without blocking a thread.
    actor Hold {
        init() {}
        private var released = false
        private var waiter: CheckedContinuation<Void, Never>?
        func wait() async {
            if released { return }
            await withCheckedContinuation { waiter = $0 }
        }
        func signal() {
            released = true
            waiter?.resume()
            waiter = nil
        }
    }

    final class Order: @unchecked Sendable {
        private let lock = NSLock()
        private var names: [String] = []
        func append(_ name: String) { lock.withLock { names.append(name) } }
        var all: [String] { lock.withLock { names } }
    }

    @Test func theGateServesRequestersInTurnAndBoundsEachShare() async throws {
        let gate = KDFGate(limit: 1, queueLimit: 16, perRequesterLimit: 3)
        let order = Order()
        let hold = Hold()
        let first = try await enqueue(gate, "flood", order: order) { await hold.wait() }
        var tasks = [first]
        for _ in 0..<3 { tasks.append(try await enqueue(gate, "flood", order: order)) }
        // The flooding address has its share waiting: one more is refused at once, counting nothing.
        await #expect(throws: ServiceError.self) { try await KDFGate.$requester.withValue("flood") { try await gate.run {} } }
        tasks.append(try await enqueue(gate, "legit", order: order))
        await hold.signal()
        for task in tasks { try await task.value }
        // The legitimate address came last but is served second after the running one, not fifth.
        #expect(order.all == ["flood", "flood", "legit", "flood", "flood"])
    }

    @Test func aFullQueueRefusesEveryone() async throws {
        let gate = KDFGate(limit: 1, queueLimit: 2, perRequesterLimit: 4)
        let order = Order()
        let hold = Hold()
        var tasks = [try await enqueue(gate, "a", order: order) { await hold.wait() }]
        tasks.append(try await enqueue(gate, "b", order: order))
        tasks.append(try await enqueue(gate, "c", order: order))
        let refused = await #expect(throws: ServiceError.self) {
            try await KDFGate.$requester.withValue("d") { try await gate.run {} }
        }
        #expect(refused?.exitCode == 75)
        await hold.signal()
        for task in tasks { try await task.value }
        #expect(order.all.count == 3)
    }
}

/// Issue 10, class 3: every key derivation of the service goes through its gate: with the gate
/// full, login, the provisional-code check, the opening and re-authentication all answer
/// `overloaded` at once, and nothing is counted against the assuré.
@Suite("Every code check through the gate")
struct GateCoverageTests {
    @Test func everyCodeCheckWaitsForTheGate() async throws {
        let world = try await AccountWorld()
        try await world.openAccount()
        let session = try await world.service.login(
            nir: AccountWorld.nir, code: AccountWorld.goodCode, channel: .cli, now: world.now)
        let code = try await world.orderCode()
        let gate = KDFGate(limit: 1, queueLimit: 0)
        let service = world.service.with(gate: gate)
        let hold = AtomicLimitsTests.Hold()
        let holder = Task { try await gate.run { await hold.wait() } }
        while await gate.load.running < 1 { try await Task.sleep(for: .milliseconds(1)) }
        let now = world.now
        let attempts: [(String, @Sendable () async throws -> Void)] = [
            ("login", { _ = try await service.login(nir: AccountWorld.nir, code: "84061539", channel: .web, now: now) }),
            (
                "provisional code",
                { _ = try await service.checkProvisionalCode(nir: AccountWorld.nir, code: code, channel: .web, now: now) }
            ),
            ("opening", { _ = try await service.openAccount(world.openingRequest(code: code), channel: .web, now: now) }),
            (
                "re-authentication",
                {
                    _ = try await service.changeEmail(
                        token: session.token, code: "84061539", newEmail: "x@exemple.fr", channel: .web, now: now)
                }
            ),
        ]
        for (name, attempt) in attempts {
            do {
                try await attempt()
                Issue.record("\(name) ran without the gate")
            } catch ServiceError.overloaded {
            } catch {
                Issue.record("\(name): \(error)")
            }
        }
        await hold.signal()
        try await holder.value
        // Nothing was counted: the right code still opens, the NIR has no failure.
        #expect(try await world.store.loginFailures(nir: Fixtures.nir(AccountWorld.nir)) == nil)
        _ = try await world.service.checkProvisionalCode(nir: AccountWorld.nir, code: code, channel: .web, now: now)
    }
}
