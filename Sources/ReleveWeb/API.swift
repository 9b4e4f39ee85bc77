import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ReleveDomain
import ReleveService

/// The JSON API (`docs/openapi.yaml`): every assuré operation, with bearer tokens from the
/// same session model as the pages and the CLI. No cookie is read under /api/, so no request
/// there carries an ambient credential (nothing to forge across sites).
enum API {
    /// The methods each API path answers (for 405 and its Allow header), as in docs/openapi.yaml.
    static func allowedMethods(_ path: String) -> String? {
        let prefix = "/api/v1"
        guard path.hasPrefix(prefix + "/") else { return nil }
        var rest = String(path.dropFirst(prefix.count))
        if rest.count > 1, rest.hasSuffix("/") { rest.removeLast() }
        switch rest {
        case "/openapi.yaml", "/paiements", "/releves", "/compte": return "GET, HEAD"
        case "/sessions": return "POST, DELETE"
        case "/oauth/token", "/complementaires/acquittements": return "POST"
        case "/complementaires/lignes": return "GET, HEAD"
        case "/documents/paiements", "/fhir/ExplanationOfBenefit": return "GET, HEAD"
        case "/verifications": return "POST"
        case "/duplicatas": return "GET, HEAD, POST"
        case "/codes-provisoires", "/comptes", "/email/confirmation", "/compte/resiliation", "/compte/code", "/compte/email":
            return "POST"
        default:
            let parts = rest.split(separator: "/", omittingEmptySubsequences: false)
            if parts.count == 4 && parts[1] == "documents" && ["decomptes", "recapitulatifs"].contains(parts[2]) {
                return "GET, HEAD"
            }
            return parts.count == 3 && parts[1] == "releves" ? "GET, HEAD" : nil
        }
    }

    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        return Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func raw(_ text: String, status: HTTPResponse.Status = .ok, type: String = "application/json; charset=utf-8")
        -> Response
    {
        Response(status: status, headers: [.contentType: type], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    struct ErrorBody: Encodable {
        struct Detail: Encodable {
            let code: String
            let message: String
        }
        let erreur: Detail
    }

    /// The API's answer without a valid bearer session (the pages' wording speaks of pages).
    /// The same for an insurer's feed: its tokens come from the OAuth endpoint.
    static let insurerLoginRequired =
        "Jeton absent, expiré ou révoqué : demandez-en un (POST /api/v1/oauth/token, client_credentials) et envoyez-le (Authorization: Bearer)."

    static let loginRequired =
        "Session absente, expirée ou fermée : ouvrez-en une (POST /api/v1/sessions) et envoyez son jeton (Authorization: Bearer)."

    static func error(_ status: HTTPResponse.Status, code: String, message: String) -> Response {
        var response = json(ErrorBody(erreur: .init(code: code, message: message)), status: status)
        if status == .unauthorized { response.headers[.wwwAuthenticate] = "Bearer realm=\"releve\"" }
        return response
    }

    /// A JSON object body of at most 64 KiB, decoded into `T`; 400 if it is not one, 415 if not JSON.
    static func body<T: Decodable>(_ request: Request, as type: T.Type) async throws -> T {
        guard let contentType = request.headers[.contentType], contentType.lowercased().hasPrefix("application/json") else {
            throw HTTPError(.unsupportedMediaType)
        }
        let buffer: ByteBuffer
        do { buffer = try await request.body.collect(upTo: 64 * 1024) } catch is NIOTooManyBytesError { throw WebError.tooLarge }
        do {
            return try JSONDecoder().decode(T.self, from: Data(buffer: buffer))
        } catch {
            throw WebError.badRequest("corps JSON attendu conforme au schéma (docs/openapi.yaml)")
        }
    }
}

extension Web {
    /// The complementary insurer behind `Authorization: Bearer …` (an insurer token, never an
    /// assuré's session).
    func insurerClient(_ request: Request) async throws -> InsurerClient {
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer "),
            let client = try await insurerAPI.client(
                token: String(header.dropFirst("Bearer ".count)).trimmingCharacters(in: .whitespaces), now: now())
        else { throw WebError.loginRequired }
        return client
    }

    /// The assuré behind `Authorization: Bearer …`.
    /// With `paymentsIn`, the assuré's payments of that window are read with the session.
    func apiUser(_ request: Request, paymentsIn window: PaymentsService.Window? = nil) async throws -> (
        user: AccountService.Authenticated, token: String
    ) {
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else { throw WebError.loginRequired }
        let token = String(header.dropFirst("Bearer ".count)).trimmingCharacters(in: .whitespaces)
        guard Token.isWellFormed(token) else { throw WebError.loginRequired }
        do {
            return (try await accounts.authenticate(token: token, now: now(), paymentsIn: window), token)
        } catch ServiceError.notAuthenticated {
            throw WebError.loginRequired
        }
    }

    struct SessionRequest: Decodable {
        let nir: String
        let code: String
    }
    struct SessionResponse: Encodable {
        let jeton: String
        let nom: String
    }
    struct CodeRequest: Decodable {
        let nir: String
        let nom: String
        let naissance: String
        let codePostal: String
        enum CodingKeys: String, CodingKey {
            case nir, nom, naissance
            case codePostal = "code_postal"
        }
    }
    struct OpeningBody: Decodable {
        let nir: String
        let codeProvisoire: String
        let conditionsAcceptees: Bool
        let code: String
        let codeConfirmation: String
        let question: Int
        let reponse: String
        let reponseConfirmation: String
        let email: String
        enum CodingKeys: String, CodingKey {
            case nir, code, question, reponse, email
            case codeProvisoire = "code_provisoire"
            case conditionsAcceptees = "conditions_acceptees"
            case codeConfirmation = "code_confirmation"
            case reponseConfirmation = "reponse_confirmation"
        }
    }
    struct Message: Encodable {
        let message: String
    }
    struct AcknowledgementBody: Decodable {
        let curseur: String
    }
    struct AcknowledgementAnswer: Encodable {
        let curseur: String
        let nouveau: Bool
        let message: String
    }
    /// RFC 6749 §5.1 (snake_case keys as the RFC spells them).
    struct TokenAnswer: Encodable {
        let accessToken: String
        let tokenType: String
        let expiresIn: Int
    }
    struct OAuthError: Encodable {
        let error: String
        let errorDescription: String
    }
    struct VerificationBody: Decodable {
        let reference: String
        let empreinte: String
    }
    struct VerificationAnswer: Encodable {
        let authentique: Bool
        let message: String
    }
    struct DuplicataBody: Decodable {
        let mois: String
    }
    struct CancelBody: Decodable {
        let code: String
        let confirmation: Bool
    }
    struct CodeChangeBody: Decodable {
        let actuel: String
        let nouveau: String
        let confirmation: String
    }
    struct EmailChangeBody: Decodable {
        let code: String
        let email: String
    }
    struct EmailConfirmationBody: Decodable {
        let jeton: String
    }

    /// The API's routes, under `/api/v1` (see `APIController`).
    func addAPI(to routes: RouteCollection<WebContext>) {
        let api = routes.group("/api/v1")
        api.getAndHead("/openapi.yaml") { _, _ in
            API.raw(String(decoding: PackageResources.openapi_yaml, as: UTF8.self), type: "application/yaml; charset=utf-8")
        }
        api.post("/sessions") { request, context -> Response in
            let body = try await API.body(request, as: SessionRequest.self)
            let session = try await login(nir: body.nir, code: body.code, context: context, channel: .api)
            return API.json(SessionResponse(jeton: session.token, nom: session.fullName), status: .created)
        }
        api.delete("/sessions") { request, _ -> Response in
            let (_, token) = try await apiUser(request)
            try await accounts.logout(token: token, channel: .api, now: now())
            return Response(status: .noContent)
        }
        api.post("/codes-provisoires") { request, context -> Response in
            let body = try await API.body(request, as: CodeRequest.self)
            var form = Form("")
            form.values = ["nir": body.nir, "nom": body.nom, "naissance": body.naissance, "code_postal": body.codePostal]
            let answer = try await requestCode(form: form, context: context, channel: .api)
            return API.json(Message(message: answer.message(accounts.policy)), status: .accepted)
        }
        api.post("/comptes") { request, context -> Response in
            let body = try await API.body(request, as: OpeningBody.self)
            let result = try await checkingCode(context, channel: .api) {
                try await accounts.openAccount(
                    .init(
                        nir: body.nir, provisionalCode: body.codeProvisoire, acceptedTerms: body.conditionsAcceptees,
                        personalCode: body.code, personalCodeConfirmation: body.codeConfirmation, question: body.question,
                        answer: body.reponse, answerConfirmation: body.reponseConfirmation, email: body.email), channel: .api,
                    now: now())
            }
            return API.json(
                Message(
                    message:
                        "\(result.message) \(result.nextStep)"
                ),
                status: .created)
        }
        api.post("/email/confirmation") { request, _ -> Response in
            let body = try await API.body(request, as: EmailConfirmationBody.self)
            return API.json(Message(message: try await accounts.confirmEmail(linkOrToken: body.jeton, channel: .api, now: now())))
        }
        api.getAndHead("/paiements") { request, _ -> Response in
            let query = Form.query(request)
            let (user, _) = try await apiUser(request, paymentsIn: paymentsWindow(query))
            let (filter, detailed) = try paymentsFilter(query)
            let report = try await payments.report(for: user.person.person, filter: filter, today: today, read: user.payments)
            return API.raw(PaymentsExport.json(report, detailed: detailed))
        }
        api.getAndHead("/releves") { request, _ -> Response in
            let (user, _) = try await apiUser(request)
            return API.json(
                try await statements.statements(of: user).map {
                    StatementJSON($0)
                })
        }
        api.getAndHead("/releves/:mois") { request, context -> Response in
            let (user, _) = try await apiUser(request)
            guard let month = try? Month(parsing: context.parameters.get("mois") ?? "") else { throw WebError.notFound }
            return try await pdfResponse(user: user, month: month)
        }
        api.getAndHead("/fhir/ExplanationOfBenefit") { request, _ -> Response in
            let (user, _) = try await apiUser(request)
            let (filter, _) = try paymentsFilter(Form.query(request))
            let report = try await payments.report(for: user.person.person, filter: filter, today: today)
            return API.raw(
                FHIRExport.bundle(report, baseURL: accounts.publicURL), type: "application/fhir+json; charset=utf-8")
        }
        api.getAndHead("/documents/paiements") { request, _ -> Response in
            let (user, _) = try await apiUser(request)
            let (filter, detailed) = try paymentsFilter(Form.query(request))
            let document = try await documents.period(user, filter: filter, detailed: detailed, today: today, now: now())
            return DocumentController.pdf(document, name: "paiements-\(document.record.from)-\(document.record.to).pdf")
        }
        api.getAndHead("/documents/decomptes/:reference") { request, context -> Response in
            let (user, _) = try await apiUser(request)
            let reference = context.parameters.get("reference")?.removingPercentEncoding ?? ""
            guard let document = try await documents.payment(user, reference: reference, today: today, now: now()) else {
                throw WebError.notFound
            }
            return DocumentController.pdf(document, name: "decompte-\(document.record.from).pdf")
        }
        api.getAndHead("/documents/recapitulatifs/:annee") { request, context -> Response in
            let (user, _) = try await apiUser(request)
            guard let year = context.parameters.get("annee").flatMap(Int.init) else {
                throw WebError.badRequest("année : quatre chiffres attendus (par exemple 2025)")
            }
            let document = try await documents.yearly(user, year: year, today: today, now: now())
            return DocumentController.pdf(document, name: "recapitulatif-\(year).pdf")
        }
        // Complementary insurers: OAuth 2.0 client credentials (RFC 6749 §4.4), then the feed.
        api.post("/oauth/token") { request, context -> Response in
            guard await throttle.reserve("oauth:\(context.clientIP)", Throttle.Limit(count: 30, seconds: 600)) else {
                throw WebError.throttled("Trop de demandes de jeton depuis votre adresse : réessayez dans 10 minutes.")
            }
            let form = try await Form.read(request)
            guard form["grant_type"] == "client_credentials" else {
                return API.json(
                    OAuthError(
                        error: form["grant_type"] == nil ? "invalid_request" : "unsupported_grant_type",
                        errorDescription: "grant_type=client_credentials attendu"), status: .badRequest)
            }
            guard let header = request.headers[.authorization], header.hasPrefix("Basic "),
                let decoded = Data(base64Encoded: String(header.dropFirst("Basic ".count)).trimmingCharacters(in: .whitespaces)),
                let pair = String(data: decoded, encoding: .utf8), let colon = pair.firstIndex(of: ":"),
                let token = try await insurerAPI.issueToken(
                    clientID: String(pair[..<colon]), secret: String(pair[pair.index(after: colon)...]), now: now())
            else {
                var response = API.json(
                    OAuthError(
                        error: "invalid_client",
                        errorDescription: "identifiant ou secret du client incorrect, ou client révoqué (HTTP Basic attendu)"),
                    status: .unauthorized)
                response.headers[.wwwAuthenticate] = "Basic realm=\"releve-complementaires\""
                return response
            }
            var response = API.json(
                TokenAnswer(accessToken: token, tokenType: "Bearer", expiresIn: InsurerAPIService.tokenSeconds))
            response.headers[.cacheControl] = "no-store"
            return response
        }
        api.getAndHead("/complementaires/lignes") { request, _ -> Response in
            let client = try await insurerClient(request)
            let query = Form.query(request)
            var limit = 100
            if let text = query.text("limite") {
                guard let value = Int(text), (1...InsurerAPIService.maxPage).contains(value) else {
                    throw ServiceError.invalidValue(.invalid(field: "limite", reason: "de 1 à \(InsurerAPIService.maxPage)"))
                }
                limit = value
            }
            do {
                return API.json(try await insurerAPI.lines(client, after: query.text("depuis"), limit: limit, now: now()))
            } catch InsurerAPIService.Failure.foreignCursor {
                throw WebError.notFound
            } catch InsurerAPIService.Failure.badCursor {
                throw ServiceError.invalidValue(.invalid(field: "depuis", reason: "curseur inconnu"))
            }
        }
        api.post("/complementaires/acquittements") { request, _ -> Response in
            let client = try await insurerClient(request)
            let body = try await API.body(request, as: AcknowledgementBody.self)
            do {
                let new = try await insurerAPI.acknowledge(client, cursor: body.curseur, now: now())
                return API.json(
                    AcknowledgementAnswer(
                        curseur: body.curseur, nouveau: new,
                        message: new
                            ? "Lignes acquittées jusqu'à ce curseur : elles ne seront plus servies."
                            : "Déjà acquitté : rien à faire."))
            } catch InsurerAPIService.Failure.foreignCursor {
                throw WebError.notFound
            } catch InsurerAPIService.Failure.badCursor {
                throw ServiceError.invalidValue(.invalid(field: "curseur", reason: "curseur inconnu"))
            }
        }
        api.post("/verifications") { request, context -> Response in
            guard await throttle.reserve("verify:\(context.clientIP)", Throttle.Limit(count: 30, seconds: 600)) else {
                throw WebError.throttled("Trop de vérifications depuis votre adresse : réessayez dans 10 minutes.")
            }
            let answer: DocumentService.CheckAnswer
            if request.headers[.contentType]?.lowercased().hasPrefix("application/pdf") == true {
                let buffer: ByteBuffer
                do {
                    buffer = try await request.body.collect(upTo: DocumentService.maxUpload)
                } catch is NIOTooManyBytesError {
                    throw WebError.tooLarge
                }
                answer = try await documents.check(pdf: Array(buffer.readableBytesView), channel: "api", now: now())
            } else {
                let body = try await API.body(request, as: VerificationBody.self)
                answer = try await documents.check(
                    reference: body.reference, fingerprint: body.empreinte, channel: "api", now: now())
            }
            return API.json(VerificationAnswer(authentique: answer != .unknownOrAltered, message: answer.french))
        }
        api.getAndHead("/duplicatas") { request, _ -> Response in
            let (user, _) = try await apiUser(request)
            return API.json(try await accounts.duplicatas(user).map(DuplicataJSON.init))
        }
        api.post("/duplicatas") { request, _ -> Response in
            let (user, _) = try await apiUser(request)
            let body = try await API.body(request, as: DuplicataBody.self)
            guard let month = try? Month(parsing: body.mois) else {
                throw ServiceError.invalidValue(.invalid(field: "mois", reason: "AAAA-MM attendu"))
            }
            let answer = try await accounts.requestDuplicata(user, month: month, channel: .api, now: now())
            switch answer {
            case .requested(let r): return API.json(DuplicataJSON(r), status: .created)
            case .alreadyRequested(let r): return API.json(DuplicataJSON(r), status: .ok)
            }
        }
        api.getAndHead("/compte") { request, _ -> Response in
            let (user, _) = try await apiUser(request)
            let (_, mode) = try await accounts.delivery(user, now: now())
            return API.json(AccountJSON(user, delivery: mode))
        }
        api.post("/compte/resiliation") { request, context -> Response in
            let (_, token) = try await apiUser(request)
            let body = try await API.body(request, as: CancelBody.self)
            let message = try await checkingCode(context, channel: .api) {
                try await accounts.cancelAccount(
                    token: token, code: body.code, confirmed: body.confirmation, channel: .api, now: now())
            }
            return API.json(Message(message: message))
        }
        api.post("/compte/code") { request, context -> Response in
            let (_, token) = try await apiUser(request)
            let body = try await API.body(request, as: CodeChangeBody.self)
            let session = try await checkingCode(context, channel: .api) {
                try await accounts.changeCode(
                    token: token, current: body.actuel, new: body.nouveau, confirmation: body.confirmation, channel: .api,
                    now: now())
            }
            return API.json(SessionResponse(jeton: session.token, nom: session.fullName))
        }
        api.post("/compte/email") { request, context -> Response in
            let (_, token) = try await apiUser(request)
            let body = try await API.body(request, as: EmailChangeBody.self)
            let message = try await checkingCode(context, channel: .api) {
                try await accounts.changeEmail(token: token, code: body.code, newEmail: body.email, channel: .api, now: now())
            }
            return API.json(Message(message: message))
        }
    }
}
