import Foundation
import ReleveDomain
import ReleveService
import ReleveTestSupport
import Testing

/// The insurers' pull feed: two insurers, secrets and tokens, pages and cursors, delivery until
/// acknowledged (a client that crashes before acknowledging gets the lines again), replayed
/// acknowledgements, another insurer's cursor, expired and revoked access, the shared
/// watermark with the file export.
@Suite("Insurer API")
struct InsurerAPITests {
    /// Jean Martin (MUT0751) and Paul Durand (MUT2001), three payments each.
    static func world() async throws -> AccountWorld {
        let world = try await AccountWorld()
        let base = Fixtures.person(nir: "1850575112034", birthDate: "1985-05-12", lastName: "Durand")
        let other = try InsuredPerson(
            nir: base.nir, lastName: "Durand", firstNames: "Paul", birthDate: base.birthDate, address: base.address,
            regime: .general, caisse: base.caisse, doctor: base.doctor, longTermCondition: false,
            beneficiaries: [
                try Beneficiary(
                    rank: 1, firstName: "Paul", birthDate: base.birthDate,
                    complementaire: Complementaire(code: "MUT2001", name: "Mutuelle Atlantique", noemieLinkActive: true))
            ])
        _ = try await world.store.importFile(ImportLedgerEntry(sha256: "i", fileName: "i", importedAt: "x")) { session in
            _ = try await session.upsert(other)
            for index in 1...3 {
                _ = try await session.insert(Fixtures.consultation(reference: "751-J-\(index)", paidOn: "2026-10-0\(index + 4)"))
                _ = try await session.insert(
                    Fixtures.consultation(reference: "751-P-\(index)", nir: "1850575112034", paidOn: "2026-10-0\(index + 4)"))
            }
        }
        return world
    }

    @Test("clients, tokens, pages, crash before the acknowledgement, replay, foreign cursor, expiry and revocation")
    func feed() async throws {
        let world = try await Self.world()
        let api = world.services.insurerAPI
        let now = world.now
        let (mutuelle, secret) = try await api.createClient(insurer: "MUT0751", name: "Mutuelle des Services Publics", now: now)
        let (atlantique, otherSecret) = try await api.createClient(insurer: "MUT2001", name: "Mutuelle Atlantique", now: now)
        await #expect(throws: ServiceError.self) { _ = try await api.createClient(insurer: "MUT9999", name: "x", now: now) }

        #expect(try await api.issueToken(clientID: mutuelle.clientID, secret: "faux", now: now) == nil)
        #expect(try await api.issueToken(clientID: "inconnu", secret: secret, now: now) == nil)
        let token = try #require(try await api.issueToken(clientID: mutuelle.clientID, secret: secret, now: now))
        let client = try #require(try await api.client(token: token, now: now))
        #expect(client.insurerCode == "MUT0751")
        #expect(try await api.client(token: token, now: now.addingTimeInterval(301)) == nil, "expired after 5 minutes")

        // Two pages of 2 and 1 payments: only Jean's transmitted lines (MUT0751), never Paul's.
        let first = try await api.lines(client, after: nil, limit: 2, now: now)
        #expect(first.lignes.allSatisfy { $0.paiement.hasPrefix("751-J-") })
        let second = try await api.lines(client, after: first.curseur, limit: 10, now: now)
        let delivered = (first.lignes + second.lignes).map(\.paiement)
        #expect(Set(delivered) == ["751-J-1", "751-J-2", "751-J-3"] && delivered.count == 3 && !second.suite)

        // The client "crashes" before acknowledging: starting over gives the same lines again.
        let again = try await api.lines(client, after: nil, limit: 10, now: now)
        #expect(again.lignes.map(\.paiement) == delivered)
        #expect(try await api.acknowledge(client, cursor: first.curseur, now: now))
        #expect(try await api.acknowledge(client, cursor: first.curseur, now: now) == false, "a replay changes nothing")
        let afterFirst = try await api.lines(client, after: nil, limit: 10, now: now)
        #expect(afterFirst.lignes.map(\.paiement) == second.lignes.map(\.paiement))
        #expect(try await api.acknowledge(client, cursor: second.curseur, now: now))
        #expect(try await api.lines(client, after: nil, limit: 10, now: now).lignes.isEmpty)
        // The file export shares the watermark: nothing left for MUT0751, Paul's lines for MUT2001.
        let exports = try await world.services.insurerExports.export(date: Fixtures.date("2026-11-18"), now: now)
        #expect(exports.first { $0.insurer.code == "MUT0751" }?.export.lines ?? 0 == 0)
        #expect((exports.first { $0.insurer.code == "MUT2001" }?.export.lines ?? 0) > 0)

        // Another insurer's cursor: refused as foreign, and audited.
        let otherToken = try #require(try await api.issueToken(clientID: atlantique.clientID, secret: otherSecret, now: now))
        let other = try #require(try await api.client(token: otherToken, now: now))
        await #expect(throws: InsurerAPIService.Failure.foreignCursor) {
            _ = try await api.lines(other, after: first.curseur, limit: 10, now: now)
        }
        await #expect(throws: InsurerAPIService.Failure.foreignCursor) {
            _ = try await api.acknowledge(other, cursor: first.curseur, now: now)
        }
        await #expect(throws: InsurerAPIService.Failure.badCursor) {
            _ = try await api.lines(other, after: "pas-un-curseur!", limit: 10, now: now)
        }
        let audit = try await world.store.auditEvents(limit: 100)
        #expect(audit.filter { $0.kind == "authz_fail" && $0.outcome == "foreign_cursor" }.count == 2)

        // A new secret ends the old one's tokens; revocation ends everything.
        let rotated = try #require(try await api.rotate(clientID: mutuelle.clientID, now: now))
        #expect(try await api.client(token: token, now: now) == nil)
        #expect(try await api.issueToken(clientID: mutuelle.clientID, secret: secret, now: now) == nil)
        let fresh = try #require(try await api.issueToken(clientID: mutuelle.clientID, secret: rotated, now: now))
        #expect(try await api.revoke(clientID: mutuelle.clientID, now: now))
        #expect(try await api.client(token: fresh, now: now) == nil)
        #expect(try await api.issueToken(clientID: mutuelle.clientID, secret: rotated, now: now) == nil)
        #expect(try await api.revoke(clientID: mutuelle.clientID, now: now) == false)
        #expect(!audit.contains { ($0.detail ?? "").contains(secret) })
    }
}
