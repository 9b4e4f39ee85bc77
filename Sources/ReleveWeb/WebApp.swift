import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ReleveDomain
import ReleveService

/// Settings of the web server.
public struct WebConfiguration: Sendable {
    /// Demo mode: the footer says the data is fictitious, the home page lists the demo accounts.
    public var demoAccounts: [DemoAccount]?
    /// Concurrent code checks (each one PBKDF2 run): at most this many at once.
    public var kdfConcurrency: Int
    /// Failed logins per client address per 10 minutes before refusing without checking.
    public var loginFailuresPerAddress: Int
    /// Provisional-code requests per client address per hour.
    public var codeRequestsPerAddress: Int
    /// Request head and body delays, connections per address.
    public var connections = ConnectionLimits()

    public struct DemoAccount: Sendable {
        public var name: String
        public var nir: String
        public var code: String

        public init(name: String, nir: String, code: String) {
            self.name = name
            self.nir = nir
            self.code = code
        }
    }

    public init(
        demoAccounts: [DemoAccount]? = nil, kdfConcurrency: Int = max(1, ProcessInfo.processInfo.activeProcessorCount - 1),
        loginFailuresPerAddress: Int = 50, codeRequestsPerAddress: Int = 20
    ) {
        self.demoAccounts = demoAccounts
        self.kdfConcurrency = kdfConcurrency
        self.loginFailuresPerAddress = loginFailuresPerAddress
        self.codeRequestsPerAddress = codeRequestsPerAddress
    }
}

/// The web view and the JSON API over the same services as the CLI.
public struct Web: Sendable {
    let accounts: AccountService
    let federation: FederationService
    let statements: StatementService
    let payments: PaymentsService
    let documents: DocumentService
    let insurerAPI: InsurerAPIService
    let configuration: WebConfiguration
    let views: Views
    let security: Security
    let throttle: Throttle
    /// The clock (tests move it).
    let now: @Sendable () -> Date
    /// `/pret`: the base, the archive folder, the key file, the replica, checked now.
    let readiness: @Sendable () async -> Readiness
    /// Before each scrape of `/metrics`: figures read rather than counted (the replica's lag).
    let scrapeRefresh: @Sendable () async -> Void

    public init(
        services: ReleveServices, configuration: WebConfiguration = .init(), now: @escaping @Sendable () -> Date = { Date() }
    ) throws {
        // The web sizes the key-derivation gate (cores − 1 by default) with a fair share per address.
        let services = services.with(
            gate: KDFGate(limit: configuration.kdfConcurrency, queueLimit: 64, perRequesterLimit: 4))
        self.accounts = services.accounts
        self.federation = services.federation
        self.statements = services.statements
        self.payments = services.payments
        self.documents = services.documents
        self.insurerAPI = services.insurerAPI
        self.security = Security(key: services.formKey)
        let accounts = services.accounts
        self.throttle = Throttle(
            shared: .init(
                reserve: { key, limit, seconds in
                    try await accounts.reserveThrottle(key, limit: limit, seconds: seconds, now: Date())
                },
                release: { id in try await accounts.releaseThrottle(id: id) }))
        self.configuration = configuration
        self.views = try Views(demo: configuration.demoAccounts != nil)
        self.now = now
        self.readiness = { await services.readiness() }
        self.scrapeRefresh = { _ = await services.replicaState() }
    }

    var today: CivilDate { CivilDate(unixSeconds: Int64(now().timeIntervalSince1970)) }

    /// Every route, behind the security, error and maintenance middleware.
    public func router() -> Router<WebContext> {
        let router = Router(context: WebContext.self)
        router.add(middleware: RequestLogMiddleware())
        router.add(middleware: HeadMiddleware())
        router.add(middleware: SecurityMiddleware(formActions: federation.settings.flatMap { Security.origin(of: $0.issuer) }))
        router.add(middleware: ErrorMiddleware(views: views))
        router.add(middleware: MaintenanceMiddleware(accounts: accounts, views: views))
        router.getAndHead("/sante") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: "ok")))
        }
        let readiness = self.readiness
        router.getAndHead("/pret") { _, _ in ReadinessRoute.response(await readiness()) }
        router.getAndHead("/static/releve.css") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/css; charset=utf-8", .cacheControl: "public, max-age=86400"],
                body: .init(byteBuffer: ByteBuffer(string: Stylesheet.css)))
        }
        router.addRoutes(PublicController(web: self).routes)
        router.addRoutes(FranceConnectController(web: self).routes)
        router.addRoutes(AccountController(web: self).routes)
        router.addRoutes(DocumentController(web: self).routes)
        router.addRoutes(APIController(web: self).routes)
        return router
    }

    /// A server on `host:port` (loopback by default).
    public func application(
        host: String, port: Int, logger: Logger = Web.quietLogger, onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    )
        -> some ApplicationProtocol
    {
        let limits = configuration.connections
        let registry = ConnectionRegistry(limit: limits.perAddress)
        return Application(
            router: router(),
            server: .http1(
                configuration: .init(
                    additionalChannelHandlers: [ConnectionGuard(limits: limits, registry: registry)], idleTimeout: .seconds(60))),
            configuration: .init(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) }, logger: logger)
    }
}

extension Web {
    /// The logger of a server built without one (tests): warnings and errors only.
    public static var quietLogger: Logger {
        var logger = Logger(label: "releve-web")
        logger.logLevel = .warning
        return logger
    }
}

/// Every page and API call answers 503 with the operator's message during maintenance
/// (the stylesheet and the health route excepted).
struct MaintenanceMiddleware: RouterMiddleware {
    typealias Context = WebContext
    let accounts: AccountService
    let views: Views
    let cache = MaintenanceCache()

    func handle(_ request: Request, context: WebContext, next: (Request, WebContext) async throws -> Response) async throws
        -> Response
    {
        let path = request.uri.path
        guard !path.hasPrefix("/static/"), path != "/sante", path != "/pret", path != "/api/v1/openapi.yaml",
            let message = try await cache.message(accounts)
        else { return try await next(request, context) }
        if path.hasPrefix("/api/") { return API.error(.serviceUnavailable, code: "maintenance", message: message) }
        return views.page(ErrorPage(title: "Service en maintenance", text: message), status: .serviceUnavailable)
    }
}

/// The maintenance flag, read from the database at most once a second (the operator's switch,
/// made by another process, takes effect within a second; every assuré operation also checks it
/// in the service layer, in the same read as the session).
final class MaintenanceCache: @unchecked Sendable {
    private let lock = NSLock()
    private var value: (message: String?, at: Date)?

    func message(_ accounts: AccountService) async throws -> String? {
        let now = Date()
        if let cached = lock.withLock({ value }), now.timeIntervalSince(cached.at) < 1 { return cached.message }
        let message = try await accounts.maintenanceMessage()
        lock.withLock { value = (message, now) }
        return message
    }
}

/// Errors become French pages (never a stack trace) or JSON errors under /api/.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = WebContext
    let views: Views

    func handle(_ request: Request, context: WebContext, next: (Request, WebContext) async throws -> Response) async throws
        -> Response
    {
        do {
            return try await next(request, context)
        } catch {
            if case WebError.loginRequired = error, !request.uri.path.hasPrefix("/api/") {
                return Views.redirect("/?message=connexion")
            }
            if let error = error as? HTTPError, error.status == .notFound, let allowed = API.allowedMethods(request.uri.path) {
                var response = API.error(
                    .methodNotAllowed, code: "methode_non_permise",
                    message: "Méthode \(request.method.rawValue.prefix(20)) non permise ici ; méthodes permises : \(allowed).")
                response.headers[.allow] = allowed
                return response
            }
            let (status, code, message) = ErrorPages.describe(error)
            if status == .internalServerError {
                context.logger.error("internal error", metadata: ["error": "\(String(reflecting: error).prefix(500))"])
            }
            var response =
                request.uri.path.hasPrefix("/api/")
                ? API.error(
                    status, code: code,
                    message: code != "non_connecte"
                        ? message
                        : request.uri.path.hasPrefix("/api/v1/complementaires/")
                            ? API.insurerLoginRequired : API.loginRequired)
                : views.page(ErrorPage(title: ErrorPages.title(status), text: message), status: status)
            // Overload, a saturated or unreachable base, maintenance: come back later.
            if status == .serviceUnavailable { response.headers[.retryAfter] = code == "maintenance" ? "60" : "5" }
            return response
        }
    }
}

enum ErrorPages {
    /// Status, machine code and French message of an error.
    static func describe(_ error: any Error) -> (HTTPResponse.Status, String, String) {
        switch error {
        case let error as WebError:
            switch error {
            case .notFound: return (.notFound, "introuvable", "Cette page n'existe pas, ou plus.")
            case .forbidden(let why): return (.forbidden, "interdit", "Requête refusée : \(why).")
            case .tooLarge: return (.contentTooLarge, "trop_volumineux", "La requête est trop volumineuse.")
            case .badRequest(let why): return (.badRequest, "requete_invalide", "Requête invalide : \(why).")
            case .throttled(let why): return (.tooManyRequests, "trop_de_tentatives", why)
            case .loginRequired: return (.unauthorized, "non_connecte", "Connectez-vous pour accéder à cette page.")
            }
        case let error as ServiceError:
            let status: HTTPResponse.Status =
                switch error {
                case .invalidValue, .rejectedFile, .termsRefused, .emailLinkRejected, .wrongCurrentCode: .badRequest
                case .maintenance, .overloaded, .store(.unavailable): .serviceUnavailable
                case .authenticationFailed, .locked, .provisionalCodeRejected, .secretAnswerMismatch, .notAuthenticated:
                    .unauthorized
                case .accountClosed: .forbidden
                case .federation(.unavailable): .badGateway
                case .federation(.notConfigured): .notFound
                case .federation(.noMatch), .federation(.severalMatches), .federation(.otherRegime): .forbidden
                case .federation(.refused), .federation(.cancelled), .federation(.openingExpired): .badRequest
                case .federation(.reauthenticationRequired): .forbidden
                case .rateLimited: .tooManyRequests
                case .inputUnreadable, .outputUnwritable, .store, .internal: .internalServerError
                }
            if status == .internalServerError {
                return (
                    status, "erreur_interne", "Une erreur est survenue de notre côté ; rien n'a été modifié. Réessayez plus tard."
                )
            }
            return (status, code(error), error.webMessage)
        case is NIOTooManyBytesError:
            return (.contentTooLarge, "trop_volumineux", "La requête est trop volumineuse.")
        case let error as HTTPError:
            return (error.status, "http_\(error.status.code)", title(error.status))
        default:
            // A store's error that reached here unwrapped (a saturated base, say) reads as the service's.
            if case .store = ServiceError.wrap(error) { return describe(ServiceError.wrap(error)) }
            return (
                .internalServerError, "erreur_interne",
                "Une erreur est survenue de notre côté ; rien n'a été modifié. Réessayez plus tard."
            )
        }
    }

    /// A refusal a form page shows beside the form (400, or a sensitive change that needs a
    /// fresh FranceConnect login first).
    static func isFormRefusal(_ error: ServiceError) -> Bool {
        if case .federation(.reauthenticationRequired) = error { return true }
        return describe(error).0 == .badRequest
    }

    static func code(_ error: ServiceError) -> String {
        switch error {
        case .invalidValue: "donnee_invalide"
        case .wrongCurrentCode: "code_actuel_incorrect"
        case .overloaded: "surcharge"
        case .rejectedFile: "fichier_refuse"
        case .termsRefused: "conditions_refusees"
        case .emailLinkRejected: "lien_invalide"
        case .maintenance: "maintenance"
        case .authenticationFailed: "identifiants_incorrects"
        case .locked: "compte_bloque"
        case .provisionalCodeRejected: "code_provisoire_refuse"
        case .secretAnswerMismatch: "reponse_incorrecte"
        case .notAuthenticated: "non_connecte"
        case .accountClosed: "compte_resilie"
        case .rateLimited: "trop_de_demandes"
        case .federation(let problem):
            switch problem {
            case .notConfigured: "franceconnect_non_configure"
            case .unavailable: "franceconnect_indisponible"
            case .refused: "franceconnect_refuse"
            case .cancelled: "franceconnect_annule"
            case .noMatch: "identite_inconnue"
            case .severalMatches: "identite_ambigue"
            case .otherRegime: "autre_regime"
            case .reauthenticationRequired: "reauthentification_requise"
            case .openingExpired: "ouverture_expiree"
            }
        case .store(.unavailable): "base_indisponible"
        case .inputUnreadable, .outputUnwritable, .store, .internal: "erreur_interne"
        }
    }

    static func title(_ status: HTTPResponse.Status) -> String {
        switch status.code {
        case 400: "Requête invalide"
        case 401: "Connexion nécessaire"
        case 403: "Accès refusé"
        case 404: "Page introuvable"
        case 405: "Méthode non permise"
        case 413: "Requête trop volumineuse"
        case 415: "Type de contenu non pris en charge"
        case 429: "Trop de tentatives"
        case 503: "Service indisponible"
        default: "Erreur"
        }
    }

    /// For the security middleware, which answers before the router.
    static func response(for error: WebError, request: Request) throws -> Response {
        let (status, code, message) = describe(error)
        if request.uri.path.hasPrefix("/api/") { return API.error(status, code: code, message: message) }
        return Views.html(
            "<!doctype html><html lang=\"fr\"><head><meta charset=\"utf-8\"><title>\(title(status)) — Releve</title>"
                + "<link rel=\"stylesheet\" href=\"/static/releve.css\"></head><body><main><h1>\(title(status))</h1><p>\(HTML.escape(message))</p>"
                + "<p><a href=\"/\">Revenir à l'accueil</a></p></main></body></html>", status: status)
    }
}
