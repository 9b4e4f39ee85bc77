import Foundation
import ReleveDomain
import ReleveStore
import ReleveTestSupport
import Testing

@testable import ReleveService

/// Expects `body` to throw a `ServiceError` matching `expected`.
func expectError(
    _ expected: (ServiceError) -> Bool, sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> Void
) async {
    do {
        try await body()
        Issue.record("no error", sourceLocation: sourceLocation)
    } catch let error as ServiceError {
        #expect(expected(error), "\(error)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("unexpected \(error)", sourceLocation: sourceLocation)
    }
}

/// The account journey and its rules, with an injected clock and a cheap KDF.
@Suite("Accounts")
struct AccountServiceTests {
    // MARK: Provisional code

    @Test("ordering a code: the same answer whether the details match or not; a letter only on a match")
    func provisionalCodeAnswers() async throws {
        let world = try await AccountWorld()
        let service = world.service
        let matched = try await service.requestProvisionalCode(
            nir: AccountWorld.nir, lastName: "MARTIN", birthDate: "03/12/1970", postalCode: "75012", channel: .cli, now: world.now
        )
        let wrongName = try await service.requestProvisionalCode(
            nir: AccountWorld.nir, lastName: "Durand", birthDate: "03/12/1970", postalCode: "75012", channel: .cli, now: world.now
        )
        let unknown = try await service.requestProvisionalCode(
            nir: "285032A004117", lastName: "Santoni", birthDate: "17/03/1985", postalCode: "20000", channel: .cli, now: world.now
        )
        #expect(matched == .requested && wrongName == .requested && unknown == .requested)
        let letters = try await world.store.letters()
        #expect(letters.count == 1)
        #expect(letters[0].recipient == "M. Jean MARTIN\n12 rue de Charenton\n75012 PARIS")
        let code = try await world.orderCode()
        #expect(code.count == 8 && code.allSatisfy(\.isASCII))
        #expect(code.allSatisfy { $0.isNumber })
    }

    @Test("another régime is told whom to contact; no letter")
    func otherRegime() async throws {
        let world = try await AccountWorld()
        let answer = try await world.service.requestProvisionalCode(
            nir: "1480599999356", lastName: "Duval", birthDate: "30/05/1948", postalCode: "59000", channel: .cli, now: world.now)
        guard case .otherRegime(_, let contact) = answer else {
            Issue.record("\(answer)")
            return
        }
        #expect(contact.contains("MSA"))
        #expect(try await world.store.letters().isEmpty)
    }

    @Test("a few requests per NIR per day, matched or not")
    func rateLimit() async throws {
        let world = try await AccountWorld()
        for _ in 0..<3 { _ = try await world.orderCode() }
        await expectError({ if case .rateLimited = $0 { true } else { false } }) { _ = try await world.orderCode() }
        world.advance(seconds: 86_401)
        _ = try await world.orderCode()
    }

    // MARK: Opening

    @Test("the whole journey: code by post, opening, e-mail confirmation, login, logout")
    func journey() async throws {
        let world = try await AccountWorld()
        let result = try await world.openAccount()
        #expect(result.kind == .new)
        let session = try await world.service.login(
            nir: AccountWorld.nir, code: AccountWorld.goodCode, channel: .cli, now: world.now)
        let user = try await world.service.authenticate(token: session.token, now: world.now)
        #expect(user.account.emailConfirmed)
        #expect(user.person.person.lastName == "Martin")
        try await world.service.logout(token: session.token, channel: .cli, now: world.now)
        await expectError({ if case .notAuthenticated(.revoked) = $0 { true } else { false } }) {
            _ = try await world.service.authenticate(token: session.token, now: world.now)
        }
    }

    @Test("refusing the terms creates nothing and keeps the provisional code usable")
    func termsRefused() async throws {
        let world = try await AccountWorld()
        let code = try await world.orderCode()
        await expectError({ if case .termsRefused = $0 { true } else { false } }) {
            _ = try await world.service.openAccount(
                world.openingRequest(code: code, accepted: false), channel: .cli, now: world.now)
        }
        #expect(try await world.store.accountContext(nir: Fixtures.nir(AccountWorld.nir))?.account == nil)
        _ = try await world.service.openAccount(world.openingRequest(code: code), channel: .cli, now: world.now)
    }

    @Test("a provisional code is valid 15 days: refused at 15 days + 1 s")
    func provisionalExpiry() async throws {
        let world = try await AccountWorld()
        let code = try await world.orderCode()
        world.advance(seconds: 15 * 86_400 + 1)
        await expectError({ if case .provisionalCodeRejected = $0 { true } else { false } }) {
            _ = try await world.service.openAccount(world.openingRequest(code: code), channel: .cli, now: world.now)
        }
        let fresh = try await AccountWorld()
        let freshCode = try await fresh.orderCode()
        fresh.advance(seconds: 15 * 86_400 - 1)
        _ = try await fresh.service.openAccount(fresh.openingRequest(code: freshCode), channel: .cli, now: fresh.now)
    }

    @Test("a provisional code serves once, and at most 5 wrong tries")
    func provisionalSingleUse() async throws {
        let world = try await AccountWorld()
        let code = try await world.orderCode()
        _ = try await world.service.openAccount(world.openingRequest(code: code), channel: .cli, now: world.now)
        await expectError({ if case .provisionalCodeRejected = $0 { true } else { false } }) {
            _ = try await world.service.openAccount(
                world.openingRequest(code: code, personal: "84061539"), channel: .cli, now: world.now)
        }
        let other = try await AccountWorld()
        let good = try await other.orderCode()
        let wrong = good == "12345670" ? "12345671" : "12345670"
        for _ in 0..<5 {
            await expectError({ if case .provisionalCodeRejected = $0 { true } else { false } }) {
                _ = try await other.service.checkProvisionalCode(
                    nir: AccountWorld.nir, code: wrong, channel: .cli, now: other.now)
            }
        }
        await expectError({ if case .provisionalCodeRejected = $0 { true } else { false } }) {
            _ = try await other.service.checkProvisionalCode(nir: AccountWorld.nir, code: good, channel: .cli, now: other.now)
        }
    }

    @Test("bad personal codes and confirmations are refused before the provisional code is spent")
    func badOpeningValues() async throws {
        let world = try await AccountWorld()
        let code = try await world.orderCode()
        for bad in ["1234567", "12345678", "03121970", "11111111", "١٢٣٤٥٦٧٨", String(repeating: "9", count: 10_000), code] {
            await expectError({ if case .invalidValue = $0 { true } else { false } }) {
                _ = try await world.service.openAccount(
                    world.openingRequest(code: code, personal: bad), channel: .cli, now: world.now)
            }
        }
        var mismatch = world.openingRequest(code: code)
        mismatch.personalCodeConfirmation = "39451828"
        await expectError({ if case .invalidValue = $0 { true } else { false } }) {
            _ = try await world.service.openAccount(mismatch, channel: .cli, now: world.now)
        }
        // Nothing was spent: the code still opens the account.
        _ = try await world.service.openAccount(world.openingRequest(code: code), channel: .cli, now: world.now)
    }

    // MARK: E-mail

    @Test("the e-mail link is single use, valid 24 h, and a forged one is refused")
    func emailLinks() async throws {
        let world = try await AccountWorld()
        let code = try await world.orderCode()
        _ = try await world.service.openAccount(world.openingRequest(code: code), channel: .cli, now: world.now)
        let link = try world.lastLink()
        #expect(link.hasPrefix("https://releve.test/compte/email/confirmer?jeton="))
        await expectError({ if case .emailLinkRejected = $0 { true } else { false } }) {
            _ = try await world.service.confirmEmail(linkOrToken: link.dropLast(3) + "AAA", channel: .cli, now: world.now)
        }
        world.advance(seconds: 24 * 3600 + 1)
        await expectError({ if case .emailLinkRejected(let text) = $0 { text.contains("expiré") } else { false } }) {
            _ = try await world.service.confirmEmail(linkOrToken: link, channel: .cli, now: world.now)
        }
        let other = try await AccountWorld()
        let code2 = try await other.orderCode()
        _ = try await other.service.openAccount(other.openingRequest(code: code2), channel: .cli, now: other.now)
        _ = try await other.service.confirmEmail(linkOrToken: try other.lastLink(), channel: .cli, now: other.now)
        // A second click is no mistake: it says the address is confirmed.
        let again = try await other.service.confirmEmail(linkOrToken: try other.lastLink(), channel: .cli, now: other.now)
        #expect(again.contains("déjà servi") && again.contains("confirmée"))
    }

    // MARK: Login and lockout

    @Test("an unknown NIR gets exactly the wrong code's answer, lockout included")
    func enumeration() async throws {
        let world = try await AccountWorld()
        try await world.openAccount()
        var known: [String] = []
        var unknown: [String] = []
        for _ in 0..<4 {
            for (nir, sink) in [(AccountWorld.nir, 0), ("2880999109042", 1)] {
                do {
                    _ = try await world.service.login(nir: nir, code: "84061539", channel: .cli, now: world.now)
                } catch let error as ServiceError {
                    if sink == 0 {
                        known.append("\(error.exitCode) \(error.message)")
                    } else {
                        unknown.append("\(error.exitCode) \(error.message)")
                    }
                }
            }
        }
        #expect(known == unknown)
        #expect(known.last?.contains("bloqué") == true)
    }

    /// SECURITY.md goal 4: 1 000 attempts, one a second: ≤ 10 evaluated guesses in any hour, and
    /// a hard lock before 20.
    @Test("1 000 attempts evaluate at most 10 guesses an hour, then lock until recovery")
    func throttle() async throws {
        let world = try await AccountWorld()
        try await world.openAccount()
        var evaluated: [Date] = []
        var hardLocked = false
        for _ in 0..<1000 {
            do {
                _ = try await world.service.login(nir: AccountWorld.nir, code: "84061539", channel: .cli, now: world.now)
            } catch ServiceError.authenticationFailed(let lock) {
                evaluated.append(world.now)
                if lock == .untilRecovery { hardLocked = true }
            } catch ServiceError.locked(let lock) {
                if lock == .untilRecovery { hardLocked = true }
            }
            world.advance(seconds: 30)
        }
        #expect(hardLocked)
        #expect(evaluated.count <= 20)
        for start in evaluated {
            #expect(evaluated.filter { $0 >= start && $0 < start.addingTimeInterval(3600) }.count <= 10)
        }
        // Even the right code is refused now; a new provisional code unlocks.
        await expectError({ if case .locked(.untilRecovery) = $0 { true } else { false } }) {
            _ = try await world.service.login(nir: AccountWorld.nir, code: AccountWorld.goodCode, channel: .cli, now: world.now)
        }
        let code = try await world.orderCode()
        let result = try await world.service.openAccount(
            world.openingRequest(code: code, personal: "84061539"), channel: .cli, now: world.now)
        #expect(result.kind == .recovery)
        _ = try await world.service.login(nir: AccountWorld.nir, code: "84061539", channel: .cli, now: world.now)
    }

    @Test("a temporary lock ends after its delay; a success clears the count")
    func temporaryLock() async throws {
        let world = try await AccountWorld()
        try await world.openAccount()
        for _ in 0..<3 {
            _ = try? await world.service.login(nir: AccountWorld.nir, code: "84061539", channel: .cli, now: world.now)
        }
        await expectError({ if case .locked(.temporary) = $0 { true } else { false } }) {
            _ = try await world.service.login(nir: AccountWorld.nir, code: AccountWorld.goodCode, channel: .cli, now: world.now)
        }
        world.advance(seconds: 61)
        _ = try await world.service.login(nir: AccountWorld.nir, code: AccountWorld.goodCode, channel: .cli, now: world.now)
        #expect(try await world.store.loginFailures(nir: Fixtures.nir(AccountWorld.nir)) == nil)
    }

    @Test("ordering a provisional code does not lock anyone out: the old code works until the new one is used")
    func oldCodeKeepsWorking() async throws {
        let world = try await AccountWorld()
        try await world.openAccount()
        let code = try await world.orderCode()
        _ = try await world.service.login(nir: AccountWorld.nir, code: AccountWorld.goodCode, channel: .cli, now: world.now)
        // Recovery needs the secret answer as well: the postal code alone is not enough.
        await expectError({ if case .secretAnswerMismatch = $0 { true } else { false } }) {
            _ = try await world.service.openAccount(
                world.openingRequest(code: code, personal: "84061539", answer: "Durand"), channel: .cli, now: world.now)
        }
        let mailsBefore = try world.mails().count
        _ = try await world.service.openAccount(
            world.openingRequest(code: code, personal: "84061539"), channel: .cli, now: world.now)
        // Exactly one notification for the recovery (SECURITY.md goal 26).
        #expect(try world.mails().count == mailsBefore + 1)
        await expectError({ if case .authenticationFailed = $0 { true } else { false } }) {
            _ = try await world.service.login(nir: AccountWorld.nir, code: AccountWorld.goodCode, channel: .cli, now: world.now)
        }
    }

    // MARK: Sessions

    @Test("sessions: idle 15 min, absolute 12 h, a forged token, a new token at login")
    func sessions() async throws {
        let world = try await AccountWorld()
        try await world.openAccount()
        let first = try await world.service.login(
            nir: AccountWorld.nir, code: AccountWorld.goodCode, channel: .cli, now: world.now)
        let second = try await world.service.login(
            nir: AccountWorld.nir, code: AccountWorld.goodCode, channel: .cli, now: world.now)
        #expect(first.token != second.token)
        #expect(first.token.utf8.count == 43)
        world.advance(seconds: 15 * 60 + 1)
        await expectError({ if case .notAuthenticated(.expired) = $0 { true } else { false } }) {
            _ = try await world.service.authenticate(token: first.token, now: world.now)
        }
        // Activity every 14 minutes keeps a session alive, but never beyond 12 hours.
        let kept = try await world.service.login(
            nir: AccountWorld.nir, code: AccountWorld.goodCode, channel: .cli, now: world.now)
        for _ in 0..<51 {
            world.advance(seconds: 14 * 60)
            _ = try await world.service.authenticate(token: kept.token, now: world.now)
        }
        world.advance(seconds: 14 * 60)
        await expectError({ if case .notAuthenticated(.expired) = $0 { true } else { false } }) {
            _ = try await world.service.authenticate(token: kept.token, now: world.now)
        }
        for forged in [nil, "", "abc", String(repeating: "A", count: 43), String(repeating: "é", count: 43)] {
            await expectError({ if case .notAuthenticated = $0 { true } else { false } }) {
                _ = try await world.service.authenticate(token: forged, now: world.now)
            }
        }
    }

    @Test("changing the code asks the current one, closes every session, returns a new one and notifies once")
    func codeChange() async throws {
        let world = try await AccountWorld()
        try await world.openAccount()
        let mailsBefore = try world.mails().count
        let session = try await world.service.login(
            nir: AccountWorld.nir, code: AccountWorld.goodCode, channel: .cli, now: world.now)
        let other = try await world.service.login(
            nir: AccountWorld.nir, code: AccountWorld.goodCode, channel: .cli, now: world.now)
        await expectError({ if case .wrongCurrentCode = $0 { true } else { false } }) {
            _ = try await world.service.changeCode(
                token: session.token, current: "84061539", new: "59283710", confirmation: "59283710", channel: .cli,
                now: world.now)
        }
        let renewed = try await world.service.changeCode(
            token: session.token, current: AccountWorld.goodCode, new: "59283710", confirmation: "59283710", channel: .cli,
            now: world.now)
        for old in [session.token, other.token] {
            await expectError({ if case .notAuthenticated(.revoked) = $0 { true } else { false } }) {
                _ = try await world.service.authenticate(token: old, now: world.now)
            }
        }
        _ = try await world.service.authenticate(token: renewed.token, now: world.now)
        #expect(try world.mails().count == mailsBefore + 1)
        #expect(try world.mails().last?.contains("=?UTF-8?B?") == true)
        _ = try await world.service.login(nir: AccountWorld.nir, code: "59283710", channel: .cli, now: world.now)
    }

    @Test("changing the e-mail asks the code, sends a link to the new address and a notice to the old one")
    func emailChange() async throws {
        let world = try await AccountWorld()
        try await world.openAccount()
        let session = try await world.service.login(
            nir: AccountWorld.nir, code: AccountWorld.goodCode, channel: .cli, now: world.now)
        let before = try world.mails().count
        _ = try await world.service.changeEmail(
            token: session.token, code: AccountWorld.goodCode, newEmail: "jean@nouveau.fr", channel: .cli, now: world.now)
        let mails = try world.mails()
        #expect(mails.count == before + 2)
        #expect(mails.contains { $0.contains("To: <jean@nouveau.fr>") && $0.contains("jeton=") })
        #expect(mails.contains { $0.contains("To: <jean.martin@exemple.fr>") && $0.contains("j•••@nouveau.fr") })
        let user = try await world.service.authenticate(token: session.token, now: world.now)
        #expect(user.account.email == "jean@nouveau.fr" && !user.account.emailConfirmed)
    }

    @Test("maintenance refuses every assuré operation with its message")
    func maintenance() async throws {
        let world = try await AccountWorld()
        try await world.openAccount()
        try await world.service.setMaintenance("Retour à 14 h.", now: world.now)
        await expectError({ if case .maintenance(let text) = $0 { text == "Retour à 14 h." } else { false } }) {
            _ = try await world.service.login(nir: AccountWorld.nir, code: AccountWorld.goodCode, channel: .cli, now: world.now)
        }
        await expectError({ $0.exitCode == 69 }) { _ = try await world.orderCode() }
        try await world.service.setMaintenance(nil, now: world.now)
        _ = try await world.service.login(nir: AccountWorld.nir, code: AccountWorld.goodCode, channel: .cli, now: world.now)
    }

    /// SECURITY.md goal 9, at the test KDF cost: the median time of "unknown NIR" and of
    /// "wrong code" differ by less than 5 ms.
    @Test("unknown NIR and wrong code take the same time")
    func timing() async throws {
        let world = try await AccountWorld(rounds: 2000)
        try await world.openAccount()
        var known: [Double] = []
        var unknown: [Double] = []
        var rng = SystemRandomNumberGenerator()
        for index in 0..<300 {
            // A success every other try keeps the known NIR below the lock threshold.
            if index % 2 == 0 {
                _ = try await world.service.login(
                    nir: AccountWorld.nir, code: AccountWorld.goodCode, channel: .cli, now: world.now)
            }
            let stranger = "2880999\(String(100_000 + Int.random(in: 0..<899_999, using: &rng)).suffix(6))"
            for (nir, isKnown) in [(AccountWorld.nir, true), (stranger, false)].shuffled() {
                let start = DispatchTime.now().uptimeNanoseconds
                _ = try? await world.service.login(nir: nir, code: "84061539", channel: .cli, now: world.now)
                let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
                if isKnown { known.append(elapsed) } else { unknown.append(elapsed) }
            }
        }
        func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
        let difference = abs(median(known) - median(unknown))
        #expect(difference < 5, "median known \(median(known)) ms, unknown \(median(unknown)) ms")
    }
}
