/// How a monthly statement reaches the assuré (seed terms of use, DOMAIN.md §2.2):
/// - no account, or a cancelled one → by post;
/// - an active account → paperless: online, with an e-mail notice;
/// - except when a beneficiary's complémentaire has no active NOEMIE link: paper continues
///   (and the online copy), because the assuré must post it to the complémentaire.
///
/// The statement of month M is paperless only if the account was open on the first day of M
/// and is still open on the day M's statement is issued (early in M+1). So:
/// - opening (or reopening) during M: M's statement still comes by post, the next ones do not;
/// - cancelling during M, or before M's statement is issued: M's statement comes by post —
///   nobody is left with a statement they can no longer reach online.
public enum DeliveryRule {
    public enum Mode: Sendable, Equatable {
        case post(reason: String)
        case online
        case onlineAndPost(reason: String)

        public var byPost: Bool {
            switch self {
            case .online: false
            case .post, .onlineAndPost: true
            }
        }

        public var online: Bool {
            switch self {
            case .post: false
            case .online, .onlineAndPost: true
            }
        }

        /// The stored form: `online`, `post` or `online_post`.
        public var code: String {
            switch self {
            case .online: "online"
            case .post: "post"
            case .onlineAndPost: "online_post"
            }
        }

        /// One French sentence: how the statement is delivered and why.
        public var explanation: String {
            switch self {
            case .online:
                "relevé dématérialisé : disponible dans votre espace Releve, un e-mail vous prévient de sa mise en ligne ; pas d'envoi papier"
            case .post(let reason): "relevé envoyé par courrier : \(reason)"
            case .onlineAndPost(let reason): "relevé en ligne et par courrier : \(reason)"
            }
        }
    }

    /// An interval during which the account was open: `from` the day it opened, `until` the day
    /// it was cancelled (nil while open).
    public struct OpenPeriod: Sendable, Hashable {
        public var from: CivilDate
        public var until: CivilDate?

        public init(from: CivilDate, until: CivilDate?) {
            self.from = from
            self.until = until
        }

        func covers(_ first: CivilDate, through last: CivilDate) -> Bool {
            from <= first && (until.map { last < $0 } ?? true)
        }
    }

    /// The delivery of `month`'s statement, issued on `issuedOn` (the day the batch runs).
    public static func mode(for person: InsuredPerson, accountPeriods: [OpenPeriod], month: Month, issuedOn: CivilDate) -> Mode {
        let first = month.firstDay
        guard accountPeriods.contains(where: { $0.covers(first, through: issuedOn) }) else {
            let latest = accountPeriods.max { $0.from < $1.from }
            let reason: String
            switch latest {
            case nil:
                reason = "vous n'avez pas de compte Releve"
            case .some(let period) where period.until.map { $0 <= issuedOn } ?? false:
                reason = "votre compte a été résilié le \(period.until!.formattedLong)"
            case .some(let period):
                reason =
                    "votre compte a été ouvert le \(period.from.formattedLong) ; le relevé dématérialisé commence avec celui \(period.from.calendarMonth.adding(months: 1).withDe)"
            }
            return .post(reason: reason)
        }
        let unlinked = person.beneficiaries.filter { $0.complementaire.map { !$0.noemieLinkActive } ?? false }
        if let first = unlinked.first, let complementaire = first.complementaire {
            return .onlineAndPost(
                reason:
                    "la complémentaire \(French.de(list: unlinked.map(\.firstName))) (\(complementaire.name)) ne reçoit pas vos remboursements par voie électronique (NOEMIE) ; le relevé papier vous permet de le lui envoyer"
            )
        }
        return .online
    }
}
