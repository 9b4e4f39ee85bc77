import Foundation
import ReleveDomain

/// What the operator's commands and the web's maintenance page read, through the service.
extension AccountService {
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
