import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import ReleveDomain
import ReleveService
import ReleveTestSupport
import Testing

@testable import ReleveWeb

/// The FranceConnect door of the web view, in-process, against the real test provider
/// (Tests/franceconnect/fournisseur.py): the button, the provider's return, the session, the
/// account page of a federated session, logout at the provider, the opening, the refusals.
@Suite("Web: FranceConnect")
struct FranceConnectWebTests {
    final class World: @unchecked Sendable {
        let provider: TestProvider
        let accounts: AccountWorld

        init(openAccount: Bool = true) async throws {
            provider = try TestProvider()
            accounts = try await AccountWorld(federation: provider.settings())
            if openAccount { try await accounts.openAccount() }
            accounts.now = Date()
        }

        func test<T: Sendable>(_ body: @Sendable (any TestClientProtocol) async throws -> T) async throws -> T {
            let accounts = self.accounts
            let web = try Web(services: accounts.services, configuration: .init(kdfConcurrency: 1), now: { accounts.now })
            return try await Application(router: web.router()).test(.router, body)
        }
    }

    /// The button, then the provider as `subject`, then the return: the return's response.
    static func signIn(_ visitor: WebTests.Visitor, world: World, as subject: String) async throws -> TestResponse {
        try await visitor.get("/")
        let start = try await visitor.post("/franceconnect/connexion", [:])
        #expect(start.status == .seeOther)
        let location = start.headers[.location] ?? ""
        #expect(location.hasPrefix(world.provider.issuer + "/api/v2/authorize?"))
        #expect(visitor.cookies[FranceConnectController.bindingCookie] != nil)
        let answer = try world.provider.authorize(location, as: subject)
        var query = URLComponents()
        query.queryItems = answer.map { URLQueryItem(name: $0.key, value: $0.value) }
        return try await visitor.get("/franceconnect/retour?" + (query.percentEncodedQuery ?? ""))
    }

    @Test("the entrance page shows FranceConnect's button and link; the CSP lets its form reach the provider")
    func button() async throws {
        let world = try await World()
        try await world.test { client in
            let home = try await client.execute(uri: "/", method: .get)
            WebTests.checkHeaders(home)
            #expect(home.text.contains("S'identifier avec</span> <span class=\"franceconnect-marque\">FranceConnect"))
            #expect(home.text.contains("Qu'est-ce que FranceConnect ?"))
            #expect(home.text.contains("action=\"/franceconnect/connexion\""))
            let csp = home.headers[HTTPField.Name("Content-Security-Policy")!] ?? ""
            #expect(csp.contains("form-action 'self' \(world.provider.issuer);"))
        }
        // Without a provider, no button.
        let plain = try await AccountWorld()
        let web = try Web(services: plain.services, configuration: .init(kdfConcurrency: 1))
        try await Application(router: web.router()).test(.router) { client in
            let home = try await client.execute(uri: "/", method: .get)
            #expect(!home.text.contains("FranceConnect"))
            #expect(home.headers[HTTPField.Name("Content-Security-Policy")!]?.contains("form-action 'self';") == true)
        }
    }

    @Test("sign in, see the payments, a federated account page, log out at the provider")
    func journey() async throws {
        let world = try await World()
        try await world.test { client in
            let visitor = WebTests.Visitor(client)
            let back = try await Self.signIn(visitor, world: world, as: "fc-jean-martin")
            WebTests.checkHeaders(back)
            #expect(back.status == .ok)
            #expect(back.text.contains("<meta http-equiv=\"refresh\" content=\"0;url=/paiements\">"))
            #expect(visitor.cookies["__Host-releve"] != nil)
            #expect(visitor.cookies[FranceConnectController.bindingCookie] == nil)
            let payments = try await visitor.get("/paiements")
            #expect(payments.status == .ok)
            #expect(payments.text.contains("Mes paiements"))
            let account = try await visitor.get("/compte")
            #expect(account.text.contains("Connexion avec FranceConnect"))
            #expect(account.text.contains("Votre identité vient d'être confirmée"))
            #expect(!account.text.contains("name=\"actuel\""))
            // The e-mail changes without a code while the login is fresh.
            let changed = try await visitor.post("/compte/email", ["email": "jean.nouveau@exemple.fr"])
            #expect(changed.status == .ok)
            #expect(changed.text.contains("Un lien de confirmation a été envoyé"))
            let logout = try await visitor.post("/deconnexion", [:])
            #expect(logout.status == .seeOther)
            let location = logout.headers[.location] ?? ""
            #expect(location.hasPrefix(world.provider.issuer + "/api/v2/session/end?id_token_hint="))
            #expect(location.contains("post_logout_redirect_uri="))
            #expect(visitor.cookies["__Host-releve"] == nil)
            let landing = try await visitor.get("/franceconnect/deconnecte")
            #expect(landing.headers[.location] == "/?message=deconnexion")
            #expect(try await visitor.get("/paiements").status != .ok)
        }
    }

    @Test("a stale federated session must confirm its identity again before a change")
    func staleSession() async throws {
        let world = try await World()
        try await world.test { client in
            let visitor = WebTests.Visitor(client)
            _ = try await Self.signIn(visitor, world: world, as: "fc-jean-martin")
            world.accounts.advance(seconds: 301)
            let account = try await visitor.get("/compte")
            #expect(account.text.contains("confirmez d'abord votre identité avec FranceConnect"))
            let refused = try await visitor.post("/compte/email", ["email": "x@exemple.fr"])
            #expect(refused.status == .forbidden)
            #expect(refused.text.contains("confirmez d&#39;abord votre identité"))
            let again = try await visitor.post("/franceconnect/reauthentification", ["action": "compte"])
            #expect(again.status == .seeOther)
            #expect(again.headers[.location]?.contains("prompt=login") == true)
        }
    }

    @Test("no account yet: the opening form, then the payments")
    func opening() async throws {
        let world = try await World(openAccount: false)
        try await world.test { client in
            let visitor = WebTests.Visitor(client)
            let form = try await Self.signIn(visitor, world: world, as: "fc-jean-martin")
            #expect(form.status == .ok)
            #expect(form.text.contains("Ouvrir mon compte avec FranceConnect"))
            let token = WebTests.hiddenField("jeton", in: form.text) ?? ""
            let refused = try await visitor.post(
                "/franceconnect/ouverture", ["jeton": token, "nom": "Jean", "email": "jean@exemple.fr"])
            #expect(refused.status == .badRequest)
            #expect(refused.text.contains("conditions d'utilisation"))
            let opened = try await visitor.post(
                "/franceconnect/ouverture", ["jeton": token, "nom": "Jean", "email": "jean@exemple.fr", "cgu": "oui"])
            #expect(opened.status == .seeOther)
            #expect(opened.headers[.location] == "/paiements")
            #expect(try await visitor.get("/paiements").status == .ok)
        }
    }

    @Test("refusals are French pages with the other doors, and the right status")
    func refusals() async throws {
        let world = try await World()
        try await world.test { client in
            let visitor = WebTests.Visitor(client)
            let unknown = try await Self.signIn(visitor, world: world, as: "fc-inconnu")
            WebTests.checkHeaders(unknown)
            #expect(unknown.status == .forbidden)
            #expect(unknown.text.contains("ne correspond à aucun assuré"))
            #expect(unknown.text.contains("href=\"/code-provisoire\""))
            let forged = try await visitor.get("/franceconnect/retour?state=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA&code=x")
            #expect(forged.status == .badRequest)
            #expect(forged.text.contains("pas passé nos contrôles de sécurité"))
            try world.provider.fault("error:access_denied")
            let cancelled = try await Self.signIn(visitor, world: world, as: "fc-jean-martin")
            #expect(cancelled.status == .badRequest)
            #expect(cancelled.text.contains("Vous avez annulé la connexion avec FranceConnect"))
            #expect(visitor.cookies["__Host-releve"] == nil)
        }
    }
}
