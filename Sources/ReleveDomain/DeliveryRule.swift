/// How a monthly statement reaches the assuré (seed terms of use, DOMAIN.md §2.2):
/// - no account, or a cancelled one → by post;
/// - an active account → paperless: online, with an e-mail notice;
/// - except when a beneficiary's complémentaire has no active NOEMIE link: paper continues
///   (and the online copy), because the assuré must post it to the complémentaire.
///
/// Evaluated for the statement's month, on its first day: an account opened or cancelled in
/// the middle of a month changes delivery from the next month's statement on.
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

        func contains(_ day: CivilDate) -> Bool {
            from <= day && (until.map { day < $0 } ?? true)
        }
    }

    public static func mode(for person: InsuredPerson, accountPeriods: [OpenPeriod], month: Month) -> Mode {
        let day = month.firstDay
        guard accountPeriods.contains(where: { $0.contains(day) }) else {
            return .post(
                reason: "vous n'avez pas de compte ouvert au 1er \(month.formatted) : vos relevés vous sont envoyés par courrier")
        }
        let unlinked = person.beneficiaries.filter { $0.complementaire.map { !$0.noemieLinkActive } ?? false }
        if let first = unlinked.first, let complementaire = first.complementaire {
            let names = unlinked.map(\.firstName).joined(separator: ", ")
            return .onlineAndPost(
                reason:
                    "la complémentaire de \(names) (\(complementaire.name)) ne reçoit pas vos remboursements par voie électronique (NOEMIE) : vous recevez aussi le relevé par courrier pour le lui envoyer"
            )
        }
        return .online
    }
}
