import Foundation
import HTTPTypes
import Hummingbird
import ReleveDomain
import ReleveService

/// The FranceConnect door: the button's login, the provider's return, the opening of an account
/// for an identity matched without one, re-authentication before sensitive changes, and the
/// return from the provider's logout. The flow itself is `FederationService`'s; this face only
/// carries its values between the browser and the service.
struct FranceConnectController: Sendable {
    let web: Web

    /// Binds a login in progress to this browser (its hash is stored with the state). SameSite=Lax:
    /// the provider's redirect back is a cross-site top-level navigation, which Lax lets through.
    static let bindingCookie = "__Host-releve-fc"

    var routes: RouteCollection<WebContext> {
        let routes = RouteCollection(context: WebContext.self)
        routes.post("/franceconnect/connexion", use: start)
        routes.getAndHead("/franceconnect/retour", use: callback)
        routes.post("/franceconnect/ouverture", use: open)
        routes.post("/franceconnect/reauthentification", use: reauthenticate)
        routes.getAndHead("/franceconnect/deconnecte", use: loggedOut)
        return routes
    }

    func bindingCookie(_ value: String) -> String {
        Security.setCookie(Self.bindingCookie, value, maxAge: 900, sameSite: "Lax")
    }

    /// The button: a new login bound to this browser, then the provider.
    @Sendable func start(_ request: Request, context: WebContext) async throws -> Response {
        _ = try await web.postedForm(request)
        let binding = Token.generate()
        do {
            let url = try await web.federation.begin(.login, binding: binding, now: web.now())
            var response = Views.redirect(url)
            response.headers[values: .setCookie].append(bindingCookie(binding))
            return response
        } catch let error as ServiceError {
            return try failure(request, error)
        }
    }

    /// Re-authentication before a sensitive change of a FranceConnect session.
    @Sendable func reauthenticate(_ request: Request, context: WebContext) async throws -> Response {
        let (_, token) = try await web.viewer(request)
        let form = try await web.postedForm(request)
        let action = form["action"].flatMap { ["compte", "resiliation"].contains($0) ? $0 : nil } ?? "compte"
        let binding = Token.generate()
        do {
            let url = try await web.federation.begin(
                .reauthenticate(token: token, action: action), binding: binding, now: web.now())
            var response = Views.redirect(url)
            response.headers[values: .setCookie].append(bindingCookie(binding))
            return response
        } catch let error as ServiceError {
            return try failure(request, error)
        }
    }

    /// The provider's redirect: `code` and `state`, or `error`.
    @Sendable func callback(_ request: Request, context: WebContext) async throws -> Response {
        let query = Form.query(request)
        let binding = Security.cookies(request)[Self.bindingCookie]
        do {
            let outcome = try await web.federation.complete(
                state: query["state"], code: query["code"], error: query["error"], errorDescription: query["error_description"],
                binding: binding, channel: .web, now: web.now())
            switch outcome {
            case .session(let session):
                var response = web.views.page(
                    ContinuePage(
                        title: "Connexion réussie", heading: "Bienvenue, \(session.fullName)",
                        text: "Vous êtes connecté avec \(web.federation.providerName). Vos paiements s'affichent…",
                        target: "/paiements"))
                response.headers[values: .setCookie].append(web.sessionCookie(session.token))
                response.headers[values: .setCookie].append(Security.setCookie(Self.bindingCookie, "", maxAge: 0))
                return response
            case .reauthenticated(let action):
                var response = web.views.page(
                    ContinuePage(
                        title: "Identité confirmée", heading: "Identité confirmée",
                        text: "Votre identité est confirmée avec \(web.federation.providerName) : vous pouvez poursuivre.",
                        target: action == "resiliation" ? "/compte/resiliation" : "/compte"))
                response.headers[values: .setCookie].append(Security.setCookie(Self.bindingCookie, "", maxAge: 0))
                return response
            case .opening(let token, let name):
                return render(
                    request, FederatedOpeningPage(name: name, token: token, provider: web.federation.providerName))
            }
        } catch let error as ServiceError {
            return try failure(request, error)
        }
    }

    /// The opening form of an identity matched without an account.
    @Sendable func open(_ request: Request, context: WebContext) async throws -> Response {
        let form = try await web.postedForm(request)
        let token = form["jeton"] ?? ""
        do {
            let session = try await web.federation.openAccount(
                openingToken: token, binding: Security.cookies(request)[Self.bindingCookie],
                acceptTerms: form["cgu"] == "oui", email: form["email"] ?? "", now: web.now())
            var response = Views.redirect("/paiements")
            response.headers[values: .setCookie].append(web.sessionCookie(session.token))
            response.headers[values: .setCookie].append(Security.setCookie(Self.bindingCookie, "", maxAge: 0))
            return response
        } catch let error as ServiceError where ErrorPages.isFormRefusal(error) {
            // The terms or the address: the same form again, the opening link still valid.
            var page = FederatedOpeningPage(name: form["nom"] ?? "", token: token, provider: web.federation.providerName)
            page.email = form["email"] ?? ""
            page.termsAccepted = form["cgu"] == "oui"
            page.error = error.webMessage
            return render(request, page, status: .badRequest)
        } catch let error as ServiceError {
            return try failure(request, error)
        }
    }

    /// Where the provider sends the browser after its logout.
    @Sendable func loggedOut(_ request: Request, context: WebContext) async throws -> Response {
        Views.redirect("/?message=deconnexion")
    }

    func render(_ request: Request, _ page: some PageModel, status: HTTPResponse.Status = .ok) -> Response {
        let (csrf, cookie) = web.formToken(request)
        var response = web.views.page(page, csrf: csrf, status: status)
        if let cookie { response.headers[values: .setCookie].append(cookie) }
        return response
    }

    /// A refused login: the French page with the other doors, the status of the refusal.
    func failure(_ request: Request, _ error: ServiceError) throws -> Response {
        let (status, _, message) = ErrorPages.describe(error)
        guard status != .internalServerError else { throw error }
        var response = render(request, FederationErrorPage(text: message), status: status)
        response.headers[values: .setCookie].append(Security.setCookie(Self.bindingCookie, "", maxAge: 0))
        return response
    }
}
