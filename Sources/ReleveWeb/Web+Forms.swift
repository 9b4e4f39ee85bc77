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
        try checkFormToken(form["csrf"], request)
        return form
    }

    /// The CSRF token a form posted, checked against the session (or the form cookie).
    func checkFormToken(_ token: String?, _ request: Request) throws {
        let cookies = Security.cookies(request)
        let base = cookies[Security.sessionCookie].flatMap { Token.isWellFormed($0) ? $0 : nil } ?? cookies[Security.formCookie]
        guard security.checkCSRF(token, base: base) else {
            throw WebError.forbidden("le formulaire a expiré ou ne vient pas de ce site ; rechargez la page et recommencez")
        }
    }

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
}
