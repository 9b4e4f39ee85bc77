import Foundation
import GRDB
import ReleveDomain
import ReleveOIDC
import ReleveTestSupport
import Testing

@testable import ReleveService
@testable import ReleveStore

/// FranceConnect login against a real OpenID Connect provider on loopback
/// (Tests/franceconnect/fournisseur.py): the journeys, then every bad answer, each refused,
/// audited, and with nothing created. The clock is the real one: the provider signs real times,
/// so each login step sets the world's clock again (`world.now = Date()`); a clock set only when
/// the world was made fell behind the provider's by more than the 60 s of tolerated skew on a
/// loaded CI run, and ID tokens were refused as issued in the future.
@Suite("FranceConnect")
struct FranceConnectTests {
    /// A world whose services know the provider, its clock set to now.
    static func world(policy: AccessPolicy = .standard) async throws -> (AccountWorld, TestProvider) {
        let provider = try TestProvider()
        let world = try await AccountWorld(policy: policy, federation: provider.settings())
        world.now = Date()
        return (world, provider)
    }

    /// One login: the authorization address, the user picked at the provider, the callback.
    static func login(
        _ subject: String, world: AccountWorld, provider: TestProvider, binding: String = "navigateur-1",
        callbackBinding: String? = nil
    ) async throws -> FederationService.Outcome {
        world.now = Date()
        let url = try await world.services.federation.begin(.login, binding: binding, now: world.now)
        let answer = try provider.authorize(url, as: subject)
        return try await world.services.federation.complete(
            state: answer["state"], code: answer["code"], error: answer["error"], binding: callbackBinding ?? binding,
            channel: .web, now: world.now)
    }

    static func session(_ outcome: FederationService.Outcome) throws -> AccountService.NewSession {
        guard case .session(let session) = outcome else { throw Failure.unexpected("\(outcome)") }
        return session
    }

    enum Failure: Error { case unexpected(String) }
}

extension ServiceError {
    var federationProblem: FederationProblem? {
        if case .federation(let problem) = self { problem } else { nil }
    }
}

extension FranceConnectTests {

    /// Sessions, links and accounts as stored: what "nothing created" is checked against.
    static func counts(_ world: AccountWorld) async throws -> [Int] {
        try await world.store.read { db in
            try ["session", "federated_link", "account"].map { try Int.fetchOne(db, sql: "SELECT count(*) FROM \($0)") ?? -1 }
        }
    }

    static func lastLoginAudit(_ world: AccountWorld) async throws -> AuditEvent? {
        try await world.store.auditEvents(limit: 200).last { $0.channel == FederationService.method }
    }

    // MARK: Journeys

    @Test("an assuré with an account signs in: a session like the code login's, the link stored, audited")
    func loginWithAccount() async throws {
        let (world, provider) = try await Self.world()
        try await world.openAccount()
        let session = try Self.session(try await Self.login("fc-jean-martin", world: world, provider: provider))
        #expect(session.fullName == Fixtures.person().fullName)
        let user = try await world.service.authenticate(token: session.token, now: world.now)
        #expect(user.person.person.nir.body == AccountWorld.nir)
        #expect(user.method == FederationService.method)
        let link = try await world.store.federatedLink(provider: provider.issuer, subject: "fc-jean-martin")
        #expect(link?.personID == user.person.id)
        let audits = try await world.store.auditEvents(limit: 100)
        #expect(audits.contains { $0.kind == "login" && $0.outcome == "success" && $0.channel == "franceconnect" })
        #expect(audits.filter { $0.kind == "federated_link" }.count == 1)
        // The next login goes through the link (no second "linked" row); logout revokes as usual
        // and gives the provider's logout address with the ID token as hint.
        let again = try Self.session(try await Self.login("fc-jean-martin", world: world, provider: provider))
        #expect(try await world.store.auditEvents(limit: 100).filter { $0.kind == "federated_link" }.count == 1)
        let logout = try await world.services.federation.logout(token: again.token, channel: .web, now: world.now)
        #expect(logout?.hasPrefix(provider.issuer + "/api/v2/session/end?id_token_hint=") == true)
        #expect(logout?.contains("post_logout_redirect_uri=https%3A%2F%2Freleve.test%2Ffranceconnect%2Fdeconnecte") == true)
        await expectError({ if case .notAuthenticated = $0 { true } else { false } }) {
            _ = try await world.service.authenticate(token: again.token, now: world.now)
        }
        // The provider was asked for eidas1, with PKCE.
        #expect(try provider.journal().first?["acr_values"] == "eidas1")
    }

    @Test("one match without an account: the account opens from there (terms, e-mail), no personal code")
    func openingWithoutAccount() async throws {
        let (world, provider) = try await Self.world()
        guard case .opening(let token, let name) = try await Self.login("fc-jean-martin", world: world, provider: provider)
        else {
            Issue.record("no opening offered")
            return
        }
        #expect(name == Fixtures.person().fullName)
        #expect(try await Self.counts(world) == [0, 0, 0])
        let federation = world.services.federation
        await expectError({ if case .termsRefused = $0 { true } else { false } }) {
            _ = try await federation.openAccount(
                openingToken: token, binding: "navigateur-1", acceptTerms: false, email: "jean@exemple.fr", now: world.now)
        }
        await expectError({ if case .invalidValue = $0 { true } else { false } }) {
            _ = try await federation.openAccount(
                openingToken: token, binding: "navigateur-1", acceptTerms: true, email: "pas-un-courriel", now: world.now)
        }
        // Another browser cannot use the opening link (and spends it).
        await expectError({ $0.federationProblem == .openingExpired }) {
            _ = try await federation.openAccount(
                openingToken: token, binding: "navigateur-2", acceptTerms: true, email: "jean@exemple.fr", now: world.now)
        }
        #expect(try await Self.counts(world) == [0, 0, 0])
        guard
            case .opening(let second, _) = try await Self.login("fc-jean-martin", world: world, provider: provider)
        else {
            Issue.record("no opening offered")
            return
        }
        let session = try await federation.openAccount(
            openingToken: second, binding: "navigateur-1", acceptTerms: true, email: "jean@exemple.fr", now: world.now)
        #expect(try await Self.counts(world) == [1, 1, 1])
        #expect(try world.mails().last?.contains("jeton=") == true)
        let user = try await world.service.authenticate(token: session.token, now: world.now)
        #expect(user.email == "jean@exemple.fr")
        // No personal code: the code door answers as for a wrong code.
        await expectError({ if case .authenticationFailed = $0 { true } else { false } }) {
            _ = try await world.service.login(nir: AccountWorld.nir, code: AccountWorld.goodCode, channel: .cli, now: world.now)
        }
        // The next FranceConnect login finds the account.
        _ = try Self.session(try await Self.login("fc-jean-martin", world: world, provider: provider))
    }

    @Test("no match, or several: a French refusal pointing at the code journey, nothing created")
    func noMatchOrSeveral() async throws {
        let (world, provider) = try await Self.world()
        try await world.openAccount()
        let before = try await Self.counts(world)
        await expectError({ $0.federationProblem == .noMatch && $0.exitCode == 68 && $0.message.contains("code provisoire") }) {
            _ = try await Self.login("fc-inconnu", world: world, provider: provider)
        }
        // A second registry record with Jean Martin's identity (another NIR): the matching refuses to choose.
        let body = "1701275112099"
        let key = 97 - Int(body)! % 97
        let twin = Fixtures.person(nir: body + String(format: "%02d", key))
        _ = try await world.store.importFile(
            ImportLedgerEntry(sha256: "jumeau", fileName: "jumeau", importedAt: "2026-11-27T00:00:00Z")
        ) { session in _ = try await session.upsert(twin) }
        await expectError({ $0.federationProblem == .severalMatches && $0.exitCode == 68 }) {
            _ = try await Self.login("fc-jean-martin", world: world, provider: provider)
        }
        #expect(try await Self.counts(world) == before)
        let outcomes = try await world.store.auditEvents(limit: 100).filter { $0.channel == "franceconnect" }.map(\.outcome)
        #expect(outcomes == ["no_match", "several_matches"])
    }

    @Test("a cancelled account stays cancelled")
    func cancelledAccount() async throws {
        let (world, provider) = try await Self.world()
        try await world.openAccount()
        let user = try await world.service.login(
            nir: AccountWorld.nir, code: AccountWorld.goodCode, channel: .cli, now: world.now)
        _ = try await world.service.cancelAccount(
            token: user.token, code: AccountWorld.goodCode, confirmed: true, channel: .cli, now: world.now)
        let before = try await Self.counts(world)
        await expectError({ if case .accountClosed = $0 { true } else { false } }) {
            _ = try await Self.login("fc-jean-martin", world: world, provider: provider)
        }
        #expect(try await Self.counts(world) == before)
        #expect(try await Self.lastLoginAudit(world)?.outcome == "refused_closed")
    }

    // MARK: Bad answers

    @Test(
        "each bad ID token or userinfo is refused, audited, and creates nothing",
        arguments: [
            ("wrong_nonce", "nonce"), ("unknown_key", "clé inconnue"), ("alg_none", "algorithme refusé"),
            ("hs256", "algorithme refusé"), ("expired", "expiré"), ("wrong_aud", "signature ou contenu"),
            ("wrong_iss", "émetteur inattendu"), ("no_acr", "acr"), ("userinfo_sub", "sub"),
        ])
    func badTokens(fault: String, detail: String) async throws {
        let (world, provider) = try await Self.world()
        try await world.openAccount()
        let before = try await Self.counts(world)
        try provider.fault(fault)
        await expectError({ $0.federationProblem == .refused && $0.exitCode == 77 }) {
            _ = try await Self.login("fc-jean-martin", world: world, provider: provider)
        }
        #expect(try await Self.counts(world) == before)
        let audit = try await Self.lastLoginAudit(world)
        #expect(audit?.outcome == "refused")
        #expect(audit?.detail?.contains(detail) == true, "\(audit?.detail ?? "")")
    }

    @Test("a key rotation is followed (the JWKS is read again for an unknown kid); ES256 and signed userinfo pass")
    func rotationAndAlgorithms() async throws {
        let (world, provider) = try await Self.world()
        try await world.openAccount()
        _ = try Self.session(try await Self.login("fc-jean-martin", world: world, provider: provider))
        for mode in ["rotate", "es256", "userinfo_jwt"] {
            try provider.fault(mode)
            _ = try Self.session(try await Self.login("fc-jean-martin", world: world, provider: provider))
        }
    }

    @Test("wrong, replayed or foreign state, replayed code, provider error: refused, nothing created")
    func badCallbacks() async throws {
        let (world, provider) = try await Self.world()
        try await world.openAccount()
        let federation = world.services.federation
        let before = try await Self.counts(world)
        // A state never issued.
        await expectError({ $0.federationProblem == .refused }) {
            _ = try await federation.complete(
                state: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", code: "x", error: nil, binding: "navigateur-1",
                channel: .web, now: world.now)
        }
        // The right state from another browser.
        await expectError({ $0.federationProblem == .refused }) {
            _ = try await Self.login("fc-jean-martin", world: world, provider: provider, callbackBinding: "navigateur-2")
        }
        // A state used twice, and a code used twice (under a new state).
        world.now = Date()
        let url = try await federation.begin(.login, binding: "b", now: world.now)
        let answer = try provider.authorize(url, as: "fc-jean-martin")
        _ = try Self.session(
            try await federation.complete(
                state: answer["state"], code: answer["code"], error: nil, binding: "b", channel: .web, now: world.now))
        await expectError({ $0.federationProblem == .refused }) {
            _ = try await federation.complete(
                state: answer["state"], code: answer["code"], error: nil, binding: "b", channel: .web, now: world.now)
        }
        world.now = Date()
        let url2 = try await federation.begin(.login, binding: "b", now: world.now)
        let state2 = try provider.authorize(url2, as: "fc-jean-martin")["state"]
        await expectError({ $0.federationProblem == .refused }) {
            _ = try await federation.complete(
                state: state2, code: answer["code"], error: nil, binding: "b", channel: .web, now: world.now)
        }
        #expect(try await Self.lastLoginAudit(world)?.detail?.contains("invalid_grant") == true)
        // The assuré cancels at the provider.
        try provider.fault("error:access_denied")
        await expectError({ $0.federationProblem == .cancelled }) {
            _ = try await Self.login("fc-jean-martin", world: world, provider: provider)
        }
        // An expired state (the login took more than 10 minutes).
        try provider.fault("none")
        world.now = Date()
        let late = try await federation.begin(.login, binding: "b", now: world.now)
        let lateAnswer = try provider.authorize(late, as: "fc-jean-martin")
        await expectError({ $0.federationProblem == .refused }) {
            _ = try await federation.complete(
                state: lateAnswer["state"], code: lateAnswer["code"], error: nil, binding: "b", channel: .web,
                now: world.now.addingTimeInterval(601))
        }
        // Only the one good login of the lot created something: its session and its link.
        #expect(try await Self.counts(world) == [before[0] + 1, before[1] + 1, before[2]])
    }

    @Test("a provider down or too slow: a French refusal within the stated timeout, nothing created")
    func providerDownOrSlow() async throws {
        let (world, provider) = try await Self.world()
        try await world.openAccount()
        let federation = world.services.federation
        let before = try await Self.counts(world)
        try provider.fault("slow")
        let started = ContinuousClock.now
        await expectError({ $0.federationProblem == .unavailable && $0.exitCode == 69 }) {
            _ = try await Self.login("fc-jean-martin", world: world, provider: provider)
        }
        // The provider holds its token answer 30 s; the settings' 2 s per call must cut it well
        // before (a generous bound: the whole suite runs in parallel on 2 cores).
        #expect(ContinuousClock.now - started < .seconds(25))
        // Stopped: a service that has not read the discovery yet cannot even start a login.
        provider.stop()
        let fresh = try await AccountWorld(federation: provider.settings())
        await expectError({ $0.federationProblem == .unavailable }) {
            _ = try await fresh.services.federation.begin(.login, binding: "b", now: Date())
        }
        #expect(try await Self.lastLoginAudit(fresh)?.outcome == "unavailable")
        #expect(try await Self.counts(world) == before)
        #expect(try await Self.lastLoginAudit(world)?.outcome == "unavailable")
        _ = federation
    }

    @Test("sensitive actions of a FranceConnect session: a fresh provider login (prompt=login, max_age=0), not a code")
    func reauthentication() async throws {
        var policy = AccessPolicy.standard
        policy.freshLoginSeconds = 0
        let (world, provider) = try await Self.world(policy: policy)
        try await world.openAccount()
        let federation = world.services.federation
        let session = try Self.session(try await Self.login("fc-jean-martin", world: world, provider: provider))
        world.advance(seconds: 2)
        await expectError({ $0.federationProblem == .reauthenticationRequired }) {
            _ = try await world.service.changeEmail(
                token: session.token, code: "", newEmail: "nouveau@exemple.fr", channel: .web, now: world.now)
        }
        world.now = Date()
        let url = try await federation.begin(
            .reauthenticate(token: session.token, action: "email"), binding: "navigateur-1", now: world.now)
        #expect(url.contains("prompt=login") && url.contains("max_age=0"))
        let answer = try provider.authorize(url, as: "fc-jean-martin")
        let outcome = try await federation.complete(
            state: answer["state"], code: answer["code"], error: nil, binding: "navigateur-1", channel: .web, now: world.now)
        guard case .reauthenticated(let action) = outcome else {
            Issue.record("\(outcome)")
            return
        }
        #expect(action == "email")
        _ = try await world.service.changeEmail(
            token: session.token, code: "", newEmail: "nouveau@exemple.fr", channel: .web, now: world.now)
        // Another person's provider account cannot re-authenticate this session.
        world.now = Date()
        let other = try await federation.begin(
            .reauthenticate(token: session.token, action: "code"), binding: "navigateur-1", now: world.now)
        let otherAnswer = try provider.authorize(other, as: "fc-inconnu")
        await expectError({ $0.federationProblem == .refused }) {
            _ = try await federation.complete(
                state: otherAnswer["state"], code: otherAnswer["code"], error: nil, binding: "navigateur-1", channel: .web,
                now: world.now)
        }
        // A code session keeps the code.
        let coded = try await world.service.login(
            nir: AccountWorld.nir, code: AccountWorld.goodCode, channel: .cli, now: world.now)
        await expectError({ if case .invalidValue = $0 { true } else { false } }) {
            _ = try await world.service.changeEmail(
                token: coded.token, code: "", newEmail: "autre@exemple.fr", channel: .cli, now: world.now)
        }
    }

    @Test("a linked subject whose identity changed is audited and checked again")
    func changedIdentity() async throws {
        let (world, provider) = try await Self.world()
        try await world.openAccount()
        _ = try Self.session(try await Self.login("fc-jean-martin", world: world, provider: provider))
        // The link was stored with another canonical identity (the provider's record changed since).
        try await world.store.write { db in
            try db.execute(sql: "UPDATE federated_link SET identity = 'ancienne'")
        }
        _ = try Self.session(try await Self.login("fc-jean-martin", world: world, provider: provider))
        #expect(
            try await world.store.auditEvents(limit: 100).contains {
                $0.kind == "federated_identity_changed" && $0.outcome == "still_matches"
            })
        // Linked to someone else whom the identity does not describe: refused.
        try await world.store.write { db in
            try db.execute(
                sql:
                    "UPDATE federated_link SET identity = 'ancienne', person_id = (SELECT id FROM person WHERE nir <> ? LIMIT 1)",
                arguments: [AccountWorld.nir])
        }
        await expectError({ $0.federationProblem == .noMatch }) {
            _ = try await Self.login("fc-jean-martin", world: world, provider: provider)
        }
    }

    @Test("every refusal reads as correct French and names the code journey where it helps")
    func wording() {
        let problems: [FederationProblem] = [
            .notConfigured, .unavailable, .refused, .cancelled, .noMatch, .severalMatches,
            .otherRegime(name: "Mutualité sociale agricole", contact: "votre MSA"), .reauthenticationRequired,
            .openingExpired,
        ]
        for problem in problems {
            let message = ServiceError.federation(problem).message
            #expect(FrenchGrammar.problems(in: message).isEmpty, "\(message)")
            #expect(FrenchGrammar.capitalProblem(message) == nil, "\(message)")
        }
        for problem in [FederationProblem.noMatch, .severalMatches, .unavailable, .cancelled] {
            #expect(ServiceError.federation(problem).message.contains("code provisoire"))
            #expect(!ServiceError.federation(problem).webMessage.contains("releve compte"))
        }
    }

    @Test("without a provider configured, the door says so")
    func notConfigured() async throws {
        let world = try await AccountWorld()
        #expect(!world.services.federation.isConfigured)
        await expectError({ $0.federationProblem == .notConfigured }) {
            _ = try await world.services.federation.begin(.login, binding: "b", now: world.now)
        }
    }
}
