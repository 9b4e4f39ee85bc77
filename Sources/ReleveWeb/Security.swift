import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import ReleveDomain

/// Cookies, CSRF tokens and the security headers (SECURITY.md §1, goals 10–13).
struct Security: Sendable {
    /// The session cookie: `__Host-` (Secure, Path=/, no Domain), HttpOnly, SameSite=Strict.
    static let sessionCookie = "__Host-releve"
    /// Before login, forms are tied to this random cookie instead of the session.
    static let formCookie = "__Host-releve-formulaire"

    /// Signs CSRF tokens and sealed fields (tokens are tied to a session or a form cookie): the
    /// services' `formKey`, derived from the key file, so every node and every restart agree.
    let key: SymmetricKey

    static func cookies(_ request: Request) -> [String: String] {
        var cookies: [String: String] = [:]
        for header in request.headers[values: .cookie] {
            for part in header.split(separator: ";") {
                let pair = part.split(separator: "=", maxSplits: 1)
                guard pair.count == 2 else { continue }
                let name = pair[0].trimmingCharacters(in: .whitespaces)
                if cookies[name] == nil { cookies[name] = pair[1].trimmingCharacters(in: .whitespaces) }
            }
        }
        return cookies
    }

    static func setCookie(_ name: String, _ value: String, maxAge: Int? = nil, sameSite: String = "Strict") -> String {
        "\(name)=\(value); Path=/; Secure; HttpOnly; SameSite=\(sameSite)" + (maxAge.map { "; Max-Age=\($0)" } ?? "")
    }

    /// `scheme://host[:port]` of an address, for the CSP's form-action.
    static func origin(of address: String) -> String? {
        guard let url = URL(string: address), let scheme = url.scheme, let host = url.host else { return nil }
        return "\(scheme)://\(host)" + (url.port.map { ":\($0)" } ?? "")
    }

    /// The token that forms carry: an HMAC of the session token, or of the form cookie.
    func csrfToken(for base: String) -> String {
        Self.base64URL(Data(HMAC<SHA256>.authenticationCode(for: Data(("csrf:" + base).utf8), using: key)))
    }

    /// `text` with a MAC tied to `context`: a hidden field the server can trust when it comes back
    /// with the same context (the opening's step 2 carries what step 1 found).
    func seal(_ text: String, context: String) -> String {
        Self.base64URL(Data(text.utf8)) + "." + mac(text, context: context)
    }

    /// The text of a sealed value, if its MAC matches `context`.
    func unseal(_ sealed: String?, context: String) -> String? {
        guard let sealed, let dot = sealed.firstIndex(of: ".") else { return nil }
        var encoded = String(sealed[..<dot]).replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while encoded.count % 4 != 0 { encoded += "=" }
        guard let data = Data(base64Encoded: encoded), let text = String(data: data, encoding: .utf8) else { return nil }
        let expected = mac(text, context: context)
        let submitted = sealed[sealed.index(after: dot)...]
        guard submitted.utf8.count == expected.utf8.count,
            zip(submitted.utf8, expected.utf8).reduce(0, { $0 | ($1.0 ^ $1.1) }) == 0
        else { return nil }
        return text
    }

    private func mac(_ text: String, context: String) -> String {
        let input = "sealed:\(context.utf8.count):\(context)\(text)"
        return Self.base64URL(Data(HMAC<SHA256>.authenticationCode(for: Data(input.utf8), using: key)))
    }

    static func base64URL(_ data: Data) -> String { Base64URL.encode(data) }

    /// Constant-time check of a submitted token.
    func checkCSRF(_ submitted: String?, base: String?) -> Bool {
        guard let submitted, let base else { return false }
        let expected = csrfToken(for: base)
        guard submitted.utf8.count == expected.utf8.count else { return false }
        return zip(submitted.utf8, expected.utf8).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }

    /// The CSP; forms may also lead to the identity provider (the FranceConnect button and the
    /// logout both answer with a redirect there, which form-action governs).
    static func contentSecurityPolicy(formActions: String?) -> String {
        "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'\(formActions.map { " " + $0 } ?? ""); frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
    }

    /// Headers every response carries (the CSP is added by `SecurityMiddleware`).
    static let headers: [(HTTPField.Name, String)] = [
        (.strictTransportSecurity, "max-age=31536000; includeSubDomains"),
        (.xContentTypeOptions, "nosniff"),
        (.referrerPolicy, "same-origin"),
        (HTTPField.Name("X-Frame-Options")!, "DENY"),
        (HTTPField.Name("Cross-Origin-Opener-Policy")!, "same-origin"),
        (HTTPField.Name("Cross-Origin-Resource-Policy")!, "same-origin"),
        (HTTPField.Name("Permissions-Policy")!, "camera=(), microphone=(), geolocation=(), interest-cohort=()"),
    ]
}

extension HTTPField.Name {
    static let contentSecurityPolicy = Self("Content-Security-Policy")!
    static let strictTransportSecurity = Self("Strict-Transport-Security")!
    static let xContentTypeOptions = Self("X-Content-Type-Options")!
    static let referrerPolicy = Self("Referrer-Policy")!
    static let secFetchSite = Self("Sec-Fetch-Site")!
}

/// Adds the security headers to every response, `Cache-Control: no-store` unless the route
/// set its own (only the stylesheet does), and refuses cross-site form posts: a state-changing
/// request must come from this site (`Sec-Fetch-Site` same-origin, `Origin` this host).
/// Bearer-token API calls carry no ambient credential and skip the origin check.
struct SecurityMiddleware: RouterMiddleware {
    typealias Context = WebContext
    let contentSecurityPolicy: String

    /// `formActions`: the identity provider's origin, when one is configured.
    init(formActions: String? = nil) {
        contentSecurityPolicy = Security.contentSecurityPolicy(formActions: formActions)
    }

    func handle(_ request: Request, context: WebContext, next: (Request, WebContext) async throws -> Response) async throws
        -> Response
    {
        var response: Response
        if Self.needsOriginCheck(request), let refusal = Self.originRefusal(request) {
            response = try ErrorPages.response(for: WebError.forbidden(refusal), request: request)
        } else {
            response = try await next(request, context)
        }
        if response.headers[.contentSecurityPolicy] == nil { response.headers[.contentSecurityPolicy] = contentSecurityPolicy }
        for (name, value) in Security.headers where response.headers[name] == nil { response.headers[name] = value }
        if response.headers[.cacheControl] == nil { response.headers[.cacheControl] = "no-store" }
        return response
    }

    static func needsOriginCheck(_ request: Request) -> Bool {
        guard request.method != .get, request.method != .head, request.method != .options else { return false }
        return !request.uri.path.hasPrefix("/api/")
    }

    /// Why a state-changing form post is refused, or nil.
    static func originRefusal(_ request: Request) -> String? {
        if let site = request.headers[.secFetchSite], site != "same-origin", site != "none" {
            return "requête venue d'un autre site (Sec-Fetch-Site: \(site.prefix(20)))"
        }
        guard let origin = request.headers[.origin] else { return "origine de la requête absente" }
        guard let host = request.head.authority,
            origin == "https://\(host)" || origin == "http://\(host)"
        else { return "requête venue d'une autre origine" }
        return nil
    }
}
