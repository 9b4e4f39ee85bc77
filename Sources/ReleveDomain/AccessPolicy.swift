/// The rules of access: lockout after failed codes, session lifetimes, provisional-code
/// lifetime and request limits. Pure values, configured once, with the real service's
/// defaults; every decision takes the time as a parameter (`now`), never reads the clock.
public struct AccessPolicy: Sendable, Hashable {
    /// Consecutive failures that lock the account for a while (3 in the real service).
    public var softLockThreshold: Int
    /// First lock duration; it doubles with each further failure, up to `maxDelaySeconds`.
    public var firstDelaySeconds: Int
    public var maxDelaySeconds: Int
    /// Consecutive failures that lock the account until recovery (at most 20).
    public var hardLockThreshold: Int
    /// Session idle and absolute lifetimes.
    public var sessionIdleSeconds: Int
    public var sessionAbsoluteSeconds: Int
    /// Provisional code validity (15 days), wrong tries allowed on one code.
    public var provisionalCodeDays: Int
    public var provisionalCodeMaxAttempts: Int
    /// Provisional-code requests allowed per NIR per day.
    public var provisionalRequestsPerDay: Int
    /// E-mail confirmation link validity.
    public var emailTokenSeconds: Int
    /// How long a fresh FranceConnect login allows sensitive actions without another one.
    public var freshLoginSeconds: Int = 300

    public init(
        softLockThreshold: Int = 3, firstDelaySeconds: Int = 60, maxDelaySeconds: Int = 3600, hardLockThreshold: Int = 10,
        sessionIdleSeconds: Int = 15 * 60, sessionAbsoluteSeconds: Int = 12 * 3600, provisionalCodeDays: Int = 15,
        provisionalCodeMaxAttempts: Int = 5, provisionalRequestsPerDay: Int = 3, emailTokenSeconds: Int = 24 * 3600
    ) throws(DomainError) {
        guard softLockThreshold >= 1, hardLockThreshold >= softLockThreshold, hardLockThreshold <= 20 else {
            throw .invalid(field: "verrouillage", reason: "seuils attendus : 1 ≤ seuil temporaire ≤ seuil définitif ≤ 20")
        }
        guard firstDelaySeconds >= 1, maxDelaySeconds >= firstDelaySeconds else {
            throw .invalid(field: "verrouillage", reason: "délais incohérents")
        }
        guard sessionIdleSeconds >= 60, sessionAbsoluteSeconds >= sessionIdleSeconds else {
            throw .invalid(field: "session", reason: "durées incohérentes")
        }
        self.softLockThreshold = softLockThreshold
        self.firstDelaySeconds = firstDelaySeconds
        self.maxDelaySeconds = maxDelaySeconds
        self.hardLockThreshold = hardLockThreshold
        self.sessionIdleSeconds = sessionIdleSeconds
        self.sessionAbsoluteSeconds = sessionAbsoluteSeconds
        self.provisionalCodeDays = provisionalCodeDays
        self.provisionalCodeMaxAttempts = provisionalCodeMaxAttempts
        self.provisionalRequestsPerDay = provisionalRequestsPerDay
        self.emailTokenSeconds = emailTokenSeconds
    }

    public static let standard = try! AccessPolicy()

    public enum LockState: Sendable, Equatable {
        case open
        /// Locked until that instant (seconds since 1970, UTC).
        case lockedUntil(Int64)
        /// Locked until a new provisional code is used.
        case lockedUntilRecovery
    }

    /// The lock that `consecutiveFailures` failures, the last at `lastFailure`, put on the account at `now`.
    public func lockState(consecutiveFailures: Int, lastFailure: Int64?, now: Int64) -> LockState {
        if consecutiveFailures >= hardLockThreshold { return .lockedUntilRecovery }
        guard consecutiveFailures >= softLockThreshold, let lastFailure else { return .open }
        let until = lastFailure + Int64(delayAfter(consecutiveFailures))
        return now < until ? .lockedUntil(until) : .open
    }

    /// Seconds of lock after the `failures`-th consecutive failure: 60 s, 120 s, 240 s… capped.
    public func delayAfter(_ failures: Int) -> Int {
        guard failures >= softLockThreshold else { return 0 }
        let doublings = min(failures - softLockThreshold, 20)
        return min(firstDelaySeconds << doublings, maxDelaySeconds)
    }
}
