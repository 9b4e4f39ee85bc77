import Crypto
import Foundation
import ReleveDomain
import ReleveOIDC
import ReleveService
import ReleveStore

/// A ready account world for service tests: an in-memory store holding the fixture assurés,
/// a cheap KDF (the production cost is only a parameter), a temporary e-mail spool, and a
/// clock the test moves.
public final class AccountWorld: @unchecked Sendable {
    public let store: SQLiteStore
    /// Every service, built by the composition root as the CLI and the web build theirs.
    public let services: ReleveServices
    public let service: AccountService
    public let directory: URL
    public let spool: URL
    public let archive: URL
    public var now: Date

    /// Jean Martin (Paris, 1970-12-03, 75012) and an MSA member.
    public static let nir = "1701275112034"
    public static let goodCode = "39451827"

    public init(
        policy: AccessPolicy = .standard, rounds: Int = 2, store: SQLiteStore? = nil, federation: ProviderSettings? = nil
    ) async throws {
        if let store { self.store = store } else { self.store = try await SQLiteStore.inMemory() }
        directory = Fixtures.temporaryDirectory()
        spool = directory.appendingPathComponent("courriels")
        archive = directory.appendingPathComponent("archives")
        try FileManager.default.createDirectory(
            at: spool, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        now = Date(timeIntervalSince1970: 1_795_000_000)  // 2026-11-27
        var settings = ReleveSettings(
            database: .engine(self.store), pepper: .key(SymmetricKey(size: .bits256)), mail: .spool(directory: spool.path),
            archive: archive.path, printBatches: directory.appendingPathComponent("lots").path,
            insurerExports: directory.appendingPathComponent("exports").path, publicURL: "https://releve.test",
            policy: policy)
        settings.kdfRounds = rounds
        settings.federation = federation
        services = try await ReleveServices.build(settings)
        service = services.accounts
        let msa = try InsuredPerson(
            nir: NIR(parsing: "1480599999356"), lastName: "Duval", firstNames: "Pierre",
            birthDate: CivilDate(parsing: "1948-05-30"),
            address: PostalAddress(lines: ["2 chemin des Prés"], postalCode: "59000", city: "Lille"), regime: .msa,
            caisse: Caisse(code: "591", name: "MSA Nord"), doctor: nil, longTermCondition: false,
            beneficiaries: [
                Beneficiary(rank: 1, firstName: "Pierre", birthDate: CivilDate(parsing: "1948-05-30"), complementaire: nil)
            ])
        _ = try await self.store.importFile(
            ImportLedgerEntry(sha256: "fixtures", fileName: "fixtures", importedAt: "2026-11-27T00:00:00Z")
        ) {
            session in
            _ = try await session.upsert(Fixtures.person())
            _ = try await session.upsert(msa)
        }
    }

    deinit {
        try? FileManager.default.removeItem(at: directory)
    }

    public func advance(seconds: Double) {
        now = now.addingTimeInterval(seconds)
    }

    /// Orders a provisional code for Jean Martin (or the assuré given) and reads it from the
    /// pending letter, as the print shop would.
    public func orderCode(
        nir: String = AccountWorld.nir, lastName: String = "Martin", birthDate: String = "03/12/1970",
        postalCode: String = "75012"
    ) async throws -> String {
        _ = try await service.requestProvisionalCode(
            nir: nir, lastName: lastName, birthDate: birthDate, postalCode: postalCode, channel: .cli, now: now)
        let letter = try await store.letters().last { $0.kind == .provisionalCode }
        guard let letter, let range = letter.body.range(of: "Votre code provisoire : ") else { throw WorldError.noLetter }
        return String(letter.body[range.upperBound...].prefix(9)).replacingOccurrences(of: " ", with: "")
    }

    public func openingRequest(
        code: String, personal: String = AccountWorld.goodCode, accepted: Bool = true, answer: String = "Dupont",
        email: String = "jean.martin@exemple.fr"
    ) -> AccountService.OpeningRequest {
        AccountService.OpeningRequest(
            nir: Self.nir, provisionalCode: code, acceptedTerms: accepted, personalCode: personal,
            personalCodeConfirmation: personal,
            question: 1, answer: answer, answerConfirmation: answer, email: email)
    }

    /// A confirmed account for Jean Martin with `goodCode`.
    @discardableResult
    public func openAccount() async throws -> AccountService.OpeningResult {
        let code = try await orderCode()
        let result = try await service.openAccount(openingRequest(code: code), channel: .cli, now: now)
        _ = try await service.confirmEmail(linkOrToken: try lastLink(), channel: .cli, now: now)
        return result
    }

    /// Jean Martin logged in (his account open), as the services see him.
    public func user() async throws -> AccountService.Authenticated {
        let session = try await service.login(nir: Self.nir, code: Self.goodCode, channel: .cli, now: now)
        return try await service.authenticate(token: session.token, now: now)
    }

    /// The messages in the spool, oldest first.
    public func mails() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: spool.path).sorted().map {
            String(decoding: try Data(contentsOf: spool.appendingPathComponent($0)), as: UTF8.self)
        }
    }

    public func lastLink() throws -> String {
        guard let mail = try mails().last(where: { $0.contains("jeton=") }),
            let line = mail.split(separator: "\r\n").first(where: { $0.contains("jeton=") })
        else { throw WorldError.noLink }
        return String(line)
    }

    public enum WorldError: Error {
        case noLetter, noLink
    }
}
