import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import ReleveTestSupport
import Testing

@testable import ReleveWeb

/// The insurers' API over HTTP, as `curl` would use it: a token by client credentials (HTTP
/// Basic), the feed, an acknowledgement, another insurer's cursor, a bad token, a flood.
@Suite("Web: the insurers' API")
struct InsurerWebTests {
    static func basic(_ id: String, _ secret: String) -> String {
        "Basic " + Data("\(id):\(secret)".utf8).base64EncodedString()
    }

    static func json(_ response: TestResponse) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
    }

    @Test("token, lines, acknowledgement, replay; foreign cursor 404; bad token 401; bad secrets flood 429")
    func feed() async throws {
        let world = try await WebTests.World()
        let (client, secret) = try await world.accounts.services.insurerAPI.createClient(
            insurer: "MUT0751", name: "Mutuelle des Services Publics", now: world.accounts.now)
        try await world.test { http in
            let form: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
            var headers = form
            headers[.authorization] = Self.basic(client.clientID, secret)
            let granted = try await http.execute(
                uri: "/api/v1/oauth/token", method: .post, headers: headers,
                body: ByteBuffer(string: "grant_type=client_credentials"))
            #expect(granted.status == .ok && granted.headers[.cacheControl] == "no-store")
            let token = try #require(try Self.json(granted)["access_token"] as? String)
            #expect(try Self.json(granted)["token_type"] as? String == "Bearer")

            let bearer: HTTPFields = [.authorization: "Bearer \(token)"]
            let page = try await http.execute(uri: "/api/v1/complementaires/lignes?limite=10", method: .get, headers: bearer)
            #expect(page.status == .ok)
            let body = try Self.json(page)
            let lines = try #require(body["lignes"] as? [[String: Any]])
            #expect(lines.map { $0["paiement"] as? String } == ["751-W-1"], "Jean's line; Duval (MSA) never")
            #expect(lines.first?["releve"] as? String != nil, "the statement it appears in")
            let cursor = try #require(body["curseur"] as? String)

            var ack = bearer
            ack[.contentType] = "application/json"
            let acknowledged = try await http.execute(
                uri: "/api/v1/complementaires/acquittements", method: .post, headers: ack,
                body: ByteBuffer(string: #"{"curseur":"\#(cursor)"}"#))
            let new = try Self.json(acknowledged)["nouveau"] as? Bool
            #expect(new == true)
            let replay = try await http.execute(
                uri: "/api/v1/complementaires/acquittements", method: .post, headers: ack,
                body: ByteBuffer(string: #"{"curseur":"\#(cursor)"}"#))
            let replayed = try Self.json(replay)["nouveau"] as? Bool
            #expect(replay.status == .ok && replayed == false)
            let empty = try await http.execute(uri: "/api/v1/complementaires/lignes", method: .get, headers: bearer)
            let none = try Self.json(empty)["lignes"] as? [Any]
            #expect(none?.isEmpty == true)

            let foreign = Data("MUT2001:0".utf8).base64EncodedString().replacingOccurrences(of: "=", with: "")
            let refused = try await http.execute(
                uri: "/api/v1/complementaires/lignes?depuis=\(foreign)", method: .get, headers: bearer)
            #expect(refused.status == .notFound)
            let forged = try await http.execute(
                uri: "/api/v1/complementaires/lignes", method: .get,
                headers: [.authorization: "Bearer \(String(repeating: "A", count: 43))"])
            #expect(forged.status == .unauthorized && forged.headers[.wwwAuthenticate] != nil)
            #expect(String(buffer: forged.body).contains("oauth/token"))
            // An assuré's session token is not an insurer token.
            let session = try await world.accounts.service.login(
                nir: AccountWorld.nir, code: AccountWorld.goodCode, channel: .api, now: world.accounts.now)
            let assure = try await http.execute(
                uri: "/api/v1/complementaires/lignes", method: .get, headers: [.authorization: "Bearer \(session.token)"])
            #expect(assure.status == .unauthorized)

            var statuses: [HTTPResponse.Status] = []
            for _ in 0..<31 {
                var wrong = form
                wrong[.authorization] = Self.basic(client.clientID, "faux")
                statuses.append(
                    try await http.execute(
                        uri: "/api/v1/oauth/token", method: .post, headers: wrong,
                        body: ByteBuffer(string: "grant_type=client_credentials")
                    ).status)
            }
            #expect(statuses.prefix(29).allSatisfy { $0 == .unauthorized } && statuses.last == .tooManyRequests)
        }
        let audit = try await world.accounts.store.auditEvents(limit: 500)
        #expect(audit.contains { $0.kind == "authz_fail" && $0.outcome == "foreign_cursor" })
        #expect(audit.contains { $0.kind == "insurer_ack" })
    }
}
