import Foundation
import HTTPTypes
import Hummingbird
import ReleveDomain
import ReleveService

/// Escapes text for HTML outside the templates (error pages built by hand).
enum HTML {
    static func escape(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 || $0 == 0x27 }) else {
            return text
        }
        var out = ""
        for c in text {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }
}

extension Web {
    // MARK: Forms and CSRF

    /// The CSRF token for this visitor, and the form cookie to set if they have none yet.
    func formToken(_ request: Request) -> (csrf: String, cookie: String?) {
        let cookies = Security.cookies(request)
        if let session = cookies[Security.sessionCookie], Token.isWellFormed(session) {
            return (security.csrfToken(for: session), nil)
        }
        if let form = cookies[Security.formCookie], Token.isWellFormed(form) { return (security.csrfToken(for: form), nil) }
        let fresh = Token.generate()
        return (security.csrfToken(for: fresh), Security.setCookie(Security.formCookie, fresh))
    }

    /// A posted form whose CSRF token matches this visitor's session or form cookie.
    func postedForm(_ request: Request) async throws -> Form {
        let form = try await Form.read(request)
        let cookies = Security.cookies(request)
        let base = cookies[Security.sessionCookie].flatMap { Token.isWellFormed($0) ? $0 : nil } ?? cookies[Security.formCookie]
        guard security.checkCSRF(form["csrf"], base: base) else {
            throw WebError.forbidden("le formulaire a expiré ou ne vient pas de ce site ; rechargez la page et recommencez")
        }
        return form
    }

    /// A public page, with the form cookie set when needed.
    func publicPage(
        _ request: Request, _ template: String, title: String, context: [String: Any] = [:], status: HTTPResponse.Status = .ok,
        flash: (text: String, kind: String)? = nil
    ) -> Response {
        let (csrf, cookie) = formToken(request)
        var response = views.page(template, title: title, context: context, csrf: csrf, flash: flash, status: status)
        if let cookie { response.headers[values: .setCookie].append(cookie) }
        return response
    }

    static let flashMessages: [String: (String, String)] = [
        "connexion": ("Connectez-vous pour accéder à cette page (ou votre session a expiré).", "message"),
        "deconnexion": ("Vous êtes déconnecté(e).", "succes"),
        "resilie": ("Votre compte est résilié. Vos relevés vous seront de nouveau envoyés par courrier.", "succes"),
        "code": ("Votre code personnel a changé : reconnectez-vous avec le nouveau code.", "succes"),
    ]

    // MARK: Throttled code checks

    /// Every route that checks a code (login, provisional code, opening and recovery,
    /// re-authentication before a change, on pages and API alike) goes through here: the
    /// address's failures are checked and this attempt counted in one step *before* any key
    /// derivation (SECURITY.md goals 5 and 6), and the derivation runs under the address's fair
    /// share of the service's gate. An attempt that turns out not to be a failed code is given
    /// back.
    func checkingCode<T: Sendable>(
        _ context: WebContext, channel: AccountService.Channel, _ body: @Sendable () async throws -> T
    ) async throws -> T {
        let address = context.clientIP
        let key = "codes:\(address)"
        let limit = Throttle.Limit(count: configuration.loginFailuresPerAddress, seconds: 600)
        guard await throttle.reserve(key, limit) else {
            // One audit row per address and window, not one per refused request (a flood must
            // not turn into a flood of durable writes).
            if await throttle.reserve("alarm:\(key)", Throttle.Limit(count: 1, seconds: 600)) {
                try? await accounts.auditAddressThrottled(channel: channel, now: now())
            }
            throw WebError.throttled("Trop de tentatives depuis votre adresse : réessayez dans 10 minutes.")
        }
        do {
            let result = try await KDFGate.$requester.withValue(address) { try await body() }
            await throttle.release(key)
            return result
        } catch {
            // Wrong codes and refusals of a locked NIR both count: one address trying many NIRs
            // is stopped even though each NIR locks itself after a few tries.
            switch error as? ServiceError {
            case .authenticationFailed, .locked, .provisionalCodeRejected, .secretAnswerMismatch, .wrongCurrentCode: break
            default: await throttle.release(key)
            }
            throw error
        }
    }

    func login(nir: String, code: String, context: WebContext, channel: AccountService.Channel) async throws
        -> AccountService.NewSession
    {
        let accounts = self.accounts
        let now = self.now()
        return try await checkingCode(context, channel: channel) {
            try await accounts.login(nir: nir, code: code, channel: channel, now: now)
        }
    }

    func sessionCookie(_ token: String) -> String { Security.setCookie(Security.sessionCookie, token) }

    // MARK: Pages

    func addPublicPages(to router: Router<WebContext>) {
        router.get("/") { request, _ -> Response in
            if let session = Security.cookies(request)[Security.sessionCookie],
                (try? await accounts.authenticate(token: session, now: now())) != nil
            {
                return Views.redirect("/paiements")
            }
            return home(request, flash: Form.query(request).text("message").flatMap { Self.flashMessages[$0] })
        }
        router.post("/connexion") { request, context -> Response in
            let form = try await postedForm(request)
            do {
                let session = try await login(nir: form["nir"] ?? "", code: form["code"] ?? "", context: context, channel: .web)
                var response = Views.redirect("/paiements")
                response.headers[values: .setCookie].append(sessionCookie(session.token))
                return response
            } catch let error as ServiceError {
                let (status, _, message) = ErrorPages.describe(error)
                guard status != .internalServerError, status != .serviceUnavailable else { throw error }
                return home(request, error: message, nir: form["nir"] ?? "", status: status)
            }
        }
        router.post("/deconnexion") { request, _ -> Response in
            _ = try await postedForm(request)
            if let token = Security.cookies(request)[Security.sessionCookie] {
                try await accounts.logout(token: token, channel: .web, now: now())
            }
            var response = Views.redirect("/?message=deconnexion")
            response.headers[values: .setCookie].append(Security.setCookie(Security.sessionCookie, "", maxAge: 0))
            return response
        }
        router.get("/code-provisoire") { request, _ in
            publicPage(request, "code-provisoire", title: "Commander mon code provisoire")
        }
        router.post("/code-provisoire") { request, context -> Response in
            let form = try await postedForm(request)
            let values: [String: Any] = [
                "nir": form["nir"] ?? "", "nom": form["nom"] ?? "", "naissance": form["naissance"] ?? "",
                "codePostal": form["code_postal"] ?? "",
            ]
            do {
                let answer = try await requestCode(form: form, context: context, channel: .web)
                return publicPage(
                    request, "message", title: "Demande enregistrée",
                    context: [
                        "heading": "Demande enregistrée", "paragraphs": [answer.message],
                        "link": ["href": "/ouverture", "label": "J'ai reçu mon code : ouvrir mon compte"],
                    ])
            } catch let error as ServiceError where ErrorPages.describe(error).0 == .badRequest {
                var context = values
                context["error"] = error.message
                return publicPage(
                    request, "code-provisoire", title: "Commander mon code provisoire", context: context, status: .badRequest)
            }
        }
        router.get("/ouverture") { request, _ in
            publicPage(request, "ouverture", title: "Ouvrir mon compte", context: ["steps": Self.steps(current: 1)])
        }
        router.post("/ouverture") { request, context -> Response in
            let form = try await postedForm(request)
            let nir = form["nir"] ?? ""
            do {
                let code = form["code_provisoire"] ?? ""
                let check = try await checkingCode(context, channel: .web) {
                    try await accounts.checkProvisionalCode(nir: nir, code: code, channel: .web, now: now())
                }
                return openingStep2(request, nir: nir, provisional: form["code_provisoire"] ?? "", check: check, error: nil)
            } catch let error as ServiceError where [.badRequest, .unauthorized].contains(ErrorPages.describe(error).0) {
                return publicPage(
                    request, "ouverture", title: "Ouvrir mon compte",
                    context: ["steps": Self.steps(current: 1), "error": error.message, "nir": nir],
                    status: ErrorPages.describe(error).0)
            }
        }
        router.post("/ouverture/valider") { request, context -> Response in
            let form = try await postedForm(request)
            let nir = form["nir"] ?? ""
            let provisional = form["code_provisoire"] ?? ""
            let opening = AccountService.OpeningRequest(
                nir: nir, provisionalCode: provisional, acceptedTerms: form["cgu"] == "oui", personalCode: form["code"] ?? "",
                personalCodeConfirmation: form["code_confirmation"] ?? "", question: Int(form["question"] ?? "") ?? 0,
                answer: form["reponse"] ?? "", answerConfirmation: form["reponse_confirmation"] ?? "", email: form["email"] ?? "")
            do {
                let result = try await checkingCode(context, channel: .web) {
                    try await accounts.openAccount(opening, channel: .web, now: now())
                }
                let done: String =
                    switch result.kind {
                    case .new: "Votre compte est ouvert."
                    case .recovery: "Votre nouveau code personnel est enregistré ; votre compte est débloqué."
                    case .reopening:
                        "Votre compte est rouvert : vos relevés seront de nouveau en ligne à partir du mois prochain."
                    }
                return publicPage(
                    request, "message", title: "Compte ouvert",
                    context: [
                        "heading": "Étape 3 sur 3 — c'est fait",
                        "paragraphs": [
                            done,
                            "Un e-mail vous a été envoyé à \(result.maskedEmail) : ouvrez le lien qu'il contient pour confirmer votre adresse.",
                        ],
                        "link": ["href": "/", "label": "Me connecter"],
                    ])
            } catch let error as ServiceError where [.badRequest, .unauthorized].contains(ErrorPages.describe(error).0) {
                // Show step 2 again with the message (a wrong or used provisional code goes back to step 1).
                guard
                    let check = try? await checkingCode(
                        context, channel: .web,
                        { try await accounts.checkProvisionalCode(nir: nir, code: provisional, channel: .web, now: now()) })
                else {
                    return publicPage(
                        request, "ouverture", title: "Ouvrir mon compte",
                        context: ["steps": Self.steps(current: 1), "error": error.message, "nir": nir], status: .badRequest)
                }
                return openingStep2(request, nir: nir, provisional: provisional, check: check, error: error.message)
            }
        }
        router.get("/compte/email/confirmer") { request, _ in
            let token = Form.query(request).text("jeton").flatMap { Token.isWellFormed($0) ? $0 : nil }
            return publicPage(
                request, "confirmation-email", title: "Confirmer mon adresse e-mail", context: token.map { ["token": $0] } ?? [:])
        }
        router.post("/compte/email/confirmer") { request, _ -> Response in
            let form = try await postedForm(request)
            do {
                let message = try await accounts.confirmEmail(linkOrToken: form["jeton"] ?? "", channel: .web, now: now())
                return publicPage(
                    request, "message", title: "Adresse confirmée",
                    context: [
                        "heading": "Adresse e-mail confirmée", "paragraphs": [message],
                        "link": ["href": "/", "label": "Accueil"],
                    ])
            } catch let error as ServiceError where ErrorPages.describe(error).0 == .badRequest {
                return publicPage(
                    request, "message", title: "Lien refusé", context: ["heading": "Lien refusé", "paragraphs": [error.message]],
                    status: .badRequest)
            }
        }
        router.get("/probleme-acces") { request, _ in publicPage(request, "probleme-acces", title: "Problème d'accès") }
    }

    func home(
        _ request: Request, error: String? = nil, nir: String = "", status: HTTPResponse.Status = .ok,
        flash: (String, String)? = nil
    ) -> Response {
        var context: [String: Any] = ["nir": nir]
        if let error { context["error"] = error }
        if let demo = configuration.demoAccounts, !demo.isEmpty {
            context["demoAccounts"] = ["accounts": demo.map { ["name": $0.name, "nir": $0.nir, "code": $0.code] }]
        }
        return publicPage(request, "accueil", title: "Accueil", context: context, status: status, flash: flash)
    }

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

    static func steps(current: Int) -> [[String: Any]] {
        ["Code provisoire", "Conditions, code, question, e-mail", "Confirmation"].enumerated().map { index, label in
            ["number": index + 1, "label": label, "current": index + 1 == current]
        }
    }

    func openingStep2(
        _ request: Request, nir: String, provisional: String, check: AccountService.ProvisionalCheck, error: String?
    )
        -> Response
    {
        let kindLabel: String =
            switch check.kind {
            case .new: "nouveau compte"
            case .recovery: "nouveau code personnel"
            case .reopening: "réouverture"
            }
        var context: [String: Any] = [
            "steps": Self.steps(current: 2), "nir": nir, "provisional": provisional, "kindLabel": kindLabel,
            "terms": AccountService.termsOfUse,
            "questions": (check.question.map { [$0] } ?? SecretQuestion.allCases).map {
                ["number": $0.rawValue, "text": $0.french]
            },
        ]
        if let error { context["error"] = error }
        return publicPage(
            request, "ouverture-etape2", title: "Ouvrir mon compte — \(check.fullName)", context: context,
            status: error == nil ? .ok : .badRequest)
    }
}
