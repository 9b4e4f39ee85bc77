import Foundation

/// How this installation is registered with one OpenID Connect provider (FranceConnect, or any
/// other): what the operator sets (README, "FranceConnect").
public struct ProviderSettings: Sendable {
    /// The provider's issuer; discovery is read at `issuer/.well-known/openid-configuration`.
    public var issuer: String
    public var clientID: String
    /// Never on a command line: from a file or the environment.
    public var clientSecret: String
    /// Where the provider sends the browser back (registered with the provider).
    public var redirectURI: String
    /// Where the provider sends the browser after logout (registered with the provider).
    public var postLogoutRedirectURI: String
    /// The `acr` values accepted in the ID token, the first one asked for; empty: none asked.
    public var acceptedACR: [String]
    /// The provider's name as the pages say it.
    public var name: String
    /// The longest wait for one call to the provider, connection included.
    public var timeout: Duration
    /// The clock skew tolerated on `exp`, `iat` and `auth_time`, in seconds.
    public var clockSkew: Int

    /// The "identité pivot" scopes of FranceConnect.
    public static let pivotScopes = [
        "openid", "given_name", "family_name", "birthdate", "gender", "birthplace", "birthcountry",
    ]

    public init(
        issuer: String, clientID: String, clientSecret: String, redirectURI: String, postLogoutRedirectURI: String,
        acceptedACR: [String] = ["eidas1"], name: String = "FranceConnect", timeout: Duration = .seconds(5),
        clockSkew: Int = 60
    ) {
        self.issuer = issuer
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.redirectURI = redirectURI
        self.postLogoutRedirectURI = postLogoutRedirectURI
        self.acceptedACR = acceptedACR
        self.name = name
        self.timeout = timeout
        self.clockSkew = clockSkew
    }
}

/// What the provider's discovery document says (OpenID Connect Discovery 1.0 §3).
public struct ProviderMetadata: Decodable, Sendable {
    public let issuer: String
    public let authorizationEndpoint: String
    public let tokenEndpoint: String
    public let userinfoEndpoint: String?
    public let jwksURI: String
    public let endSessionEndpoint: String?
    public let tokenEndpointAuthMethodsSupported: [String]?
    public let codeChallengeMethodsSupported: [String]?
    public let idTokenSigningAlgValuesSupported: [String]?
    public let acrValuesSupported: [String]?

    enum CodingKeys: String, CodingKey {
        case issuer
        case authorizationEndpoint = "authorization_endpoint"
        case tokenEndpoint = "token_endpoint"
        case userinfoEndpoint = "userinfo_endpoint"
        case jwksURI = "jwks_uri"
        case endSessionEndpoint = "end_session_endpoint"
        case tokenEndpointAuthMethodsSupported = "token_endpoint_auth_methods_supported"
        case codeChallengeMethodsSupported = "code_challenge_methods_supported"
        case idTokenSigningAlgValuesSupported = "id_token_signing_alg_values_supported"
        case acrValuesSupported = "acr_values_supported"
    }
}

/// Why a federated login was refused. Each case is audited with its `code`; `message` is what the
/// assuré or the operator reads.
public enum OIDCError: Error, Sendable, Equatable {
    /// The provider did not answer in time, or not at all.
    case unreachable(String)
    /// The provider answered something unusable (status, content).
    case badAnswer(String)
    /// The provider sent the browser back with an error (`access_denied`…).
    case providerError(code: String, description: String?)
    /// The token endpoint refused the code (replayed, expired, wrong verifier).
    case codeRefused(String)
    /// The ID token is not signed by a key of the provider's JWKS, or with an algorithm refused.
    case signature(String)
    /// A claim of the ID token or of userinfo does not hold.
    case claim(String)
    /// The identity lacks a claim the matching needs.
    case missingClaim(String)

    public var code: String {
        switch self {
        case .unreachable: "provider_unreachable"
        case .badAnswer: "provider_bad_answer"
        case .providerError(let code, _): "provider_error:\(code.prefix(40))"
        case .codeRefused: "code_refused"
        case .signature: "bad_signature"
        case .claim: "bad_claim"
        case .missingClaim: "missing_claim"
        }
    }

    /// The technical detail, for the audit trail and the operator's check (never for the assuré).
    public var detail: String {
        switch self {
        case .unreachable(let text), .badAnswer(let text), .codeRefused(let text), .signature(let text),
            .claim(let text), .missingClaim(let text):
            text
        case .providerError(let code, let description): description.map { "\(code): \($0)" } ?? code
        }
    }
}
