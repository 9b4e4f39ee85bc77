import AsyncHTTPClient
import Crypto
import Foundation
import JWTKit
import NIOCore
import ReleveDomain

/// A relying party of one OpenID Connect provider: the authorization code flow with PKCE (S256),
/// the ID token checked against the provider's JWKS by jwt-kit, userinfo, and logout.
///
/// Discovery and keys are cached for an hour; the keys are fetched again when a token names a
/// `kid` the cache does not know (a provider's key rotation).
public actor RelyingParty {
    public nonisolated let settings: ProviderSettings
    private var cachedMetadata: (metadata: ProviderMetadata, at: ContinuousClock.Instant)?
    private var keys: (collection: JWTKeyCollection, kids: Set<String>, at: ContinuousClock.Instant)?
    private let metadataLifetime: Duration = .seconds(3600)

    /// One HTTP client for every provider call of the process: no redirect followed (a token
    /// endpoint that redirects is refused), connection and read bounded.
    static let http = HTTPClient(
        eventLoopGroupProvider: .singleton,
        configuration: HTTPClient.Configuration(
            redirectConfiguration: .disallow, timeout: .init(connect: .seconds(3), read: .seconds(5))))

    /// The signature algorithms accepted for ID tokens and signed userinfo (never `none`, never HMAC).
    public static let acceptedAlgorithms: Set<String> = ["RS256", "ES256"]

    public init(settings: ProviderSettings) {
        self.settings = settings
    }

    // MARK: Discovery and keys

    /// The provider's discovery document; its `issuer` must be the configured one exactly.
    public func metadata() async throws(OIDCError) -> ProviderMetadata {
        if let cachedMetadata, ContinuousClock.now - cachedMetadata.at < metadataLifetime { return cachedMetadata.metadata }
        let base = settings.issuer.hasSuffix("/") ? String(settings.issuer.dropLast()) : settings.issuer
        let body = try await get(base + "/.well-known/openid-configuration", accept: "application/json")
        let metadata: ProviderMetadata
        do {
            metadata = try JSONDecoder().decode(ProviderMetadata.self, from: body)
        } catch {
            throw .badAnswer("document de découverte illisible (\(error))")
        }
        guard metadata.issuer == settings.issuer else {
            throw .badAnswer("l'émetteur annoncé (\(metadata.issuer)) n'est pas celui configuré (\(settings.issuer))")
        }
        cachedMetadata = (metadata, ContinuousClock.now)
        return metadata
    }

    /// The key collection, fetched again when `kid` is unknown or the keys are an hour old.
    /// Tokens reach this check only from the provider's own endpoints (back channel), so an
    /// unknown `kid` is a rotation, not an attacker's lever: one more GET per such login.
    private func keyCollection(for kid: String?) async throws(OIDCError) -> (JWTKeyCollection, Set<String>) {
        if let keys, ContinuousClock.now - keys.at < metadataLifetime {
            let known = kid.map { keys.kids.contains($0) } ?? (keys.kids.count == 1)
            if known { return (keys.collection, keys.kids) }
        }
        let fetched = try await fetchKeys()
        keys = (fetched.0, fetched.1, ContinuousClock.now)
        return fetched
    }

    private func fetchKeys() async throws(OIDCError) -> (JWTKeyCollection, Set<String>) {
        let body = try await get(try await metadata().jwksURI, accept: "application/json")
        let collection = JWTKeyCollection()
        var kids: Set<String> = []
        do {
            let jwks = try JSONDecoder().decode(JWKS.self, from: body)
            for jwk in jwks.keys where jwk.keyType == .rsa || jwk.keyType == .ecdsa {
                guard let kid = jwk.keyIdentifier?.string else { continue }
                try await collection.add(jwk: jwk)
                kids.insert(kid)
            }
        } catch {
            throw .badAnswer("jeu de clés (JWKS) illisible (\(error))")
        }
        guard !kids.isEmpty else { throw .badAnswer("le jeu de clés (JWKS) ne contient aucune clé RSA ou EC utilisable") }
        return (collection, kids)
    }

    /// Verifies `token`'s signature with the provider's keys (jwt-kit) and decodes its claims.
    /// The header's `alg` must be RS256 or ES256 and its `kid` one of the JWKS (a key set of one
    /// key may omit it).
    func verifySignature<Payload: JWTPayload>(_ token: String, as type: Payload.Type, audience: String?)
        async throws(OIDCError) -> Payload
    {
        let header: JWTHeader
        do {
            header = try DefaultJWTParser().parse([UInt8](token.utf8), as: UnverifiedClaims.self).header
        } catch {
            throw .signature("jeton illisible")
        }
        guard let alg = header.alg, Self.acceptedAlgorithms.contains(alg) else {
            throw .signature("algorithme refusé : \(header.alg ?? "absent")")
        }
        let (collection, kids) = try await keyCollection(for: header.kid)
        if let kid = header.kid {
            guard kids.contains(kid) else { throw .signature("clé inconnue du fournisseur : \(kid)") }
        } else if kids.count != 1 {
            throw .signature("jeton sans « kid » alors que le fournisseur a plusieurs clés")
        }
        do {
            if let audience, let identity = type as? any JWTIdentityToken.Type {
                return try await Self.verifyIdentity(token, as: identity, audience: audience, in: collection) as! Payload
            }
            return try await collection.verify(token, as: Payload.self)
        } catch {
            throw .signature("signature ou contenu refusé par jwt-kit (\(error))")
        }
    }

    private static func verifyIdentity<T: JWTIdentityToken>(
        _ token: String, as type: T.Type, audience: String, in collection: JWTKeyCollection
    ) async throws -> T {
        try await collection.verify(token, as: T.self, expectedAudience: audience)
    }

    // MARK: The flow

    /// A fresh PKCE verifier (RFC 7636: 43 characters) and its S256 challenge.
    public static func pkce() -> (verifier: String, challenge: String) {
        let verifier = Base64URL.encode(Data(SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }))
        return (verifier, challenge(for: verifier))
    }

    public static func challenge(for verifier: String) -> String {
        Base64URL.encode(Data(SHA256.hash(data: Data(verifier.utf8))))
    }

    /// The address the browser goes to. `reauthenticate` asks for a fresh login (`prompt=login`,
    /// `max_age=0`) for a sensitive action.
    public func authorizationURL(
        state: String, nonce: String, codeChallenge: String, redirectURI: String, reauthenticate: Bool = false
    ) async throws(OIDCError) -> String {
        let metadata = try await metadata()
        var items = [
            ("response_type", "code"), ("client_id", settings.clientID), ("redirect_uri", redirectURI),
            ("scope", ProviderSettings.pivotScopes.joined(separator: " ")), ("state", state), ("nonce", nonce),
            ("code_challenge", codeChallenge), ("code_challenge_method", "S256"),
        ]
        if !settings.acceptedACR.isEmpty { items.append(("acr_values", settings.acceptedACR.joined(separator: " "))) }
        if reauthenticate {
            items.append(("prompt", "login"))
            items.append(("max_age", "0"))
        }
        return Self.appending(items, to: metadata.authorizationEndpoint)
    }

    /// What a successful login gives: the provider's subject, the checked claims, the identity.
    public struct Login: Sendable {
        public let subject: String
        public let idToken: String
        public let acr: String?
        public let authTime: Date?
        public let identity: PivotIdentity
    }

    /// Exchanges `code` (with the PKCE verifier), checks the ID token (signature, `iss`, `aud`,
    /// `exp`, `iat`, `nonce`, `acr`, and `auth_time` within `maxAge` when asked), then reads
    /// userinfo (same `sub`) for the identité pivot.
    public func complete(code: String, verifier: String, nonce: String, redirectURI: String, maxAge: Int? = nil, now: Date)
        async throws(OIDCError) -> Login
    {
        let metadata = try await metadata()
        let tokens = try await exchange(code: code, verifier: verifier, redirectURI: redirectURI, metadata: metadata)
        let claims = try await verifySignature(tokens.idToken, as: IDTokenClaims.self, audience: settings.clientID)
        try check(claims, nonce: nonce, maxAge: maxAge, now: now)
        let info = try await userinfo(accessToken: tokens.accessToken, metadata: metadata)
        guard info.sub == claims.sub.value else {
            throw .claim("le « sub » de userinfo (\(info.sub)) n'est pas celui du jeton d'identité")
        }
        return Login(
            subject: claims.sub.value, idToken: tokens.idToken, acr: claims.acr, authTime: claims.authTime,
            identity: try info.pivotIdentity())
    }

    func check(_ claims: IDTokenClaims, nonce: String, maxAge: Int?, now: Date) throws(OIDCError) {
        let skew = TimeInterval(settings.clockSkew)
        guard claims.iss.value == settings.issuer else { throw .claim("émetteur inattendu : \(claims.iss.value)") }
        guard claims.exp.value.addingTimeInterval(skew) > now else { throw .claim("jeton d'identité expiré") }
        guard claims.iat.value.addingTimeInterval(-skew) <= now else { throw .claim("jeton d'identité émis dans le futur") }
        guard let received = claims.nonce, received.utf8.elementsEqual(nonce.utf8) else {
            throw .claim("« nonce » différent de celui de la demande")
        }
        if !settings.acceptedACR.isEmpty {
            guard let acr = claims.acr, settings.acceptedACR.contains(acr) else {
                throw .claim("niveau d'authentification (acr) refusé : \(claims.acr ?? "absent")")
            }
        }
        if let maxAge {
            guard let authTime = claims.authTime,
                now.timeIntervalSince(authTime) <= TimeInterval(maxAge) + skew
            else { throw .claim("authentification trop ancienne pour une action sensible") }
        }
    }

    struct TokenAnswer: Decodable {
        let idToken: String
        let accessToken: String
        enum CodingKeys: String, CodingKey {
            case idToken = "id_token"
            case accessToken = "access_token"
        }
    }

    struct TokenError: Decodable {
        let error: String
        let errorDescription: String?
        enum CodingKeys: String, CodingKey {
            case error
            case errorDescription = "error_description"
        }
    }

    private func exchange(code: String, verifier: String, redirectURI: String, metadata: ProviderMetadata)
        async throws(OIDCError) -> TokenAnswer
    {
        var form = [
            ("grant_type", "authorization_code"), ("code", code), ("redirect_uri", redirectURI),
            ("code_verifier", verifier),
        ]
        var request = HTTPClientRequest(url: metadata.tokenEndpoint)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "Accept", value: "application/json")
        // client_secret_basic unless the provider lists only client_secret_post (RFC 6749 §2.3.1).
        let methods = metadata.tokenEndpointAuthMethodsSupported ?? ["client_secret_basic"]
        if methods.contains("client_secret_basic") {
            let pair = Self.formEscape(settings.clientID) + ":" + Self.formEscape(settings.clientSecret)
            request.headers.add(name: "Authorization", value: "Basic " + Data(pair.utf8).base64EncodedString())
        } else {
            form += [("client_id", settings.clientID), ("client_secret", settings.clientSecret)]
        }
        request.body = .bytes(
            ByteBuffer(string: form.map { Self.formEscape($0.0) + "=" + Self.formEscape($0.1) }.joined(separator: "&")))
        let (status, body) = try await send(request)
        guard status == 200 else {
            if let error = try? JSONDecoder().decode(TokenError.self, from: body) {
                throw .codeRefused(error.errorDescription.map { "\(error.error): \($0)" } ?? error.error)
            }
            throw .badAnswer("le point d'échange de jetons a répondu \(status)")
        }
        do {
            return try JSONDecoder().decode(TokenAnswer.self, from: body)
        } catch {
            throw .badAnswer("réponse du point d'échange de jetons illisible")
        }
    }

    private func userinfo(accessToken: String, metadata: ProviderMetadata) async throws(OIDCError) -> UserInfoClaims {
        guard let endpoint = metadata.userinfoEndpoint else { throw .badAnswer("le fournisseur n'annonce pas de userinfo") }
        var request = HTTPClientRequest(url: endpoint)
        request.headers.add(name: "Authorization", value: "Bearer " + accessToken)
        request.headers.add(name: "Accept", value: "application/json, application/jwt")
        let (status, body, contentType) = try await sendWithType(request)
        guard status == 200 else { throw .badAnswer("userinfo a répondu \(status)") }
        // FranceConnect v2 signs userinfo (application/jwt); others answer JSON.
        if contentType.hasPrefix("application/jwt") {
            return try await verifySignature(String(decoding: body, as: UTF8.self), as: UserInfoClaims.self, audience: nil)
        }
        do {
            return try JSONDecoder().decode(UserInfoClaims.self, from: body)
        } catch {
            throw .badAnswer("userinfo illisible")
        }
    }

    /// The provider's logout address for the session that `idToken` opened, or nil when the
    /// provider has no `end_session_endpoint`.
    public func logoutURL(idTokenHint: String, state: String) async throws(OIDCError) -> String? {
        guard let endpoint = try await metadata().endSessionEndpoint else { return nil }
        return Self.appending(
            [
                ("id_token_hint", idTokenHint), ("post_logout_redirect_uri", settings.postLogoutRedirectURI),
                ("state", state),
            ], to: endpoint)
    }

    // MARK: The operator's check

    /// One line of `releve admin franceconnect verifier`.
    public struct Finding: Sendable {
        public let ok: Bool
        public let text: String
    }

    /// Discovery, the endpoints the flow needs, PKCE S256, the accepted acr, and the JWKS.
    public func diagnose() async -> [Finding] {
        var findings: [Finding] = []
        let metadata: ProviderMetadata
        do {
            cachedMetadata = nil
            metadata = try await self.metadata()
            findings.append(Finding(ok: true, text: "Découverte lue, émetteur \(metadata.issuer)."))
        } catch {
            return [Finding(ok: false, text: "Découverte : \(error.detail).")]
        }
        findings.append(
            Finding(
                ok: metadata.userinfoEndpoint != nil,
                text: metadata.userinfoEndpoint.map { "Userinfo : \($0)." } ?? "Aucun point userinfo annoncé."))
        findings.append(
            Finding(
                ok: metadata.endSessionEndpoint != nil,
                text: metadata.endSessionEndpoint.map { "Déconnexion : \($0)." }
                    ?? "Aucun point de déconnexion (end_session_endpoint) : la déconnexion restera locale."))
        if let methods = metadata.codeChallengeMethodsSupported, !methods.contains("S256") {
            findings.append(
                Finding(ok: false, text: "Le fournisseur n'annonce pas PKCE S256 (\(methods.joined(separator: ", ")))."))
        }
        if let supported = metadata.acrValuesSupported, !settings.acceptedACR.isEmpty,
            !settings.acceptedACR.contains(where: supported.contains)
        {
            findings.append(
                Finding(
                    ok: false,
                    text:
                        "Aucun niveau acr accepté (\(settings.acceptedACR.joined(separator: ", "))) n'est annoncé par le fournisseur (\(supported.joined(separator: ", ")))."
                ))
        }
        do {
            let (_, kids) = try await fetchKeys()
            findings.append(
                Finding(
                    ok: true,
                    text:
                        "Jeu de clés lu : \(French.count(kids.count, "clé", "clés")) (\(kids.sorted().joined(separator: ", "))).")
            )
        } catch {
            findings.append(Finding(ok: false, text: "Jeu de clés : \(error.detail)."))
        }
        return findings
    }

    // MARK: HTTP

    private func get(_ url: String, accept: String) async throws(OIDCError) -> Data {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Accept", value: accept)
        let (status, body) = try await send(request)
        guard status == 200 else { throw .badAnswer("\(url) a répondu \(status)") }
        return body
    }

    private func send(_ request: HTTPClientRequest) async throws(OIDCError) -> (Int, Data) {
        let (status, body, _) = try await sendWithType(request)
        return (status, body)
    }

    /// One call, bounded by `settings.timeout` from connection to the last byte, 1 MiB at most.
    private func sendWithType(_ request: HTTPClientRequest) async throws(OIDCError) -> (Int, Data, String) {
        let deadline =
            NIODeadline.now()
            + TimeAmount.nanoseconds(
                Int64(settings.timeout.components.seconds) * 1_000_000_000
                    + settings.timeout.components.attoseconds / 1_000_000_000)
        do {
            let response = try await Self.http.execute(request, deadline: deadline)
            let buffer = try await response.body.collect(upTo: 1 << 20)
            return (Int(response.status.code), Data(buffer.readableBytesView), response.headers.first(name: "Content-Type") ?? "")
        } catch {
            let timedOut = "\(error)".contains("deadlineExceeded") || "\(error)".contains("readTimeout")
            throw .unreachable(
                "\(request.url) : " + (timedOut ? "pas de réponse dans le délai" : "aucune réponse exploitable")
                    + " (détail technique : \(error))")
        }
    }

    private static let unreserved = CharacterSet(
        charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    /// application/x-www-form-urlencoded escaping (RFC 3986's unreserved ASCII characters kept).
    static func formEscape(_ text: String) -> String {
        return text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? ""
    }

    static func appending(_ items: [(String, String)], to endpoint: String) -> String {
        let query = items.map { formEscape($0.0) + "=" + formEscape($0.1) }.joined(separator: "&")
        return endpoint + (endpoint.contains("?") ? "&" : "?") + query
    }
}
