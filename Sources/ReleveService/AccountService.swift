import Foundation
import ReleveDomain
import ReleveStore

/// Accounts and authentication, shared by the CLI, the web view and the API: provisional codes
/// by post, account opening and recovery, login with lockout, sessions, account changes,
/// maintenance and the audit trail. Time is always a parameter (`now`).
public struct AccountService: Sendable {
    let store: any Store
    public let hasher: CodeHasher
    public let policy: AccessPolicy
    public let mail: MailOutbox
    /// Where the e-mail confirmation links point (the web view's address).
    public let publicURL: String
    /// Every key derivation of this service goes through it (SECURITY.md goal 6).
    public let gate: KDFGate

    public init(
        store: any Store, hasher: CodeHasher, policy: AccessPolicy = .standard, mail: MailOutbox, publicURL: String,
        gate: KDFGate = KDFGate()
    ) {
        self.store = store
        self.hasher = hasher
        self.policy = policy
        self.mail = mail
        self.publicURL = publicURL
        self.gate = gate
    }

    /// The same service with another key-derivation gate (the web server sizes its own).
    public func with(gate: KDFGate) -> AccountService {
        AccountService(store: store, hasher: hasher, policy: policy, mail: mail, publicURL: publicURL, gate: gate)
    }

    // MARK: Key derivations, always through the gate

    func verify(_ secret: String, against stored: String) async throws -> Bool {
        let hasher = self.hasher
        return try await gate.run { hasher.verify(secret, against: stored) }
    }

    /// Spends a verification's time (unknown NIR, no active code): no enumeration by timing.
    func verifyNothing(_ secret: String) async throws {
        let hasher = self.hasher
        try await gate.run { hasher.verifyNothing(secret) }
    }

    func hash(_ secret: String) async throws -> String {
        let hasher = self.hasher
        return try await gate.run { hasher.hash(secret) }
    }

    public enum Channel: String, Sendable {
        case cli, web, api, `operator`
    }

    static func seconds(_ date: Date) -> Int64 { Int64(date.timeIntervalSince1970.rounded(.down)) }

    func checkMaintenance() async throws {
        if let message = try await store.maintenanceMessage() { throw ServiceError.maintenance(message) }
    }

    /// Runs a domain validation; its `DomainError` becomes the service's `invalidValue`.
    func parse<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as DomainError { throw ServiceError.invalidValue(error) }
    }

    // MARK: Provisional code

    public enum ProvisionalCodeAnswer: Sendable, Equatable {
        /// The same answer whether or not the details matched (no enumeration).
        case requested
        /// The one helpful exception: a person of another régime, told whom to contact.
        case otherRegime(name: String, contact: String)

        /// The answer in French, with the validity of the policy in force.
        public func message(_ policy: AccessPolicy) -> String {
            switch self {
            case .requested:
                "Demande enregistrée. Si ces informations correspondent à un assuré, un code provisoire de 8 chiffres lui est envoyé par courrier, à l'adresse connue de sa caisse, sous \(AccessPolicy.postalDelay) environ. Ce code est valable \(policy.provisionalCodeValidity) et ne sert qu'une fois. Votre code personnel actuel, si vous en avez un, reste valable d'ici là."
            case .otherRegime(let name, let contact):
                "Le compte Releve n'est pas ouvert aux assurés de votre régime (\(name)). Adressez-vous à \(contact)."
            }
        }
    }

    /// Orders a provisional code: NIR, surname, birth date (JJ/MM/AAAA) and postal code are checked
    /// against the registry; on a match, an 8-digit code goes into the postal outbox.
    public func requestProvisionalCode(
        nir nirText: String, lastName: String, birthDate birthText: String, postalCode: String, channel: Channel, now: Date
    ) async throws -> ProvisionalCodeAnswer {
        try await issueProvisionalCode(
            nir: nirText, lastName: lastName, birthDate: birthText, postalCode: postalCode, channel: channel, now: now
        ).answer
    }

    /// The request itself; `code` is the code put in the letter, when one was issued (only the
    /// demo's operator opening reads it, instead of the letter).
    func issueProvisionalCode(
        nir nirText: String, lastName: String, birthDate birthText: String, postalCode: String, channel: Channel, now: Date
    ) async throws -> (answer: ProvisionalCodeAnswer, code: ProvisionalCode?) {
        try await checkMaintenance()
        let nir = try parse { try NIR(parsing: nirText) }
        let birthDate = try parse { try CivilDate(parsing: birthText) }
        let name = try parse { try Text.clean(lastName, field: "nom", maxLength: 80) }
        guard postalCode.utf8.count == 5, postalCode.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
            throw ServiceError.invalidValue(.invalid(field: "code postal", reason: "cinq chiffres attendus"))
        }
        let at = Self.seconds(now)
        let recent = try await store.provisionalCodeRequests(nir: nir, since: at - 86_400)
        guard recent < policy.provisionalRequestsPerDay else {
            try await store.appendAudit(
                AuditEvent(
                    at: at, kind: "provisional_code_request", outcome: "rate_limited", subject: nir.masked,
                    channel: channel.rawValue))
            throw ServiceError.rateLimited(
                "Trop de demandes de code provisoire pour ce numéro aujourd'hui (\(policy.provisionalRequestsLimit)). Réessayez demain : un code déjà envoyé reste valable \(policy.provisionalCodeValidity)."
            )
        }
        let context = try await store.accountContext(nir: nir)
        let matched =
            context.map { context in
                let person = context.person.person
                return Self.sameName(person.lastName, name) && person.birthDate == birthDate
                    && person.address.postalCode == postalCode
            } ?? false
        guard matched, let person = context?.person else {
            try await verifyNothing("00000000")
            try await store.recordProvisionalCodeRequest(
                nir: nir, at: at, issue: nil,
                audit: AuditEvent(
                    at: at, kind: "provisional_code_request", outcome: "no_match", subject: nir.masked, channel: channel.rawValue)
            )
            return (.requested, nil)
        }
        if !person.person.regime.isEligibleForAccount {
            try await store.recordProvisionalCodeRequest(
                nir: nir, at: at, issue: nil,
                audit: AuditEvent(
                    at: at, kind: "provisional_code_request", outcome: "other_regime", subject: nir.masked,
                    channel: channel.rawValue))
            return (
                .otherRegime(
                    name: person.person.regime.name, contact: person.person.regime.contactForOtherScheme ?? "votre caisse"),
                nil
            )
        }
        let code = ProvisionalCode.random()
        let expiresAt = at + Int64(policy.provisionalCodeDays) * 86_400
        let letter = Letters.provisionalCode(
            person: person.person, code: code, requestedOn: now, expiresAt: expiresAt, policy: policy)
        try await store.recordProvisionalCodeRequest(
            nir: nir, at: at, issue: (person.id, try await hash(code.digits), expiresAt, letter),
            audit: AuditEvent(
                at: at, kind: "provisional_code_request", outcome: "issued", subject: nir.masked, channel: channel.rawValue))
        return (.requested, code)
    }

    /// Surnames compared without case or accents: "Müller" typed "MULLER" matches.
    static func sameName(_ a: String, _ b: String) -> Bool {
        func fold(_ s: String) -> String {
            s.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: Locale(identifier: "fr_FR"))
                .filter { $0.isLetter }
        }
        return fold(a) == fold(b)
    }
}
