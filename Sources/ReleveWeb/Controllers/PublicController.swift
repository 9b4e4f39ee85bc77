import Foundation
import HTTPTypes
import Hummingbird
import ReleveDomain
import ReleveService

/// The pages anyone may see: home and login, provisional code, opening (and recovery), e-mail
/// confirmation, access help.
struct PublicController: Sendable {
    let web: Web

    var routes: RouteCollection<WebContext> {
        let routes = RouteCollection(context: WebContext.self)
        routes.getAndHead("/", use: home)
        routes.post("/connexion", use: login)
        routes.post("/deconnexion", use: logout)
        routes.getAndHead("/code-provisoire", use: codeRequestForm)
        routes.post("/code-provisoire", use: requestCode)
        routes.getAndHead("/ouverture", use: openingForm)
        routes.post("/ouverture", use: checkProvisionalCode)
        routes.post("/ouverture/valider", use: openAccount)
        routes.getAndHead("/compte/email/confirmer", use: emailConfirmationForm)
        routes.post("/compte/email/confirmer", use: confirmEmail)
        routes.getAndHead("/probleme-acces", use: accessHelp)
        return routes
    }

    static let flashMessages: [String: (String, String)] = [
        "connexion": ("Connectez-vous pour accéder à cette page (ou votre session a expiré).", "message"),
        "deconnexion": ("Session fermée. À bientôt.", "succes"),
        "resilie": ("Votre compte est résilié. Vos relevés vous seront de nouveau envoyés par courrier.", "succes"),
        "code": ("Votre code personnel a changé : reconnectez-vous avec le nouveau code.", "succes"),
    ]

    /// A public page, with the form cookie set when needed.
    func render(
        _ request: Request, _ page: some PageModel, status: HTTPResponse.Status = .ok, flash: (text: String, kind: String)? = nil
    ) -> Response {
        let (csrf, cookie) = web.formToken(request)
        var response = web.views.page(page, csrf: csrf, flash: flash, status: status)
        if let cookie { response.headers[values: .setCookie].append(cookie) }
        return response
    }

    // MARK: Home and login

    @Sendable func home(_ request: Request, context: WebContext) async throws -> Response {
        if let session = Security.cookies(request)[Security.sessionCookie],
            (try? await web.accounts.authenticate(token: session, now: web.now())) != nil
        {
            return Views.redirect("/paiements")
        }
        return homePage(request, flash: Form.query(request).text("message").flatMap { Self.flashMessages[$0] })
    }

    func homePage(
        _ request: Request, error: String? = nil, nir: String = "", status: HTTPResponse.Status = .ok,
        flash: (String, String)? = nil
    ) -> Response {
        var page = HomePage(nir: nir, error: error)
        page.franceconnect = web.federation.isConfigured
        if let demo = web.configuration.demoAccounts, !demo.isEmpty {
            page.demoAccounts = .init(accounts: demo.map { .init(name: $0.name, nir: $0.nir, code: $0.code) })
        }
        return render(request, page, status: status, flash: flash)
    }

    @Sendable func login(_ request: Request, context: WebContext) async throws -> Response {
        let form = try await web.postedForm(request)
        do {
            let session = try await web.login(nir: form["nir"] ?? "", code: form["code"] ?? "", context: context, channel: .web)
            var response = Views.redirect("/paiements")
            response.headers[values: .setCookie].append(web.sessionCookie(session.token))
            return response
        } catch let error as ServiceError {
            let (status, _, message) = ErrorPages.describe(error)
            guard status != .internalServerError, status != .serviceUnavailable else { throw error }
            return homePage(request, error: message, nir: form["nir"] ?? "", status: status)
        }
    }

    @Sendable func logout(_ request: Request, context: WebContext) async throws -> Response {
        _ = try await web.postedForm(request)
        var providerLogout: String?
        if let token = Security.cookies(request)[Security.sessionCookie] {
            // A FranceConnect session also ends at the provider, which sends the browser back.
            providerLogout = try await web.federation.logout(token: token, channel: .web, now: web.now())
        }
        var response = Views.redirect(providerLogout ?? "/?message=deconnexion")
        response.headers[values: .setCookie].append(Security.setCookie(Security.sessionCookie, "", maxAge: 0))
        return response
    }

    // MARK: Provisional code

    @Sendable func codeRequestForm(_ request: Request, context: WebContext) async throws -> Response {
        render(request, CodeRequestPage(policy: web.accounts.policy))
    }

    @Sendable func requestCode(_ request: Request, context: WebContext) async throws -> Response {
        let form = try await web.postedForm(request)
        do {
            let answer = try await web.requestCode(form: form, context: context, channel: .web)
            switch answer {
            case .requested:
                return render(
                    request,
                    MessagePage(
                        title: "Demande enregistrée", heading: "Demande enregistrée",
                        paragraphs: [answer.message(web.accounts.policy)],
                        link: LinkModel(href: "/ouverture", label: "J'ai reçu mon code : ouvrir mon compte")))
            case .otherRegime:
                return render(
                    request,
                    MessagePage(
                        title: "Pas de compte Releve pour votre régime", heading: "Pas de compte Releve pour votre régime",
                        paragraphs: [answer.message(web.accounts.policy)], link: LinkModel(href: "/", label: "Accueil")))
            }
        } catch let error as ServiceError where ErrorPages.describe(error).0 == .badRequest {
            var page = CodeRequestPage(policy: web.accounts.policy)
            page.nir = form["nir"] ?? ""
            page.nom = form["nom"] ?? ""
            page.naissance = form["naissance"] ?? ""
            page.codePostal = form["code_postal"] ?? ""
            page.error = error.webMessage
            return render(request, page, status: .badRequest)
        }
    }

    // MARK: Opening (and recovery, and reopening)

    @Sendable func openingForm(_ request: Request, context: WebContext) async throws -> Response {
        render(request, OpeningPage())
    }

    /// Step 1: the provisional code is checked (one key derivation), step 2 is shown with what
    /// the check found, sealed for the submission.
    @Sendable func checkProvisionalCode(_ request: Request, context: WebContext) async throws -> Response {
        let form = try await web.postedForm(request)
        let nir = form["nir"] ?? ""
        let provisional = form["code_provisoire"] ?? ""
        do {
            let accounts = web.accounts
            let now = web.now()
            let check = try await web.checkingCode(context, channel: .web) {
                try await accounts.checkProvisionalCode(nir: nir, code: provisional, channel: .web, now: now)
            }
            return step2(request, nir: nir, provisional: provisional, summary: OpeningSummary(check), error: nil)
        } catch let error as ServiceError where [.badRequest, .unauthorized].contains(ErrorPages.describe(error).0) {
            return render(request, OpeningPage(nir: nir, error: error.webMessage), status: ErrorPages.describe(error).0)
        }
    }

    func step2(
        _ request: Request, nir: String, provisional: String, summary: OpeningSummary, error: String?,
        kept: OpeningStep2Page.Kept = .init()
    ) -> Response {
        let state = web.security.seal(summary.encoded, context: "ouverture|\(nir)|\(provisional)")
        return render(
            request,
            OpeningStep2Page(nir: nir, provisional: provisional, summary: summary, state: state, error: error, kept: kept),
            status: error == nil ? .ok : .badRequest)
    }

    /// Step 2 submitted: the service checks everything again and opens the account. A refusal
    /// redraws step 2 from its sealed state (no second key derivation); a wrong or spent
    /// provisional code, or a state that does not verify, goes back to step 1.
    @Sendable func openAccount(_ request: Request, context: WebContext) async throws -> Response {
        let form = try await web.postedForm(request)
        let nir = form["nir"] ?? ""
        let provisional = form["code_provisoire"] ?? ""
        let opening = AccountService.OpeningRequest(
            nir: nir, provisionalCode: provisional, acceptedTerms: form["cgu"] == "oui", personalCode: form["code"] ?? "",
            personalCodeConfirmation: form["code_confirmation"] ?? "", question: Int(form["question"] ?? "") ?? 0,
            answer: form["reponse"] ?? "", answerConfirmation: form["reponse_confirmation"] ?? "", email: form["email"] ?? "")
        do {
            let accounts = web.accounts
            let now = web.now()
            let result = try await web.checkingCode(context, channel: .web) {
                try await accounts.openAccount(opening, channel: .web, now: now)
            }
            return render(
                request,
                MessagePage(
                    title: "Compte ouvert", heading: "Étape 3 sur 3 — c'est fait",
                    paragraphs: [result.message, result.nextStep], link: LinkModel(href: "/", label: "Me connecter")))
        } catch let error as ServiceError where [.badRequest, .unauthorized].contains(ErrorPages.describe(error).0) {
            let sealed = web.security.unseal(form["etat"], context: "ouverture|\(nir)|\(provisional)")
            guard case .badRequest = ErrorPages.describe(error).0, let summary = sealed.flatMap(OpeningSummary.init(encoded:))
            else {
                return render(request, OpeningPage(nir: nir, error: error.webMessage), status: .badRequest)
            }
            let kept = OpeningStep2Page.Kept(
                termsAccepted: form["cgu"] == "oui", question: Int(form["question"] ?? ""), email: form["email"] ?? "")
            return step2(request, nir: nir, provisional: provisional, summary: summary, error: error.webMessage, kept: kept)
        }
    }

    // MARK: E-mail confirmation, access help

    @Sendable func emailConfirmationForm(_ request: Request, context: WebContext) async throws -> Response {
        let token = Form.query(request).text("jeton").flatMap { Token.isWellFormed($0) ? $0 : nil }
        return render(request, EmailConfirmationPage(token: token))
    }

    @Sendable func confirmEmail(_ request: Request, context: WebContext) async throws -> Response {
        let form = try await web.postedForm(request)
        do {
            let message = try await web.accounts.confirmEmail(linkOrToken: form["jeton"] ?? "", channel: .web, now: web.now())
            return render(
                request,
                MessagePage(
                    title: "Adresse confirmée", heading: "Adresse e-mail confirmée", paragraphs: [message],
                    link: LinkModel(href: "/", label: "Accueil")))
        } catch let error as ServiceError where ErrorPages.describe(error).0 == .badRequest {
            return render(
                request, MessagePage(title: "Lien refusé", heading: "Lien refusé", paragraphs: [error.webMessage]),
                status: .badRequest)
        }
    }

    @Sendable func accessHelp(_ request: Request, context: WebContext) async throws -> Response {
        render(request, AccessHelpPage(policy: web.accounts.policy))
    }
}

extension Web {
    /// Provisional-code request, at most `codeRequestsPerAddress` per hour from one address.
    func requestCode(form: Form, context: WebContext, channel: AccountService.Channel) async throws
        -> AccountService.ProvisionalCodeAnswer
    {
        let key = "code:\(context.clientIP)"
        let limit = Throttle.Limit(count: configuration.codeRequestsPerAddress, seconds: 3600)
        guard await throttle.reserve(key, limit) else {
            throw WebError.throttled("Trop de demandes de code depuis votre adresse : réessayez dans une heure.")
        }
        // Issuing a code hashes it: under the address's fair share of the gate.
        return try await KDFGate.$requester.withValue(context.clientIP) {
            try await accounts.requestProvisionalCode(
                nir: form["nir"] ?? "", lastName: form["nom"] ?? "", birthDate: form["naissance"] ?? "",
                postalCode: form["code_postal"] ?? "", channel: channel, now: now())
        }
    }
}
