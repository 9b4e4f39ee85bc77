import Foundation
import ReleveDomain
import ReleveService
import ReleveTestSupport
import Testing

/// Every sentence that states a rule is computed from the rule: change a value of the access
/// policy or of the tariff table and messages, letters, e-mails and statements follow.
@Suite("Policy wording")
struct PolicyWordingTests {
    static let unusual = try! AccessPolicy(
        sessionIdleSeconds: 20 * 60, sessionAbsoluteSeconds: 8 * 3600, provisionalCodeDays: 10, provisionalRequestsPerDay: 2,
        emailTokenSeconds: 48 * 3600)

    @Test("an unusual access policy: the answer, the letter, the e-mails and the refusals state its values")
    func accessPolicyFollows() async throws {
        let world = try await AccountWorld(policy: Self.unusual)
        let answer = try await world.service.requestProvisionalCode(
            nir: AccountWorld.nir, lastName: "Martin", birthDate: "03/12/1970", postalCode: "75012", channel: .cli, now: world.now
        )
        #expect(answer.message(world.service.policy).contains("valable 10 jours"))
        let letter = try #require(try await world.store.letters().last)
        #expect(letter.body.contains("Il est valable 10 jours") && !letter.body.contains("15 jours"))

        _ = try await world.service.requestProvisionalCode(
            nir: AccountWorld.nir, lastName: "Martin", birthDate: "03/12/1970", postalCode: "75012", channel: .cli, now: world.now
        )
        await expectError({ error in
            error.message.contains("2 demandes par jour au plus") && error.message.contains("10 jours")
        }) {
            _ = try await world.service.requestProvisionalCode(
                nir: AccountWorld.nir, lastName: "Martin", birthDate: "03/12/1970", postalCode: "75012", channel: .cli,
                now: world.now)
        }
        await expectError({ error in
            if case .provisionalCodeRejected = error { error.message.contains("valable 10 jours") } else { false }
        }) {
            _ = try await world.service.checkProvisionalCode(
                nir: AccountWorld.nir, code: "00000000", channel: .cli, now: world.now)
        }

        world.advance(seconds: 86_401)
        let code = try await world.orderCode()
        _ = try await world.service.openAccount(world.openingRequest(code: code), channel: .cli, now: world.now)
        let opening = try #require(try world.mails().last)
        #expect(opening.contains("dans les 2 jours") && !opening.contains("24 heures"))

        let session = try await world.service.login(
            nir: AccountWorld.nir, code: AccountWorld.goodCode, channel: .cli, now: world.now)
        world.advance(seconds: 21 * 60)
        await expectError({ error in
            if case .notAuthenticated(.expired) = error {
                error.message.contains("20 minutes sans activité, ou 8 heures au plus")
            } else {
                false
            }
        }) {
            _ = try await world.service.authenticate(token: session.token, now: world.now)
        }
    }

    @Test("the statement's note on deductions states the amounts in force in its month")
    func tariffFollowsTheMonth() throws {
        let table = TariffTable.standard
        let october = table.deductionsNote(for: try Month(parsing: "2026-10"))
        #expect(october.contains("2\u{00A0}€ par consultation depuis le 15 mai 2024"))
        #expect(october.contains("1\u{00A0}€ par boîte de médicaments ou acte paramédical depuis le 31 mars 2024"))
        #expect(october.contains("50\u{00A0}€ par an au plus"))
        let early2024 = table.deductionsNote(for: try Month(parsing: "2024-02"))
        #expect(early2024.contains("1\u{00A0}€ par consultation depuis le 1er janvier 2005"))
        #expect(early2024.contains("0,50\u{00A0}€ par boîte"))

        let changed = TariffTable(
            tariffs: table.tariffs,
            flatParticipation: table.flatParticipation + [
                DatedAmount(effective: Fixtures.date("2026-09-01"), amount: Cents(euros: 3))
            ], franchisePerUnit: table.franchisePerUnit)
        let document = StatementBuilder.document(
            person: Fixtures.person(), month: try Month(parsing: "2026-10"), payments: [Fixtures.consultation()],
            history: [], reference: "REL-T", issuedOn: Fixtures.date("2026-11-01"), tariffs: changed)
        #expect(document.explanation.contains("3\u{00A0}€ par consultation depuis le 1er septembre 2026"))
        #expect(table.outsidePathwayRates(on: Fixtures.date("2026-10-01")) == "30\u{00A0}% au lieu de 70\u{00A0}%")
    }
}

@Suite("Messages for pages")
struct WebMessageTests {
    @Test("the web's messages carry no command-line hint; the CLI's keep theirs")
    func noCommandLineOnPages() {
        let errors: [ServiceError] = [
            .provisionalCodeRejected(validity: "15 jours"), .accountClosed, .locked(.untilRecovery),
            .notAuthenticated(.none), .notAuthenticated(.expired(limits: "15 minutes")), .notAuthenticated(.revoked),
        ]
        for error in errors {
            #expect(error.message.contains("releve "), "\(error)")
            #expect(!error.webMessage.contains("releve "), "\(error.webMessage)")
            #expect(error.webMessage.hasSuffix("."), "\(error.webMessage)")
        }
        #expect(ServiceError.notAuthenticated(.none).webMessage == "Aucune session ouverte. Connectez-vous.")
    }
}

@Suite("System errors in French")
struct SystemErrorTests {
    @Test("errno and Foundation's file errors become French reasons, with the path when known")
    func systemErrorsAreFrench() throws {
        #expect(ServiceError.wrap(POSIXError(.ENOENT)).debugDescription.contains("fichier ou dossier introuvable"))
        #expect(ServiceError.wrap(POSIXError(.EROFS)).debugDescription.contains("lecture seule"))
        do {
            _ = try Data(contentsOf: URL(fileURLWithPath: "/nexiste/pas.txt"))
            Issue.record("the file should not exist")
        } catch {
            let wrapped = ServiceError.wrap(error)
            #expect(wrapped.debugDescription.contains("introuvable"), "\(wrapped.debugDescription)")
            #expect(wrapped.debugDescription.contains("/nexiste/pas.txt"))
            #expect(!wrapped.debugDescription.contains("No such file"))
        }
        #expect(ServiceError.internal("x").message.contains("transmettez-le à l'exploitant"))
    }
}
