import Foundation
import JWTKit
import ReleveDomain

/// The claims of an OpenID Connect ID token that Releve checks (Core 1.0 §2). The signature and
/// the audience are checked by jwt-kit; the rest by `RelyingParty.check` against a given clock.
struct IDTokenClaims: JWTIdentityToken {
    let iss: IssuerClaim
    let sub: SubjectClaim
    let aud: AudienceClaim
    let exp: ExpirationClaim
    let iat: IssuedAtClaim
    let nonce: String?
    let acr: String?
    let authTime: Date?

    var audience: AudienceClaim { aud }

    enum CodingKeys: String, CodingKey {
        case iss, sub, aud, exp, iat, nonce, acr
        case authTime = "auth_time"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        iss = try container.decode(IssuerClaim.self, forKey: .iss)
        sub = try container.decode(SubjectClaim.self, forKey: .sub)
        aud = try container.decode(AudienceClaim.self, forKey: .aud)
        exp = try container.decode(ExpirationClaim.self, forKey: .exp)
        iat = try container.decode(IssuedAtClaim.self, forKey: .iat)
        nonce = try container.decodeIfPresent(String.self, forKey: .nonce)
        acr = try container.decodeIfPresent(String.self, forKey: .acr)
        authTime = try container.decodeIfPresent(Double.self, forKey: .authTime).map { Date(timeIntervalSince1970: $0) }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(iss, forKey: .iss)
        try container.encode(sub, forKey: .sub)
        try container.encode(aud, forKey: .aud)
        try container.encode(exp, forKey: .exp)
        try container.encode(iat, forKey: .iat)
        try container.encodeIfPresent(nonce, forKey: .nonce)
        try container.encodeIfPresent(acr, forKey: .acr)
        try container.encodeIfPresent(authTime?.timeIntervalSince1970, forKey: .authTime)
    }

    /// The time claims are checked by `RelyingParty.check`, with the stated clock skew.
    func verify(using algorithm: some JWTAlgorithm) async throws {}
}

/// Only to read a token's header before its signature is checked (the payload is not used).
struct UnverifiedClaims: JWTPayload {
    init(from decoder: any Decoder) throws {}
    func encode(to encoder: any Encoder) throws {}
    func verify(using algorithm: some JWTAlgorithm) async throws {}
}

/// What userinfo says: the subject and FranceConnect's identité pivot.
struct UserInfoClaims: JWTPayload {
    let sub: String
    let givenName: String?
    let familyName: String?
    let birthdate: String?
    let gender: String?
    let birthplace: String?
    let birthcountry: String?

    enum CodingKeys: String, CodingKey {
        case sub, birthdate, gender, birthplace, birthcountry
        case givenName = "given_name"
        case familyName = "family_name"
    }

    func verify(using algorithm: some JWTAlgorithm) async throws {}

    func pivotIdentity() throws(OIDCError) -> PivotIdentity {
        guard let givenName, !givenName.isEmpty else { throw .missingClaim("given_name") }
        guard let familyName, !familyName.isEmpty else { throw .missingClaim("family_name") }
        guard let birthdate, let date = try? CivilDate(parsing: birthdate) else { throw .missingClaim("birthdate") }
        let sex: NIR.Sex
        switch gender {
        case "male": sex = .male
        case "female": sex = .female
        default: throw .missingClaim("gender")
        }
        guard let birthcountry, birthcountry.utf8.count == 5 else { throw .missingClaim("birthcountry") }
        let place = birthplace.flatMap { $0.isEmpty ? nil : $0 }
        if birthcountry == PivotIdentity.franceCountryCode && place == nil { throw .missingClaim("birthplace") }
        return PivotIdentity(
            givenNames: givenName, familyName: familyName, birthDate: date, sex: sex, birthplace: place,
            birthcountry: birthcountry)
    }
}
