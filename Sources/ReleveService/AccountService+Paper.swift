import Foundation
import ReleveDomain
import ReleveStore

extension AccountService {
    // MARK: Delivery

    /// How the statement of the current month will be delivered if nothing changes before it
    /// is issued (at the start of next month), and why.
    public func delivery(_ user: Authenticated, now: Date) async throws -> (month: Month, mode: DeliveryRule.Mode) {
        let today = CivilDate(unixSeconds: Self.seconds(now))
        let month = today.calendarMonth
        let periods = try await store.accountPeriods(of: user.person.id)
        return (
            month,
            DeliveryRule.mode(
                for: user.person.person, accountPeriods: periods, month: month, issuedOn: month.lastDay.adding(days: 1))
        )
    }

    // MARK: Cancellation

    /// What cancelling changes, to show before asking for confirmation.
    public static var cancellationConsequences: [String] { Letters.cancellationConsequences }

    /// Cancels the account: the personal code is asked again (a wrong one counts as a failed
    /// login) and the cancellation must be confirmed. Then the account is closed, every session
    /// revoked, delivery returns to the post, and a confirmation goes by post and by e-mail.
    public func cancelAccount(token: String?, code: String, confirmed: Bool, channel: Channel, now: Date) async throws -> String {
        let user = try await authenticate(token: token, now: now)
        let at = Self.seconds(now)
        let person = user.person.person
        guard confirmed else {
            throw ServiceError.invalidValue(
                .invalid(field: "confirmation", reason: "la résiliation n'a pas été confirmée ; votre compte reste ouvert"))
        }
        try await reauthenticate(user, code: code, channel: channel, at: at)
        let closed = try await store.closeAccount(
            personID: user.person.id, at: at, letter: Letters.cancellation(person: person, on: now),
            audit: AuditEvent(
                at: at, kind: "cancellation", outcome: "success", subject: person.nir.masked, channel: channel.rawValue)
        )
        guard closed else { throw ServiceError.notAuthenticated(.revoked) }
        if user.account.emailConfirmed, let email = try? EmailAddress(user.account.email) {
            let message = Letters.cancellationEmail(person: person, on: now)
            _ = try? mail.send(to: email, subject: message.subject, body: message.body, now: now)
        }
        return """
            Votre compte est résilié. Vos relevés vous seront de nouveau envoyés par courrier, à partir de celui \
            \(CivilDate(unixSeconds: at).calendarMonth.withDe). Une confirmation vous est envoyée par courrier et par e-mail.
            """
    }

    // MARK: Duplicatas

    public static let defaultDuplicataQuota = 5
    static let duplicataQuotaKey = "duplicata_quota"

    /// Duplicata requests allowed per assuré and calendar month (operator setting).
    public func duplicataQuota() async throws -> Int {
        try await store.setting(Self.duplicataQuotaKey).flatMap(Int.init) ?? Self.defaultDuplicataQuota
    }

    public func setDuplicataQuota(_ quota: Int, now: Date) async throws {
        guard (0...100).contains(quota) else {
            throw ServiceError.invalidValue(.invalid(field: "duplicatas par mois", reason: "attendu entre 0 et 100"))
        }
        try await store.setSetting(
            Self.duplicataQuotaKey, String(quota),
            audit: AuditEvent(
                at: Self.seconds(now), kind: "setting", outcome: "duplicata_quota", channel: Channel.operator.rawValue,
                detail: String(quota)))
    }

    public enum DuplicataAnswer: Sendable, Equatable {
        case requested(DuplicataRequest)
        case alreadyRequested(DuplicataRequest)

        public var request: DuplicataRequest {
            switch self {
            case .requested(let r), .alreadyRequested(let r): r
            }
        }

        public var message: String {
            switch self {
            case .requested(let r):
                "Duplicata du relevé \(r.month.withDe) demandé : il sera imprimé et posté à l'adresse connue de votre caisse (demande n°\(r.letterID))."
            case .alreadyRequested(let r):
                "Un duplicata du relevé \(r.month.withDe) est déjà demandé depuis le \(Letters.date(r.requestedAt)) et pas encore imprimé : aucune nouvelle demande n'a été créée (demande n°\(r.letterID))."
            }
        }
    }

    /// Asks for a paper duplicata of the assuré's statement for `month`. A month with no
    /// statement of theirs gets the same answer whether it exists for someone else or not.
    public func requestDuplicata(_ user: Authenticated, month: Month, channel: Channel, now: Date) async throws -> DuplicataAnswer
    {
        try await checkMaintenance()
        let at = Self.seconds(now)
        guard let statement = try await store.statements(of: user.person.id).first(where: { $0.month == month }) else {
            throw ServiceError.invalidValue(
                .invalid(field: "mois", reason: "aucun relevé émis pour \(month.formatted) dans votre archive"))
        }
        let quota = try await duplicataQuota()
        let windowStart = Int64(CivilDate(unixSeconds: at).calendarMonth.firstDay.daysSinceEpoch) * 86_400
        let outcome = try await store.requestDuplicata(
            personID: user.person.id, statementID: statement.id,
            letter: Letters.duplicataCover(
                person: user.person.person, month: month, reference: statement.reference, requestedOn: now),
            at: at, windowStart: windowStart, quota: quota,
            audit: AuditEvent(
                at: at, kind: "duplicata", outcome: "", subject: user.person.person.nir.masked, channel: channel.rawValue,
                detail: statement.reference))
        let requests = try await store.duplicatas(of: user.person.id)
        switch outcome {
        case .created(let id):
            guard let request = requests.first(where: { $0.letterID == id }) else {
                throw ServiceError.internal("duplicata \(id)")
            }
            return .requested(request)
        case .alreadyPending(let id, _):
            guard let request = requests.first(where: { $0.letterID == id }) else {
                throw ServiceError.internal("duplicata \(id)")
            }
            return .alreadyRequested(request)
        case .overQuota(let used):
            throw ServiceError.rateLimited(
                "Vous avez déjà demandé \(used) duplicata\(used > 1 ? "s" : "") ce mois-ci (limite : \(quota) par mois) ; réessayez le mois prochain ou contactez votre caisse"
            )
        }
    }

    public func duplicatas(_ user: Authenticated) async throws -> [DuplicataRequest] {
        try await store.duplicatas(of: user.person.id)
    }
}

extension DuplicataRequest {
    /// "demandé le …", "imprimé le …", "posté le …": the latest step.
    public var statusText: String {
        switch status {
        case .pending: "demandé le \(Letters.date(requestedAt))"
        case .printed: "imprimé le \(Letters.date(printedAt ?? requestedAt))"
        case .posted: "posté le \(Letters.date(postedAt ?? requestedAt))"
        }
    }
}
