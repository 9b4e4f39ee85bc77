import Crypto
import Foundation
import ReleveDomain
import ReleveOIDC
import ReleveStore

/// Why a federated login gave no session; each has its French page (and CLI exit code).
public enum FederationProblem: Sendable, Equatable {
    /// The installation has no provider configured.
    case notConfigured
    /// The provider did not answer, or answered something unusable.
    case unavailable
    /// A security check failed (state, binding, code, signature, claims): nothing was created.
    case refused
    /// The assuré cancelled at the provider (`access_denied`).
    case cancelled
    /// No assuré of the registry has this identity.
    case noMatch
    /// Several assurés have this identity: the code journey must decide.
    case severalMatches
    /// The matched assuré belongs to a régime this service does not serve.
    case otherRegime(name: String, contact: String)
    /// A sensitive action needs a fresh provider login first.
    case reauthenticationRequired
    /// The opening link is unknown, used or expired.
    case openingExpired

    public var message: String {
        let codeJourney =
            "Vous pouvez vous connecter avec votre numéro de sécurité sociale et votre code personnel ; sans code, commandez un code provisoire, envoyé par courrier (releve compte code-provisoire)."
        switch self {
        case .notConfigured:
            return "La connexion avec FranceConnect n'est pas proposée par ce service. " + codeJourney
        case .unavailable:
            return
                "FranceConnect ne répond pas pour le moment : aucune connexion n'a été ouverte. Réessayez dans quelques minutes. "
                + codeJourney
        case .refused:
            return
                "La connexion avec FranceConnect n'a pas abouti : la réponse reçue n'a pas passé nos contrôles de sécurité. Rien n'a été créé ni modifié. Recommencez depuis la page de connexion."
        case .cancelled:
            return "Vous avez annulé la connexion avec FranceConnect : rien n'a été créé ni modifié. " + codeJourney
        case .noMatch:
            return
                "L'identité transmise par FranceConnect ne correspond à aucun assuré de notre caisse (nom de naissance, prénoms, date, lieu de naissance et sexe sont comparés). Rien n'a été créé. "
                + codeJourney
        case .severalMatches:
            return
                "L'identité transmise par FranceConnect correspond à plusieurs dossiers : nous ne pouvons pas choisir à votre place. Rien n'a été créé. "
                + codeJourney
        case .otherRegime(let name, let contact):
            return "Le compte Releve n'est pas ouvert aux assurés de votre régime (\(name)). Adressez-vous à \(contact)."
        case .reauthenticationRequired:
            return
                "Pour cette action, confirmez d'abord votre identité avec FranceConnect : une nouvelle connexion vous est demandée (releve connexion --franceconnect). Rien n'a été modifié."
        case .openingExpired:
            return
                "Ce lien d'ouverture de compte a expiré ou a déjà servi (il est valable 15 minutes). Reconnectez-vous avec FranceConnect pour recommencer."
        }
    }

    /// sysexits.h: 68 (EX_NOUSER) when no single assuré matches (67 for another régime, as the
    /// code journey answers), 69 when the provider is
    /// unavailable or not configured, 77 for a refusal.
    public var exitCode: Int32 {
        switch self {
        case .noMatch, .severalMatches: 68
        case .otherRegime: 67
        case .notConfigured, .unavailable: 69
        case .refused, .cancelled, .reauthenticationRequired, .openingExpired: 77
        }
    }
}

/// Login through an OpenID Connect provider (FranceConnect), beside the personal code: the same
/// sessions, timeouts, revocation and audit as the code login (channel "franceconnect").
public struct FederationService: Sendable {
    let store: any Store
    let accounts: AccountService
    let party: RelyingParty?

    /// The session method and the audit channel of these logins.
    public static let method = "franceconnect"
    /// How long a login may stay at the provider, and an opening wait for its form.
    static let pendingSeconds: Int64 = 600
    static let openingSeconds: Int64 = 900

    init(store: any Store, accounts: AccountService, settings: ProviderSettings?) {
        self.store = store
        self.accounts = accounts
        self.party = settings.map { RelyingParty(settings: $0) }
    }

    public var isConfigured: Bool { party != nil }
    public var providerName: String { party?.settings.name ?? "FranceConnect" }
    public var settings: ProviderSettings? { party?.settings }

    public enum Intent: Sendable, Equatable {
        case login
        /// A fresh login before `action` (code, e-mail, cancellation) on the session `token`.
        case reauthenticate(token: String, action: String)
    }

    /// Starts a login: stores state, nonce and PKCE verifier bound to `binding` (a random value
    /// the browser keeps in a cookie, or the CLI in memory) and returns the provider's address.
    public func begin(_ intent: Intent, binding: String, redirectURI: String? = nil, now: Date) async throws -> String {
        let party = try configured()
        try await accounts.checkMaintenance()
        let at = AccountService.seconds(now)
        var sessionHash: [UInt8]?
        var purpose = PendingFederation.Purpose.login
        var action = ""
        if case .reauthenticate(let token, let what) = intent {
            let user = try await accounts.authenticate(token: token, now: now)
            sessionHash = user.tokenHash
            purpose = .reauthenticate
            action = what
        }
        let state = Token.generate()
        let nonce = Token.generate()
        let pkce = RelyingParty.pkce()
        let redirect = redirectURI ?? party.settings.redirectURI
        let url: String
        do {
            url = try await party.authorizationURL(
                state: state, nonce: nonce, codeChallenge: pkce.challenge, redirectURI: redirect,
                reauthenticate: purpose == .reauthenticate)
        } catch {
            try await audit("unavailable", detail: error.detail, at: at)
            throw ServiceError.federation(.unavailable)
        }
        try await store.beginFederation(
            PendingFederation(
                stateHash: Token.hash(state), bindingHash: Self.bindingHash(binding), purpose: purpose, nonce: nonce,
                verifier: pkce.verifier, redirectURI: redirect, sessionHash: sessionHash, subject: action.isEmpty ? nil : action,
                createdAt: at, expiresAt: at + Self.pendingSeconds), audit: nil)
        return url
    }

    /// What the provider's answer gave.
    public enum Outcome: Sendable {
        /// A session, as the code login gives.
        case session(AccountService.NewSession)
        /// The session may now do `action` (code, e-mail, cancellation).
        case reauthenticated(action: String)
        /// One assuré matched, without an account: the opening form comes next, with this token.
        case opening(token: String, fullName: String)
    }

    /// The callback: `state`, `code` or `error` as the provider sent them, and the binding the
    /// login was started with. Every refusal is audited; nothing is created.
    public func complete(
        state: String?, code: String?, error providerError: String?, errorDescription: String? = nil, binding: String?,
        channel: AccountService.Channel, now: Date
    ) async throws -> Outcome {
        let party = try configured()
        try await accounts.checkMaintenance()
        let at = AccountService.seconds(now)
        guard let state, Token.isWellFormed(state),
            let pending = try await store.takeFederation(stateHash: Token.hash(state), at: at),
            pending.purpose != .open
        else {
            try await audit("refused", detail: "state inconnu, expiré ou déjà utilisé", at: at)
            throw ServiceError.federation(.refused)
        }
        guard let binding, Self.sameBinding(Self.bindingHash(binding), pending.bindingHash) else {
            try await audit("refused", detail: "state présenté par un autre navigateur", at: at)
            throw ServiceError.federation(.refused)
        }
        if let providerError {
            try await audit(
                providerError == "access_denied" ? "cancelled" : "refused",
                detail: "erreur du fournisseur : \(providerError.prefix(60)) \(errorDescription?.prefix(120) ?? "")", at: at)
            throw ServiceError.federation(providerError == "access_denied" ? .cancelled : .refused)
        }
        guard let code, !code.isEmpty, code.utf8.count <= 512 else {
            try await audit("refused", detail: "réponse sans code", at: at)
            throw ServiceError.federation(.refused)
        }
        let login: RelyingParty.Login
        do {
            login = try await party.complete(
                code: code, verifier: pending.verifier, nonce: pending.nonce, redirectURI: pending.redirectURI,
                maxAge: pending.purpose == .reauthenticate ? 0 : nil, now: now)
        } catch {
            switch error {
            case .unreachable, .badAnswer:
                try await audit("unavailable", detail: error.detail, at: at)
                throw ServiceError.federation(.unavailable)
            default:
                try await audit("refused", detail: "\(error.code) : \(error.detail)", at: at)
                throw ServiceError.federation(.refused)
            }
        }
        let provider = party.settings.issuer
        let link = try await store.federatedLink(provider: provider, subject: login.subject)
        if pending.purpose == .reauthenticate {
            return try await reauthenticated(pending: pending, login: login, link: link, at: at)
        }
        let context = try await matchedContext(login: login, link: link, at: at)
        let person = context.person.person
        guard person.regime.isEligibleForAccount else {
            try await audit("other_regime", subject: person.nir.masked, at: at)
            throw ServiceError.federation(
                .otherRegime(name: person.regime.name, contact: person.regime.contactForOtherScheme ?? "votre caisse"))
        }
        let newLink = FederatedLink(
            provider: provider, subject: login.subject, personID: context.person.id, identity: login.identity.canonical)
        guard let account = context.account else {
            let token = Token.generate()
            try await store.beginFederation(
                PendingFederation(
                    stateHash: Token.hash(token), bindingHash: pending.bindingHash, purpose: .open,
                    personID: context.person.id, subject: login.subject, identity: login.identity.canonical,
                    idToken: login.idToken, createdAt: at, expiresAt: at + Self.openingSeconds),
                audit: AuditEvent(
                    at: at, kind: "login", outcome: "no_account", subject: person.nir.masked, channel: Self.method,
                    detail: channel.rawValue))
            return .opening(token: token, fullName: person.fullName)
        }
        guard account.status == .active else {
            try await audit("refused_closed", subject: person.nir.masked, at: at)
            throw ServiceError.accountClosed
        }
        let token = Token.generate()
        var events = [
            AuditEvent(
                at: at, kind: "login", outcome: "success", subject: person.nir.masked, channel: Self.method,
                detail: channel.rawValue)
        ]
        if link == nil {
            events.insert(
                AuditEvent(at: at, kind: "federated_link", outcome: "linked", subject: person.nir.masked, channel: Self.method),
                at: 0)
        }
        try await store.recordFederatedLogin(
            link: newLink, method: Self.method, nir: person.nir, tokenHash: Token.hash(token), channel: channel.rawValue,
            idToken: login.idToken,
            at: at, audit: events)
        return .session(AccountService.NewSession(token: token, fullName: person.fullName))
    }

    /// The assuré of this identity: through the link when there is one (re-checked, and audited,
    /// when the provider's identity changed), else by matching the registry.
    private func matchedContext(login: RelyingParty.Login, link: FederatedLink?, at: Int64) async throws -> AccountContext {
        if let link {
            guard let context = try await store.accountContext(personID: link.personID) else {
                try await audit("refused", detail: "lien vers un assuré absent du registre", at: at)
                throw ServiceError.federation(.noMatch)
            }
            if link.identity != login.identity.canonical {
                let still = login.identity.matches(context.person.person)
                try await store.appendAudit([
                    AuditEvent(
                        at: at, kind: "federated_identity_changed", outcome: still ? "still_matches" : "no_longer_matches",
                        subject: context.person.person.nir.masked, channel: Self.method)
                ])
                guard still else { throw ServiceError.federation(.noMatch) }
            }
            return context
        }
        let candidates = try await store.accountContexts(bornOn: login.identity.birthDate).filter {
            login.identity.matches($0.person.person)
        }
        switch candidates.count {
        case 1:
            return candidates[0]
        case 0:
            try await audit("no_match", at: at)
            throw ServiceError.federation(.noMatch)
        default:
            try await audit("several_matches", detail: "\(candidates.count) dossiers", at: at)
            throw ServiceError.federation(.severalMatches)
        }
    }

    private func reauthenticated(pending: PendingFederation, login: RelyingParty.Login, link: FederatedLink?, at: Int64)
        async throws -> Outcome
    {
        guard let sessionHash = pending.sessionHash, let session = try await store.session(tokenHash: sessionHash),
            session.revokedAt == nil
        else {
            try await audit("refused", detail: "réauthentification pour une session fermée", at: at)
            throw ServiceError.notAuthenticated(.revoked)
        }
        guard let link, link.personID == session.personID else {
            try await store.appendAudit([
                AuditEvent(
                    at: at, kind: "reauthentication", outcome: "other_identity", subject: session.nir.masked,
                    channel: Self.method)
            ])
            throw ServiceError.federation(.refused)
        }
        try await store.markReauthenticated(
            tokenHash: sessionHash, idToken: login.idToken, at: at,
            audit: AuditEvent(
                at: at, kind: "reauthentication", outcome: "success", subject: session.nir.masked, channel: Self.method,
                detail: pending.subject))
        return .reauthenticated(action: pending.subject ?? "")
    }

    /// Opens the account of an identity matched without one: terms accepted and an e-mail
    /// address (confirmed by link, as for the code journey); no provisional code, no personal code.
    public func openAccount(
        openingToken: String, binding: String?, acceptTerms: Bool, email emailText: String, now: Date
    ) async throws -> AccountService.NewSession {
        try await accounts.checkMaintenance()
        guard acceptTerms else { throw ServiceError.termsRefused }
        let email = try accounts.parse { try EmailAddress(emailText) }
        let at = AccountService.seconds(now)
        guard Token.isWellFormed(openingToken),
            let pending = try await store.takeFederation(stateHash: Token.hash(openingToken), at: at),
            pending.purpose == .open, let binding, Self.sameBinding(Self.bindingHash(binding), pending.bindingHash),
            let personID = pending.personID, let subject = pending.subject, let identity = pending.identity,
            let idToken = pending.idToken, let context = try await store.accountContext(personID: personID)
        else {
            try await audit("opening_refused", detail: "lien d'ouverture inconnu, expiré ou d'un autre navigateur", at: at)
            throw ServiceError.federation(.openingExpired)
        }
        let person = context.person.person
        let link = FederatedLink(
            provider: party?.settings.issuer ?? "", subject: subject, personID: personID, identity: identity)
        let confirmation = Token.generate()
        let token = Token.generate()
        let opened = try await store.openFederatedAccount(
            link: link, method: Self.method, nir: person.nir, email: email.value,
            emailToken: (Token.hash(confirmation), at + Int64(accounts.policy.emailTokenSeconds)), session: Token.hash(token),
            idToken: idToken, at: at,
            audit: [
                AuditEvent(
                    at: at, kind: "account_opening", outcome: "success", subject: person.nir.masked, channel: Self.method),
                AuditEvent(at: at, kind: "login", outcome: "success", subject: person.nir.masked, channel: Self.method),
            ])
        guard opened else { throw ServiceError.accountClosed }
        let message = Letters.openingEmail(
            kind: .new, person: person, link: accounts.confirmationLink(confirmation), policy: accounts.policy)
        try accounts.mail.send(to: email, subject: message.subject, body: message.body, now: now)
        return AccountService.NewSession(token: token, fullName: person.fullName)
    }

    /// Closes the session behind `token`; for a federated session, also returns the provider's
    /// logout address (with `id_token_hint`), where the browser goes next.
    public func logout(token: String, channel: AccountService.Channel, now: Date) async throws -> String? {
        var providerLogout: String?
        if Token.isWellFormed(token), let party, let session = try await store.session(tokenHash: Token.hash(token)),
            session.method == Self.method, session.revokedAt == nil, let idToken = session.idToken
        {
            providerLogout = try? await party.logoutURL(idTokenHint: idToken, state: Token.generate())
        }
        try await accounts.logout(token: token, channel: channel, now: now)
        return providerLogout
    }

    /// The operator's check of the provider settings (`releve admin franceconnect verifier`).
    public func diagnose() async throws -> [RelyingParty.Finding] {
        try await configured().diagnose()
    }

    // MARK: Helpers

    private func configured() throws -> RelyingParty {
        guard let party else { throw ServiceError.federation(.notConfigured) }
        return party
    }

    private func audit(_ outcome: String, subject: String? = nil, detail: String? = nil, at: Int64) async throws {
        try await store.appendAudit([
            AuditEvent(
                at: at, kind: "login", outcome: outcome, subject: subject, channel: Self.method,
                detail: detail.map { String($0.prefix(300)) })
        ])
    }

    static func bindingHash(_ binding: String) -> [UInt8] {
        Array(SHA256.hash(data: Data("releve-binding:\(binding)".utf8)))
    }

    static func sameBinding(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        SymmetricKey(data: a) == SymmetricKey(data: b)
    }
}
