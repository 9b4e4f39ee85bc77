import Foundation
import ReleveDomain
import ReleveStore

extension AccountService {
    /// A new session: the token to present (never stored in clear) and its holder.
    public struct NewSession: Sendable {
        public let token: String
        public let fullName: String
    }

    /// The assuré behind a valid session.
    /// Who is logged in, as the faces may see it: the assuré and their e-mail address; the
    /// account's hashes stay inside the service.
    public struct Authenticated: Sendable {
        public let person: StoredPerson
        let account: StoredAccount
        let tokenHash: [UInt8]
        /// "code", or `FederationService.method` for a session opened through the provider.
        public var method: String = "code"
        var reauthenticatedAt: Int64?
        /// The payments read with the session (`authenticate(token:now:paymentsIn:)`), for the
        /// window they cover.
        public var payments: PaymentsService.Window.Read?

        public var email: String { account.email }

        /// Whether this is a FranceConnect session whose last provider login is recent enough
        /// for a sensitive change without a code.
        public func freshFederatedLogin(now: Date, policy: AccessPolicy) -> Bool {
            guard method == FederationService.method, let at = reauthenticatedAt else { return false }
            return AccountService.seconds(now) - at <= Int64(policy.freshLoginSeconds)
        }
        public var emailConfirmed: Bool { account.emailConfirmed }
    }

    /// NIR + personal code. An unknown NIR, a NIR without account and a wrong code get the same
    /// answer in the same time (the KDF always runs once); failures are counted per NIR, so
    /// lockouts look the same too. A locked NIR is refused before the KDF runs.
    public func login(nir nirText: String, code codeText: String, channel: Channel, now: Date) async throws -> NewSession {
        do {
            let session = try await checkedLogin(nir: nirText, code: codeText, channel: channel, now: now)
            ServiceMetrics.login(channel: channel.rawValue, outcome: "success")
            return session
        } catch {
            ServiceMetrics.login(channel: channel.rawValue, outcome: ServiceMetrics.loginOutcome(error))
            throw error
        }
    }

    private func checkedLogin(nir nirText: String, code codeText: String, channel: Channel, now: Date) async throws
        -> NewSession
    {
        try await checkMaintenance()
        let nir = try parse { try NIR(parsing: nirText) }
        let code = try parse { try PersonalCode(codeText) }
        let at = Self.seconds(now)
        let failures: Int
        switch try await reserveAttempt(nir: nir, at: at) {
        case .refused(let lock):
            try await store.appendAudit(
                AuditEvent(at: at, kind: "login", outcome: "refused_locked", subject: nir.masked, channel: channel.rawValue))
            throw ServiceError.locked(lock)
        case .reserved(let count):
            failures = count
        }
        let context = try await store.accountContext(nir: nir)
        var verified = false
        do {
            if let account = context?.account {
                verified = try await verify(code.digits, against: account.codeHash)
            } else {
                try await verifyNothing(code.digits)
            }
        } catch ServiceError.overloaded {
            try await store.refundCodeAttempt(nir: nir)
            throw ServiceError.overloaded
        }
        if verified, let context, let account = context.account {
            guard account.status == .active else {
                try await store.appendAudit(
                    AuditEvent(at: at, kind: "login", outcome: "refused_closed", subject: nir.masked, channel: channel.rawValue))
                throw ServiceError.accountClosed
            }
            let token = Token.generate()
            try await store.recordLogin(
                nir: nir, personID: context.person.id, tokenHash: Token.hash(token), channel: channel.rawValue, at: at,
                audit: AuditEvent(at: at, kind: "login", outcome: "success", subject: nir.masked, channel: channel.rawValue))
            return NewSession(token: token, fullName: context.person.person.fullName)
        }
        throw ServiceError.authenticationFailed(
            lock: try await failureCounted(nir: nir, failures: failures, at: at, channel: channel))
    }

    enum Attempt {
        case reserved(failures: Int)
        case refused(LockNotice)
    }

    /// Counts this code attempt as a failure before the code is checked, unless the NIR is
    /// locked: one atomic step, so parallel attempts never get past the lockout thresholds.
    func reserveAttempt(nir: NIR, at: Int64) async throws -> Attempt {
        let policy = self.policy
        switch try await store.reserveCodeAttempt(
            nir: nir, at: at,
            refuse: { failures, last in policy.lockState(consecutiveFailures: failures, lastFailure: last, now: at) != .open })
        {
        case .reserved(let failures):
            return .reserved(failures: failures)
        case .refused(let failures, let last):
            switch policy.lockState(consecutiveFailures: failures, lastFailure: last, now: at) {
            case .open, .lockedUntilRecovery: return .refused(.untilRecovery)
            case .lockedUntil(let until): return .refused(.temporary(seconds: until - at))
            }
        }
    }

    /// Audits a failed code (already counted by `reserveAttempt`); returns the lock it caused, if any.
    func failureCounted(nir: NIR, failures next: Int, at: Int64, channel: Channel) async throws -> LockNotice? {
        var audits = [AuditEvent(at: at, kind: "login", outcome: "failure", subject: nir.masked, channel: channel.rawValue)]
        if next == policy.hardLockThreshold {
            audits.append(
                AuditEvent(at: at, kind: "lockout", outcome: "until_recovery", subject: nir.masked, channel: channel.rawValue))
        } else if next >= policy.softLockThreshold && next < policy.hardLockThreshold {
            audits.append(
                AuditEvent(
                    at: at, kind: "lockout", outcome: "temporary", subject: nir.masked, channel: channel.rawValue,
                    detail: "\(policy.delayAfter(next)) s"))
        }
        try await store.appendAudit(audits)
        switch policy.lockState(consecutiveFailures: next, lastFailure: at, now: at) {
        case .open: return nil
        case .lockedUntil(let until): return .temporary(seconds: until - at)
        case .lockedUntilRecovery: return .untilRecovery
        }
    }

    /// The assuré behind `token`, if the session is valid now (idle and absolute limits);
    /// refreshes its idle timer.
    public func authenticate(token: String?, now: Date) async throws -> Authenticated {
        try await authenticate(token: token, now: now, paymentsIn: nil)
    }

    /// The same, reading in the same transaction the assuré's payments of `window` (a page's
    /// whole read: one hand-off to the database instead of two). Give a window only when the
    /// payments are read from the store itself (`PaymentsService.window(_:today:)` says so),
    /// not from a read replica.
    public func authenticate(token: String?, now: Date, paymentsIn window: PaymentsService.Window?) async throws
        -> Authenticated
    {
        guard let token, Token.isWellFormed(token) else {
            try await checkMaintenance()
            throw ServiceError.notAuthenticated(.none)
        }
        let hash = Token.hash(token)
        let at = Self.seconds(now)
        // One read for the maintenance flag, the session and the account (and the payments).
        let found:
            (
                maintenance: String?, session: StoredSession?, context: AccountContext?, payments: [StoredPayment]?
            )
        if let window {
            found = try await store.sessionContext(tokenHash: hash, paymentsFrom: window.from, to: window.to)
        } else {
            let read = try await store.sessionContext(tokenHash: hash)
            found = (read.maintenance, read.session, read.context, nil)
        }
        if let message = found.maintenance { throw ServiceError.maintenance(message) }
        guard let session = found.session else { throw ServiceError.notAuthenticated(.none) }
        if session.revokedAt != nil { throw ServiceError.notAuthenticated(.revoked) }
        if at - session.lastSeenAt > Int64(policy.sessionIdleSeconds)
            || at - session.createdAt > Int64(policy.sessionAbsoluteSeconds)
        {
            throw ServiceError.notAuthenticated(.expired(limits: policy.sessionLimits))
        }
        guard let context = found.context, let account = context.account, account.status == .active else {
            throw ServiceError.notAuthenticated(.revoked)
        }
        // The idle timer moves in steps of 30 s: a page view is then a read, not a durable write.
        if at - session.lastSeenAt >= 30 { try await store.touchSession(tokenHash: hash, at: at) }
        return Authenticated(
            person: context.person, account: account, tokenHash: hash, method: session.method,
            reauthenticatedAt: session.reauthenticatedAt,
            payments: window.flatMap { window in
                found.payments.map { .init(window: window, nir: context.person.person.nir, payments: $0) }
            })
    }

    /// Closes the session behind `token` (a no-op if it is already closed or unknown).
    public func logout(token: String, channel: Channel, now: Date) async throws {
        guard Token.isWellFormed(token) else { return }
        let at = Self.seconds(now)
        let session = try await store.session(tokenHash: Token.hash(token))
        try await store.revokeSessions(
            tokenHash: Token.hash(token), allOf: nil, at: at,
            audit: AuditEvent(
                at: at, kind: "logout", outcome: session == nil ? "unknown_session" : "success", subject: session?.nir.masked,
                channel: channel.rawValue))
    }

    /// Re-authentication for sensitive changes: the current code is asked again, and a wrong
    /// one counts as a failed login. A session opened through FranceConnect may instead show a
    /// fresh provider login (`AccessPolicy.freshLoginSeconds`), its code left empty.
    func reauthenticate(_ user: Authenticated, code codeText: String, channel: Channel, at: Int64) async throws {
        let nir = user.person.person.nir
        if user.method == FederationService.method && codeText.isEmpty {
            guard let fresh = user.reauthenticatedAt, at - fresh <= Int64(policy.freshLoginSeconds) else {
                throw ServiceError.federation(.reauthenticationRequired)
            }
            return
        }
        let code = try parse { try PersonalCode(codeText) }
        let failures: Int
        switch try await reserveAttempt(nir: nir, at: at) {
        case .refused(let lock): throw ServiceError.locked(lock)
        case .reserved(let count): failures = count
        }
        let verified: Bool
        do {
            verified = try await verify(code.digits, against: user.account.codeHash)
        } catch ServiceError.overloaded {
            try await store.refundCodeAttempt(nir: nir)
            throw ServiceError.overloaded
        }
        if verified {
            // The attempt was counted before the check: a right code gives it back.
            try await store.refundCodeAttempt(nir: nir)
            return
        }
        let lock = try await failureCounted(nir: nir, failures: failures, at: at, channel: channel)
        if let lock {
            try await store.revokeSessions(tokenHash: nil, allOf: user.person.id, at: at, audit: nil)
            throw ServiceError.locked(lock)
        }
        throw ServiceError.wrongCurrentCode
    }

    /// Changes the personal code: the current one is asked again; every session is closed and a
    /// new one returned; a notification goes by e-mail.
    public func changeCode(token: String, current: String, new: String, confirmation: String, channel: Channel, now: Date)
        async throws
        -> NewSession
    {
        let user = try await authenticate(token: token, now: now)
        let at = Self.seconds(now)
        let person = user.person.person
        let code = try parse { try PersonalCode(new) }
        guard new == confirmation else {
            throw ServiceError.invalidValue(
                .invalid(field: "nouveau code personnel", reason: "les deux saisies sont différentes"))
        }
        try parse { try CodePolicy.check(code, nir: person.nir, birthDate: person.birthDate) }
        try await reauthenticate(user, code: current, channel: channel, at: at)
        guard !(try await verify(code.digits, against: user.account.codeHash)) else {
            throw ServiceError.invalidValue(.invalid(field: "nouveau code personnel", reason: "identique à l'actuel"))
        }
        let newToken = Token.generate()
        try await store.changeCode(
            personID: user.person.id, codeHash: try await hash(code.digits), keepSession: [], at: at,
            audit: AuditEvent(
                at: at, kind: "code_change", outcome: "success", subject: person.nir.masked, channel: channel.rawValue))
        try await store.recordLogin(
            nir: person.nir, personID: user.person.id, tokenHash: Token.hash(newToken), channel: channel.rawValue, at: at,
            audit: AuditEvent(
                at: at, kind: "login", outcome: "success_after_code_change", subject: person.nir.masked, channel: channel.rawValue
            ))
        if let email = try? EmailAddress(user.account.email) {
            let message = Letters.codeChangedEmail(person: person, on: now)
            try mail.send(to: email, subject: message.subject, body: message.body, now: now)
        }
        return NewSession(token: newToken, fullName: person.fullName)
    }

    /// Changes the e-mail address: the current code is asked again; a confirmation link goes to
    /// the new address and a notice to the old one.
    public func changeEmail(token: String, code: String, newEmail: String, channel: Channel, now: Date) async throws -> String {
        let user = try await authenticate(token: token, now: now)
        let at = Self.seconds(now)
        let email = try parse { try EmailAddress(newEmail) }
        try await reauthenticate(user, code: code, channel: channel, at: at)
        let link = Token.generate()
        try await store.changeEmail(
            personID: user.person.id, email: email.value, token: (Token.hash(link), at + Int64(policy.emailTokenSeconds)), at: at,
            audit: AuditEvent(
                at: at, kind: "email_change", outcome: "success", subject: user.person.person.nir.masked,
                channel: channel.rawValue))
        let confirmation = Letters.emailChangeConfirmation(
            person: user.person.person, link: confirmationLink(link), policy: policy)
        try mail.send(to: email, subject: confirmation.subject, body: confirmation.body, now: now)
        if let old = try? EmailAddress(user.account.email), old != email {
            let notice = Letters.emailChangedNotice(person: user.person.person, newEmail: email, on: now)
            try mail.send(to: old, subject: notice.subject, body: notice.body, now: now)
        }
        return "Un lien de confirmation a été envoyé à \(email.masked). Cliquez-le dans les \(policy.emailLinkValidity)."
    }

    /// One client address has failed too often and is refused before any code check
    /// (SECURITY.md goal 5: `excess_rate_limit_exceeded`); the web calls it once per window.
    public func auditAddressThrottled(channel: Channel, now: Date) async throws {
        try await store.appendAudit(
            AuditEvent(
                at: Self.seconds(now), kind: "excess_rate_limit_exceeded", outcome: "code_check_refused",
                channel: channel.rawValue, detail: "address"))
    }

    // MARK: Operator

    /// Switches maintenance on (every assuré operation then refuses with `message`) or off.
    public func setMaintenance(_ message: String?, now: Date) async throws {
        let text = try message.map { text throws in
            try parse { try Text.clean(text, field: "message de maintenance", maxLength: 300) }
        }
        try await store.setMaintenance(
            text,
            audit: AuditEvent(
                at: Self.seconds(now), kind: "maintenance", outcome: text == nil ? "off" : "on",
                channel: Channel.operator.rawValue))
    }
}
