import Crypto
import Foundation
import ReleveDomain

/// What the operator's commands and the web's maintenance page read, through the service.
extension AccountService {
    /// Counts one event of `key` (hashed: keys hold client addresses) against `limit` per
    /// `seconds`, shared by every process on the base; the event's id, nil when refused.
    public func reserveThrottle(_ key: String, limit: Int, seconds: Double, now: Date) async throws -> Int64? {
        try await store.reserveThrottle(
            key: Array(SHA256.hash(data: Data(key.utf8))), limit: limit, window: Int64(seconds * 1000),
            now: Int64(now.timeIntervalSince1970 * 1000))
    }

    /// Gives back an event `reserveThrottle` counted.
    public func releaseThrottle(id: Int64) async throws {
        try await store.releaseThrottle(id: id)
    }

    /// The operator's maintenance message, nil when the service runs.
    public func maintenanceMessage() async throws -> String? {
        try await store.maintenanceMessage()
    }

    /// The `limit` most recent audit events, in the order they happened (`releve admin audit`).
    public func auditTrail(limit: Int) async throws -> [AuditEvent] {
        guard limit >= 1 else { throw ServiceError.invalidValue(.invalid(field: "nombre", reason: "au moins 1")) }
        return try await store.auditEvents(limit: limit)
    }

    /// Demo only (`releve demo`): the whole opening journey for a fictitious assuré, the
    /// provisional code handed over in memory instead of read from the printed letter.
    /// Returns the assuré's full name.
    public func openDemoAccount(
        nir: String, lastName: String, birthDate: String, postalCode: String, personalCode: String, email: String, now: Date
    ) async throws -> String {
        let issued = try await issueProvisionalCode(
            nir: nir, lastName: lastName, birthDate: birthDate, postalCode: postalCode, channel: .operator, now: now)
        guard let code = issued.code?.digits else {
            throw ServiceError.internal("demo: no provisional code issued")
        }
        let check = try await checkProvisionalCode(nir: nir, code: code, channel: .operator, now: now)
        _ = try await openAccount(
            OpeningRequest(
                nir: nir, provisionalCode: code, acceptedTerms: true, personalCode: personalCode,
                personalCodeConfirmation: personalCode, question: 1, answer: "Démo", answerConfirmation: "Démo", email: email),
            channel: .operator, now: now)
        return check.fullName
    }
}
