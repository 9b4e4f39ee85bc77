import Crypto
import Foundation
import ReleveDomain
import ReleveStore

/// Complementary insurers' machine access: clients registered by the operator (a secret shown
/// once, stored hashed), OAuth 2.0 client-credentials tokens (5 minutes, hashed), and a pull
/// feed of the lines transmitted to that insurer only, in payment order with an opaque cursor,
/// delivered until acknowledged. An acknowledgement moves the same watermark as the file
/// export (`admin complementaires exporter`): a line acknowledged here is not exported again,
/// and a line already exported is not served again from the default start.
public struct InsurerAPIService: Sendable {
    let store: any Store

    public init(store: any Store) {
        self.store = store
    }

    /// How long an access token lives.
    public static let tokenSeconds = 300
    /// Payments per page at most.
    public static let maxPage = 1000

    public enum Failure: Error, Sendable, Equatable {
        /// A cursor made for another insurer (answered like a missing resource, and audited).
        case foreignCursor
        /// A cursor that is not one of ours, or beyond the feed.
        case badCursor
    }

    static func hash(_ secret: String) -> String { French.hex(SHA256.hash(data: Array(secret.utf8))) }

    // MARK: The operator's side

    /// Registers a client for the insurer `code` (one that has NOEMIE-linked members); returns
    /// it with its secret, shown this once.
    public func createClient(insurer code: String, name: String, now: Date) async throws -> (InsurerClient, secret: String) {
        let linked = try await store.linkedInsurers()
        guard linked.contains(where: { $0.code == code }) else {
            let known = linked.map(\.code).prefix(10).joined(separator: ", ")
            throw ServiceError.invalidValue(
                .invalid(
                    field: "organisme",
                    reason:
                        "« \(code.prefix(20)) » n'a aucun adhérent lié par NOEMIE\(known.isEmpty ? "" : " (organismes liés : \(known))")"
                ))
        }
        let cleanName = name.trimmingCharacters(in: .whitespaces)
        guard (1...120).contains(cleanName.count) else {
            throw ServiceError.invalidValue(.invalid(field: "nom", reason: "de 1 à 120 caractères"))
        }
        let at = Int64(now.timeIntervalSince1970)
        let client = InsurerClient(
            clientID: "amc-\(code.lowercased())-\(String(Token.generate().lowercased().filter(\.isHexDigit).prefix(8)))",
            insurerCode: code, name: cleanName, createdAt: at, rotatedAt: nil, revokedAt: nil)
        let secret = Token.generate()
        try await store.createInsurerClient(
            client, secretHash: Self.hash(secret),
            audit: AuditEvent(at: at, kind: "insurer_client", outcome: "created", channel: "cli", detail: client.clientID))
        return (client, secret)
    }

    public func clients() async throws -> [InsurerClient] { try await store.insurerClients() }

    /// A new secret (the old one and its tokens stop working); nil for an unknown or revoked client.
    public func rotate(clientID: String, now: Date) async throws -> String? {
        let secret = Token.generate()
        let at = Int64(now.timeIntervalSince1970)
        let done = try await store.rotateInsurerSecret(
            id: clientID, secretHash: Self.hash(secret), at: at,
            audit: AuditEvent(at: at, kind: "insurer_client", outcome: "rotated", channel: "cli", detail: clientID))
        return done ? secret : nil
    }

    public func revoke(clientID: String, now: Date) async throws -> Bool {
        let at = Int64(now.timeIntervalSince1970)
        return try await store.revokeInsurerClient(
            id: clientID, at: at,
            audit: AuditEvent(at: at, kind: "insurer_client", outcome: "revoked", channel: "cli", detail: clientID))
    }

    // MARK: Tokens

    /// An access token for a client that proves its secret; nil otherwise (unknown, revoked or
    /// wrong: one answer).
    public func issueToken(clientID: String, secret: String, now: Date) async throws -> String? {
        let found = try await store.insurerClient(id: String(clientID.prefix(100)))
        // Compared in constant time, against a dummy for an unknown client.
        let expected = SymmetricKey(data: Array((found?.secretHash ?? String(repeating: "0", count: 64)).utf8))
        let matches = expected == SymmetricKey(data: Array(Self.hash(secret).utf8))
        let at = Int64(now.timeIntervalSince1970)
        guard let found, matches, found.client.revokedAt == nil else {
            try await store.appendAudit(
                AuditEvent(at: at, kind: "insurer_token", outcome: "failure", channel: "api", detail: String(clientID.prefix(60)))
            )
            return nil
        }
        let token = Token.generate()
        try await store.storeInsurerToken(
            hash: French.hex(Token.hash(token)), clientID: found.client.clientID, expiresAt: at + Int64(Self.tokenSeconds))
        return token
    }

    public func client(token: String, now: Date) async throws -> InsurerClient? {
        guard Token.isWellFormed(token) else { return nil }
        return try await store.insurerClient(tokenHash: French.hex(Token.hash(token)), now: Int64(now.timeIntervalSince1970))
    }

    // MARK: The feed

    public struct FeedLine: Sendable, Encodable {
        public let paiement: String
        public let datePaiement: String
        public let nir: String
        public let beneficiaire: String
        public let dateSoins: String
        public let type: String
        public let code: String
        public let libelle: String
        public let quantite: Int
        public let montantPaye: Int64
        public let base: Int64
        public let tauxPb: Int
        public let rembourse: Int64
        /// The monthly statement the payment appears in, once issued.
        public let releve: String?
    }

    public struct Page: Sendable, Encodable {
        public let lignes: [FeedLine]
        /// Where this page ends: give it as `depuis` for the next page, or acknowledge it.
        public let curseur: String
        public let suite: Bool
    }

    static func cursor(_ code: String, _ id: Int64) -> String {
        Token.base64URL(Data("\(code):\(id)".utf8))
    }

    /// The insurer and payment id in a cursor of ours.
    static func decode(_ cursor: String) throws(Failure) -> (code: String, id: Int64) {
        var base64 = cursor.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard cursor.count <= 200, let data = Data(base64Encoded: base64), let text = String(data: data, encoding: .utf8),
            let colon = text.lastIndex(of: ":"), let id = Int64(text[text.index(after: colon)...]), id >= 0
        else { throw .badCursor }
        return (String(text[..<colon]), id)
    }

    /// A page of the client's lines after `cursor` (its watermark when nil).
    public func lines(_ client: InsurerClient, after cursor: String?, limit: Int, now: Date) async throws -> Page {
        let start: Int64
        if let cursor {
            let decoded = try Self.decode(cursor)
            guard decoded.code == client.insurerCode else {
                try await auditForeign(client, now: now)
                throw Failure.foreignCursor
            }
            start = decoded.id
        } else {
            start = try await store.lastExportedPaymentID(insurer: client.insurerCode)?.rawValue ?? 0
        }
        let limit = min(max(limit, 1), Self.maxPage)
        guard let through = try await store.lastPaymentID(), through.rawValue > start else {
            return Page(lignes: [], curseur: Self.cursor(client.insurerCode, start), suite: false)
        }
        let (lines, last) = try await store.exportLines(
            insurer: client.insurerCode, after: Payment.ID(start), through: through, limit: limit)
        let end = last?.rawValue ?? start
        return Page(
            lignes: lines.map { line in
                FeedLine(
                    paiement: line.paymentReference, datePaiement: line.paymentDate.description, nir: line.nir,
                    beneficiaire: line.beneficiaryFirstName, dateSoins: line.line.careDate.description,
                    type: line.line.kind.rawValue, code: line.line.actCode, libelle: line.line.label,
                    quantite: line.line.quantity, montantPaye: line.line.paid.rawValue, base: line.line.base.rawValue,
                    tauxPb: line.line.rate.basisPoints, rembourse: line.line.reimbursed.rawValue,
                    releve: line.statementReference)
            }, curseur: Self.cursor(client.insurerCode, end), suite: end < through.rawValue)
    }

    /// Acknowledges every line up to `cursor`; false when they already were (a replay).
    public func acknowledge(_ client: InsurerClient, cursor: String, now: Date) async throws -> Bool {
        let decoded = try Self.decode(cursor)
        guard decoded.code == client.insurerCode else {
            try await auditForeign(client, now: now)
            throw Failure.foreignCursor
        }
        guard decoded.id <= (try await store.lastPaymentID()?.rawValue ?? 0) else { throw Failure.badCursor }
        let at = Int64(now.timeIntervalSince1970)
        return try await store.acknowledge(
            insurer: client.insurerCode, clientID: client.clientID, through: Payment.ID(decoded.id), at: at,
            audit: AuditEvent(
                at: at, kind: "insurer_ack", outcome: "success", channel: "api", detail: "\(client.clientID) \(decoded.id)"))
    }

    func auditForeign(_ client: InsurerClient, now: Date) async throws {
        try await store.appendAudit(
            AuditEvent(
                at: Int64(now.timeIntervalSince1970), kind: "authz_fail", outcome: "foreign_cursor", channel: "api",
                detail: client.clientID))
    }
}
