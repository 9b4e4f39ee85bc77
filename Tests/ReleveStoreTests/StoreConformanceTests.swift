import Foundation
import ReleveDomain
import ReleveStore
import ReleveTestSupport
import Testing

/// The store interface's contract, written against `any Store` only: every engine listed in
/// `StoreEngine` runs every test here (a second engine adds its case and passes the same suite).
@Suite("Store conformance")
struct StoreConformanceTests {
    static let jean = Fixtures.nir("1701275112034")
    static let unknown = Fixtures.nir("2850375111042")
    static let t0: Int64 = 1_795_000_000  // 2026-11-27

    /// A store holding Jean Martin (two beneficiaries, NOEMIE-linked) and `payments`.
    static func given(_ engine: StoreEngine, payments: [Payment] = []) async throws -> (
        any Store, @Sendable () -> Void, InsuredPerson.ID
    ) {
        let (store, dispose) = try await engine.open()
        _ = try await store.importFile(ImportLedgerEntry(sha256: "registre", fileName: "registre.jsonl", importedAt: "x")) {
            session in
            _ = try await session.upsert(Fixtures.person())
            for payment in payments { _ = try await session.insert(payment) }
        }
        let person = try #require(try await store.person(nir: jean))
        return (store, dispose, person.id)
    }

    static func letter(_ kind: Letter.Kind = .provisionalCode) -> NewLetter {
        NewLetter(kind: kind, recipient: "M. Jean Martin\n12 rue de Charenton\n75012 Paris", body: "Madame, Monsieur,")
    }

    static func audit(_ kind: String, at: Int64 = t0) -> AuditEvent {
        AuditEvent(at: at, kind: kind, outcome: "success", subject: jean.masked, channel: "cli")
    }

    /// Jean with an account opened at `t0` (code hash "h1", answer hash "a1").
    static func openAccount(_ store: any Store, _ person: InsuredPerson.ID, email: String = "jean@exemple.fr") async throws
        -> AccountOpeningOutcome
    {
        try await store.recordProvisionalCodeRequest(
            nir: jean, at: t0, issue: (person, "pc-hash", t0 + 15 * 86_400, letter()), audit: audit("provisional_code_request"))
        let code = try #require(try await store.activeProvisionalCode(personID: person, now: t0))
        return try await store.openAccount(
            AccountOpening(
                nir: jean, personID: person, provisionalCodeID: code.id, codeHash: "h1", question: 1, answerHash: "a1",
                email: email, emailToken: (Array("jeton".utf8), t0 + 86_400), at: t0),
            audit: audit("account_opening"))
    }

    // MARK: Accounts and sessions

    @Test(
        "accounts: a provisional code opens one account, once, and its unprinted letter is withdrawn",
        arguments: StoreEngine.allCases)
    func opening(engine: StoreEngine) async throws {
        let (store, dispose, person) = try await Self.given(engine)
        defer { dispose() }
        #expect(try await store.accountContext(nir: Self.unknown) == nil)
        #expect(try await store.accountContext(nir: Self.jean)?.account == nil)

        #expect(try await Self.openAccount(store, person) == .opened)
        let code = try await store.activeProvisionalCode(personID: person, now: Self.t0)
        #expect(code == nil, "a spent code is no longer active")
        #expect(try await store.provisionalCodeRequests(nir: Self.jean, since: Self.t0) == 1)
        #expect(try await store.provisionalCodeRequests(nir: Self.jean, since: Self.t0 + 1) == 0)
        let account = try #require(try await store.accountContext(nir: Self.jean)?.account)
        #expect(account.status == .active && account.codeHash == "h1" && !account.emailConfirmed)
        #expect(try await store.accountPeriods(of: person).count == 1)
        #expect(try await store.letters(all: true).isEmpty, "the spent code's letter, not printed yet, is withdrawn")
    }

    @Test("accounts: a code spent by a concurrent opening is a typed outcome, not an error", arguments: StoreEngine.allCases)
    func spentCode(engine: StoreEngine) async throws {
        let (store, dispose, person) = try await Self.given(engine)
        defer { dispose() }
        try await store.recordProvisionalCodeRequest(
            nir: Self.jean, at: Self.t0, issue: (person, "pc", Self.t0 + 86_400, Self.letter()), audit: Self.audit("request"))
        let code = try #require(try await store.activeProvisionalCode(personID: person, now: Self.t0))
        let opening = AccountOpening(
            nir: Self.jean, personID: person, provisionalCodeID: code.id, codeHash: "h", question: 1, answerHash: "a",
            email: "jean@exemple.fr", emailToken: nil, at: Self.t0)
        #expect(try await store.openAccount(opening, audit: Self.audit("account_opening")) == .opened)
        #expect(try await store.openAccount(opening, audit: Self.audit("account_opening")) == .provisionalCodeAlreadyUsed)
        #expect(try await store.accountPeriods(of: person).count == 1)
    }

    @Test(
        "accounts: provisional-code tries are bounded and refundable; expired codes are not active",
        arguments: StoreEngine.allCases)
    func provisionalTries(engine: StoreEngine) async throws {
        let (store, dispose, person) = try await Self.given(engine)
        defer { dispose() }
        try await store.recordProvisionalCodeRequest(
            nir: Self.jean, at: Self.t0, issue: (person, "pc", Self.t0 + 100, Self.letter()), audit: Self.audit("request"))
        let code = try #require(try await store.activeProvisionalCode(personID: person, now: Self.t0 + 99))
        #expect(try await store.activeProvisionalCode(personID: person, now: Self.t0 + 100) == nil)
        #expect(try await store.reserveProvisionalCodeAttempt(id: code.id, maximum: 2))
        #expect(try await store.reserveProvisionalCodeAttempt(id: code.id, maximum: 2))
        #expect(try await !store.reserveProvisionalCodeAttempt(id: code.id, maximum: 2))
        try await store.refundProvisionalCodeAttempt(id: code.id)
        #expect(try await store.reserveProvisionalCodeAttempt(id: code.id, maximum: 2))
    }

    @Test(
        "accounts: failed attempts are counted before the check, refused when locked, cleared by a login",
        arguments: StoreEngine.allCases)
    func attempts(engine: StoreEngine) async throws {
        let (store, dispose, person) = try await Self.given(engine)
        defer { dispose() }
        let lockAtTwo: @Sendable (Int, Int64) -> Bool = { failures, _ in failures >= 2 }
        #expect(try await store.reserveCodeAttempt(nir: Self.jean, at: Self.t0, refuse: lockAtTwo) == .reserved(failures: 1))
        #expect(try await store.reserveCodeAttempt(nir: Self.jean, at: Self.t0 + 1, refuse: lockAtTwo) == .reserved(failures: 2))
        #expect(
            try await store.reserveCodeAttempt(nir: Self.jean, at: Self.t0 + 2, refuse: lockAtTwo)
                == .refused(failures: 2, lastFailure: Self.t0 + 1))
        try await store.refundCodeAttempt(nir: Self.jean)
        #expect(try await store.loginFailures(nir: Self.jean)?.failures == 1)
        try await store.recordLogin(
            nir: Self.jean, personID: person, tokenHash: [1, 2, 3], channel: "web", at: Self.t0 + 3, audit: Self.audit("login"))
        #expect(try await store.loginFailures(nir: Self.jean) == nil)
    }

    @Test(
        "the session and its assuré's payments of a window are read together; no session, no payments",
        arguments: StoreEngine.allCases)
    func sessionWithPayments(engine: StoreEngine) async throws {
        let (store, dispose, person) = try await Self.given(
            engine,
            payments: [
                Fixtures.consultation(reference: "751-C-1"),
                Fixtures.consultation(reference: "751-C-2", careDate: "2026-11-02", paidOn: "2026-11-05"),
            ])
        defer { dispose() }
        #expect(try await Self.openAccount(store, person) == .opened)
        try await store.recordLogin(
            nir: Self.jean, personID: person, tokenHash: [1], channel: "web", at: Self.t0, audit: Self.audit("login"))
        let november = try await store.sessionContext(
            tokenHash: [1], paymentsFrom: Fixtures.date("2026-11-01"), to: Fixtures.date("2026-11-30"))
        #expect(november.session?.personID == person && november.context?.account?.email == "jean@exemple.fr")
        #expect(november.payments?.map(\.payment.reference) == ["751-C-2"])
        let year = try await store.sessionContext(
            tokenHash: [1], paymentsFrom: Fixtures.date("2026-01-01"), to: Fixtures.date("2026-12-31"))
        let apart = try await store.payments(
            of: Self.jean, from: Fixtures.date("2026-01-01"), to: Fixtures.date("2026-12-31"))
        #expect(year.payments?.map(\.payment) == apart.map(\.payment) && apart.count == 2)
        let unknown = try await store.sessionContext(
            tokenHash: [9], paymentsFrom: Fixtures.date("2026-01-01"), to: Fixtures.date("2026-12-31"))
        #expect(unknown.session == nil && unknown.payments == nil)
    }

    @Test("sessions: a login's session is found, touched, revoked one by one or all at once", arguments: StoreEngine.allCases)
    func sessions(engine: StoreEngine) async throws {
        let (store, dispose, person) = try await Self.given(engine)
        defer { dispose() }
        #expect(try await Self.openAccount(store, person) == .opened)
        for token: UInt8 in [1, 2, 3] {
            try await store.recordLogin(
                nir: Self.jean, personID: person, tokenHash: [token], channel: "cli", at: Self.t0, audit: Self.audit("login"))
        }
        try await store.touchSession(tokenHash: [1], at: Self.t0 + 60)
        let context = try await store.sessionContext(tokenHash: [1])
        #expect(context.maintenance == nil)
        #expect(context.session?.lastSeenAt == Self.t0 + 60 && context.session?.personID == person)
        #expect(context.context?.account?.email == "jean@exemple.fr")
        #expect(try await store.sessionContext(tokenHash: [9]).session == nil)

        try await store.revokeSessions(tokenHash: [1], allOf: nil, at: Self.t0 + 61, audit: Self.audit("logout"))
        #expect(try await store.session(tokenHash: [1])?.revokedAt == Self.t0 + 61)
        #expect(try await store.session(tokenHash: [2])?.revokedAt == nil)
        try await store.revokeSessions(tokenHash: nil, allOf: person, at: Self.t0 + 62, audit: nil)
        #expect(try await store.session(tokenHash: [2])?.revokedAt == Self.t0 + 62)
        #expect(try await store.session(tokenHash: [3])?.revokedAt == Self.t0 + 62)
    }

    @Test("accounts: e-mail links confirm once, expire, and a changed address supersedes them", arguments: StoreEngine.allCases)
    func emailLinks(engine: StoreEngine) async throws {
        let (store, dispose, person) = try await Self.given(engine)
        defer { dispose() }
        #expect(try await Self.openAccount(store, person) == .opened)
        let token = Array("jeton".utf8)
        #expect(try await store.confirmEmail(tokenHash: [0], at: Self.t0, channel: "web") == .unknown)
        #expect(
            try await store.confirmEmail(tokenHash: token, at: Self.t0 + 10, channel: "web")
                == .confirmed(personID: person, email: "jean@exemple.fr"))
        #expect(try await store.confirmEmail(tokenHash: token, at: Self.t0 + 11, channel: "web") == .alreadyUsed)
        #expect(try await store.accountContext(nir: Self.jean)?.account?.emailConfirmed == true)

        try await store.changeEmail(
            personID: person, email: "autre@exemple.fr", token: (Array("t2".utf8), Self.t0 + 100), at: Self.t0 + 20,
            audit: Self.audit("email_change"))
        try await store.changeEmail(
            personID: person, email: "troisieme@exemple.fr", token: (Array("t3".utf8), Self.t0 + 100), at: Self.t0 + 21,
            audit: Self.audit("email_change"))
        #expect(try await store.confirmEmail(tokenHash: Array("t2".utf8), at: Self.t0 + 30, channel: "web") == .superseded)
        #expect(try await store.confirmEmail(tokenHash: Array("t3".utf8), at: Self.t0 + 101, channel: "web") == .expired)
    }

    @Test(
        "accounts: a code change keeps only the current session; closing ends the open period once",
        arguments: StoreEngine.allCases)
    func codeChangeAndClosing(engine: StoreEngine) async throws {
        let (store, dispose, person) = try await Self.given(engine)
        defer { dispose() }
        #expect(try await Self.openAccount(store, person) == .opened)
        for token: UInt8 in [1, 2] {
            try await store.recordLogin(
                nir: Self.jean, personID: person, tokenHash: [token], channel: "web", at: Self.t0, audit: Self.audit("login"))
        }
        try await store.changeCode(
            personID: person, codeHash: "h2", keepSession: [1], at: Self.t0 + 5, audit: Self.audit("code_change"))
        #expect(try await store.accountContext(nir: Self.jean)?.account?.codeHash == "h2")
        #expect(try await store.session(tokenHash: [1])?.revokedAt == nil)
        #expect(try await store.session(tokenHash: [2])?.revokedAt != nil)

        #expect(
            try await store.closeAccount(
                personID: person, at: Self.t0 + 10, letter: Self.letter(.cancellation), audit: Self.audit("cancellation")))
        #expect(
            try await !store.closeAccount(
                personID: person, at: Self.t0 + 11, letter: Self.letter(.cancellation), audit: Self.audit("cancellation")))
        #expect(try await store.accountContext(nir: Self.jean)?.account?.status == .closed)
        #expect(try await store.session(tokenHash: [1])?.revokedAt != nil)
        let periods = try await store.accountPeriods(of: person)
        #expect(periods.count == 1)
        #expect(try await store.letters(all: false).filter { $0.kind == .cancellation }.count == 1)
    }

    // MARK: Payments and import

    @Test(
        "import: all or nothing; same content twice adds nothing; a conflict or an unknown assuré is reported",
        arguments: StoreEngine.allCases)
    func imports(engine: StoreEngine) async throws {
        let first = Fixtures.consultation(reference: "751-C-1")
        let (store, dispose, person) = try await Self.given(engine, payments: [first])
        defer { dispose() }
        #expect(try await store.importedFile(sha256: "registre")?.fileName == "registre.jsonl")
        #expect(try await store.importedFile(sha256: "absent") == nil)

        let (outcomes, counts) = try await store.importFile(
            ImportLedgerEntry(sha256: "second", fileName: "second.jsonl", importedAt: "y")
        ) { session in
            [
                try await session.insert(first),
                try await session.insert(Fixtures.consultation(reference: "751-C-1", base: 2500)),
                try await session.insert(Fixtures.consultation(reference: "751-X", nir: "2850375111042")),
                try await session.insert(
                    Fixtures.consultation(reference: "751-C-2", careDate: "2026-11-02", paidOn: "2026-11-05")),
            ]
        }
        #expect(outcomes == [.alreadyPresent, .conflict, .unknownPerson, .inserted(lines: 2)])
        #expect(counts.paymentsInserted == 1 && counts.paymentsAlreadyPresent == 1 && counts.linesInserted == 2)

        struct Refused: Error {}
        await #expect(throws: Refused.self) {
            _ = try await store.importFile(ImportLedgerEntry(sha256: "failed", fileName: "failed.jsonl", importedAt: "z")) {
                session in
                _ = try await session.insert(Fixtures.consultation(reference: "751-C-3", paidOn: "2026-10-20"))
                throw Refused()
            }
        }
        #expect(try await store.importedFile(sha256: "failed") == nil)
        #expect(try await store.paymentOwner(reference: "751-C-3") == nil)

        let october = try await store.payments(of: Self.jean, from: Fixtures.date("2026-10-01"), to: Fixtures.date("2026-10-31"))
        #expect(october.map(\.payment.reference) == ["751-C-1"])
        let all = try await store.payments(of: Self.jean, from: Fixtures.date("2026-01-01"), to: Fixtures.date("2026-12-31"))
        #expect(Set(all.map(\.payment.reference)) == ["751-C-1", "751-C-2"])
        #expect(all.first { $0.payment.reference == "751-C-1" }?.payment == first)
        #expect(try await store.paymentOwner(reference: "751-C-2") == person)
        #expect(try await store.lastPaymentID() == all.map(\.id).max())
        let statistics = try await store.statistics()
        #expect(statistics.persons == 1 && statistics.payments == 2 && statistics.paymentLines == 4)
        #expect(statistics.beneficiaries == 2 && statistics.importedFiles == 2)
    }

    // MARK: Shared work and throttles (several processes on one base)

    @Test(
        "issuing work: one lease at a time, taken over when it runs out or its owner is gone, cleared by the statement",
        arguments: StoreEngine.allCases)
    func statementWork(engine: StoreEngine) async throws {
        let payment = Fixtures.consultation(reference: "751-S-1")
        let (store, dispose, person) = try await Self.given(engine, payments: [payment])
        defer { dispose() }
        let october = try Month(parsing: "2026-10")
        try await store.beginStatementRun(month: october, at: Self.t0)
        try await store.beginStatementRun(month: october, at: Self.t0)
        #expect(try await store.statementWorkRemaining(month: october) == 1, "a second start adds no row")

        #expect(try await store.claimStatementWork(month: october, owner: "a", limit: 10, now: Self.t0, lease: 60) == [person])
        #expect(try await store.claimStatementWork(month: october, owner: "b", limit: 10, now: Self.t0 + 59, lease: 60).isEmpty)
        #expect(try await store.statementLeaseOwners(month: october, now: Self.t0 + 59) == ["a"])
        #expect(
            try await store.claimStatementWork(month: october, owner: "b", limit: 10, now: Self.t0 + 61, lease: 60) == [person],
            "a lease that ran out is taken over")
        try await store.expireStatementLeases(month: october, owner: "b")
        #expect(try await store.statementLeaseOwners(month: october, now: Self.t0 + 61).isEmpty)
        #expect(
            try await store.claimStatementWork(month: october, owner: "c", limit: 10, now: Self.t0 + 62, lease: 60) == [person])

        let (inputs, _) = try await store.statementInputs(month: october, persons: [person])
        let input = try #require(inputs.first)
        let issued = IssuedStatement(
            StatementFile(
                personID: person, month: october, reference: "REL-2026-10-0001", issuedOn: Fixtures.date("2026-11-01"),
                file: "2026-10/REL-2026-10-0001.pdf", sha256: "abc", fingerprint: "f", size: 1000, pages: 1,
                reimbursed: Cents(1900)),
            paymentIDs: input.payments.map(\.id), delivery: .online, postalLetter: nil, notice: false)
        #expect(try await store.recordStatements([issued], at: Self.t0) == 1)
        #expect(try await store.recordStatements([issued], at: Self.t0) == 0, "recorded once")
        #expect(try await store.statementWorkRemaining(month: october) == 0, "the statement takes its row off the list")
        try await store.beginStatementRun(month: october, at: Self.t0)
        #expect(try await store.statementWorkRemaining(month: october) == 0, "a stated assuré is not put back")

        let november = try Month(parsing: "2026-11")
        try await store.dropStatementWork(month: november, persons: [person])
        #expect(try await store.statementWorkRemaining(month: november) == 0)
    }

    @Test(
        "throttles: parallel reservations stop at the limit, a release gives one back, the window slides",
        arguments: StoreEngine.allCases)
    func throttles(engine: StoreEngine) async throws {
        let (store, dispose) = try await engine.open()
        defer { dispose() }
        let key = Array("codes:192.0.2.7".utf8)
        let now: Int64 = 1_795_000_000_000
        let ids = try await withThrowingTaskGroup(of: Int64?.self) { group in
            for _ in 0..<20 { group.addTask { try await store.reserveThrottle(key: key, limit: 5, window: 600_000, now: now) } }
            var ids: [Int64] = []
            for try await id in group { if let id { ids.append(id) } }
            return ids
        }
        #expect(ids.count == 5, "20 parallel reservations, limit 5")
        #expect(try await store.reserveThrottle(key: Array("autre".utf8), limit: 5, window: 600_000, now: now) != nil)
        try await store.releaseThrottle(id: ids[0])
        #expect(try await store.reserveThrottle(key: key, limit: 5, window: 600_000, now: now + 1) != nil)
        #expect(try await store.reserveThrottle(key: key, limit: 5, window: 600_000, now: now + 2) == nil)
        #expect(
            try await store.reserveThrottle(key: key, limit: 5, window: 600_000, now: now + 600_001) != nil, "the window slid")
    }

    // MARK: Statements

    @Test(
        "statements: inputs of a month, recorded once, listed by assuré and month, paged for checks",
        arguments: StoreEngine.allCases)
    func statements(engine: StoreEngine) async throws {
        let payment = Fixtures.consultation(reference: "751-S-1")
        let (store, dispose, person) = try await Self.given(engine, payments: [payment])
        defer { dispose() }
        let october = try Month(parsing: "2026-10")
        #expect(try await store.lastPaymentMonth(before: try Month(parsing: "2026-12")) == october)
        try await store.beginStatementRun(month: october, at: Self.t0)
        #expect(try await store.personsToState(month: october) == [person])
        let (inputs, unusable) = try await store.statementInputs(month: october, persons: [person])
        #expect(unusable.isEmpty)
        let input = try #require(inputs.first)
        #expect(input.person.id == person && input.payments.map(\.payment.reference) == ["751-S-1"])

        let issued = IssuedStatement(
            StatementFile(
                personID: person, month: october, reference: "REL-2026-10-0001", issuedOn: Fixtures.date("2026-11-01"),
                file: "2026-10/REL-2026-10-0001.pdf", sha256: "abc", fingerprint: "f", size: 1000, pages: 1,
                reimbursed: Cents(1900)),
            paymentIDs: input.payments.map(\.id), delivery: .online, postalLetter: Self.letter(.monthlyStatement), notice: true)
        try await store.recordStatements([issued], at: Self.t0)
        try await store.completeStatementRun(month: october, at: Self.t0)
        #expect(try await store.personsToState(month: october).isEmpty, "its payments now belong to a statement")

        let archived = try #require(try await store.statements(of: person).first)
        #expect(archived.reference == "REL-2026-10-0001" && archived.payments == 1 && archived.reimbursed == Cents(1900))
        #expect(try await store.statements(month: october) == [archived])
        #expect(try await store.statementCount() == 1)
        #expect(try await store.archivedFiles(after: nil, limit: 10) == [archived])
        #expect(try await store.archivedFiles(after: archived.id, limit: 10).isEmpty)
        let letter = try #require(try await store.letters(all: false).first { $0.kind == .monthlyStatement })
        #expect(letter.statementID == archived.id)

        let notices = try await store.pendingNotices(limit: 10)
        #expect(notices.map(\.statementID) == [archived.id])
        #expect(notices.first?.email == nil, "no account: nothing to send")
        try await store.markNoticesSent([archived.id])
        #expect(try await store.pendingNotices(limit: 10).isEmpty)
    }

    @Test(
        "documents: recorded once per reference, listed by assuré, found with statements by reference or SHA-256",
        arguments: StoreEngine.allCases)
    func documents(engine: StoreEngine) async throws {
        let (store, dispose, person) = try await Self.given(engine, payments: [Fixtures.consultation(reference: "751-V-1")])
        defer { dispose() }
        let document = IssuedDocument(
            kind: .period, personID: person, reference: "DOC-751-P2026-0123456789ABCDEF", from: Fixtures.date("2026-10-01"),
            to: Fixtures.date("2026-11-27"), issuedOn: Fixtures.date("2026-11-27"), file: "documents/2026/d.pdf",
            sha256: "d1", fingerprint: "f1", size: 100, pages: 1)
        #expect(try await store.recordDocument(document, at: Self.t0) == document)
        var other = document
        other.sha256 = "d2"
        #expect(try await store.recordDocument(other, at: Self.t0 + 1) == document, "the first row stays")
        #expect(try await store.documents(of: person) == [document])
        #expect(try await store.documentFiles(after: nil, limit: 10) == [document])
        #expect(try await store.documentFiles(after: document.reference, limit: 10).isEmpty)
        let october = try Month(parsing: "2026-10")
        try await store.recordStatements(
            [
                IssuedStatement(
                    StatementFile(
                        personID: person, month: october, reference: "REL-751-202610-00000001",
                        issuedOn: Fixtures.date("2026-11-01"), file: "2026-10/r.pdf", sha256: "s1", fingerprint: "f2",
                        size: 1, pages: 1, reimbursed: Cents(1900)), paymentIDs: [], delivery: .online, postalLetter: nil,
                    notice: false)
            ], at: Self.t0)
        let byHash = try #require(try await store.verifiableRecord(sha256: "d1"))
        #expect(byHash.kind == .period && byHash.reference == document.reference && byHash.caisse == "CPAM de Paris")
        let statement = try #require(try await store.verifiableRecord(reference: "REL-751-202610-00000001"))
        #expect(statement.kind == .monthlyStatement && statement.fingerprint == "f2" && statement.from.calendarMonth == october)
        #expect(try await store.verifiableRecord(sha256: "d2") == nil)
        #expect(try await store.verifiableRecord(reference: "DOC-INCONNU") == nil)
    }

    // MARK: Paper

    @Test("paper: duplicatas (once while pending, within the quota), print batches, posting", arguments: StoreEngine.allCases)
    func paper(engine: StoreEngine) async throws {
        let (store, dispose, person) = try await Self.given(engine, payments: [Fixtures.consultation(reference: "751-P-1")])
        defer { dispose() }
        let october = try Month(parsing: "2026-10")
        let input = try #require(try await store.statementInputs(month: october, persons: [person]).inputs.first)
        try await store.recordStatements(
            [
                IssuedStatement(
                    StatementFile(
                        personID: person, month: october, reference: "REL-P", issuedOn: Fixtures.date("2026-11-01"),
                        file: "f.pdf", sha256: "s", fingerprint: "f", size: 1, pages: 1, reimbursed: .zero),
                    paymentIDs: input.payments.map(\.id))
            ], at: Self.t0)
        let statement = try #require(try await store.statements(of: person).first)

        let created = try await store.requestDuplicata(
            personID: person, statementID: statement.id, letter: Self.letter(.duplicata), at: Self.t0, windowStart: 0, quota: 1,
            audit: Self.audit("duplicata"))
        guard case .created(let letterID) = created else {
            Issue.record("expected a new request, got \(created)")
            return
        }
        #expect(
            try await store.requestDuplicata(
                personID: person, statementID: statement.id, letter: Self.letter(.duplicata), at: Self.t0 + 1, windowStart: 0,
                quota: 1, audit: Self.audit("duplicata")) == .alreadyPending(letterID, since: Self.t0))
        #expect(try await store.duplicatas(of: person).map(\.status) == [.pending])
        #expect(try await store.letter(id: letterID)?.statementID == statement.id)

        let printable = try await store.lettersToPrint(createdBefore: Self.t0 + 1)
        #expect(printable.map(\.letter.id) == [letterID])
        #expect(printable.first?.statementReference == "REL-P")
        let batch = try await store.recordPrintBatch(
            reference: "LOT-20261127", date: Fixtures.date("2026-11-27"), file: "LOT-20261127-001.pdf", volumes: 1,
            manifest: "LOT-20261127.csv", sha256: "b", letterIDs: [letterID], pages: 2, at: Self.t0 + 2,
            audit: Self.audit("batch"))
        #expect(batch.letters == 1 && batch.postedAt == nil)
        #expect(try await store.printBatch(date: Fixtures.date("2026-11-27")) == batch)
        #expect(try await store.letter(id: letterID)?.status == .printed)
        #expect(try await store.lettersToPrint(createdBefore: Self.t0 + 10).isEmpty)
        let posted = try #require(
            try await store.markBatchPosted(reference: "LOT-20261127", at: Self.t0 + 3, audit: Self.audit("post")))
        #expect(posted.postedAt == Self.t0 + 3)
        #expect(try await store.printBatch(reference: "LOT-20261127")?.postedAt == Self.t0 + 3)
        #expect(try await store.duplicatas(of: person).map(\.status) == [.posted])
        #expect(
            try await store.requestDuplicata(
                personID: person, statementID: statement.id, letter: Self.letter(.duplicata), at: Self.t0 + 4, windowStart: 0,
                quota: 1, audit: Self.audit("duplicata")) == .overQuota(used: 1))
        #expect(try await store.markBatchPosted(reference: "LOT-ABSENT", at: Self.t0, audit: Self.audit("post")) == nil)
    }

    @Test(
        "insurer exports: transmitted lines after the watermark, recorded once per insurer and date",
        arguments: StoreEngine.allCases)
    func insurerExports(engine: StoreEngine) async throws {
        let (store, dispose, _) = try await Self.given(
            engine, payments: [Fixtures.consultation(reference: "751-E-1"), Fixtures.consultation(reference: "751-E-2")])
        defer { dispose() }
        #expect(try await store.linkedInsurers() == [LinkedInsurer(code: "MUT0751", name: "Mutuelle des Services Publics")])
        #expect(try await store.lastExportedPaymentID(insurer: "MUT0751") == nil)
        let through = try #require(try await store.lastPaymentID())
        let page = try await store.exportLines(insurer: "MUT0751", after: nil, through: through, limit: 1)
        #expect(page.lines.map(\.paymentReference) == ["751-E-1"], "one payment per page, its transmitted line only")
        let next = try await store.exportLines(insurer: "MUT0751", after: page.lastPaymentID, through: through, limit: 10)
        #expect(next.lines.map(\.paymentReference) == ["751-E-2"] && next.lastPaymentID == through)
        #expect(try await store.exportLines(insurer: "MUT0751", after: through, through: through, limit: 10).lines.isEmpty)

        let export = InsurerExport(
            code: "MUT0751", date: Fixtures.date("2026-11-27"), file: "2026-11-27/MUT0751.csv", sha256: "e", lines: 2,
            firstPaymentID: Payment.ID(1), lastPaymentID: through, createdAt: Self.t0)
        try await store.recordInsurerExport(export, audit: Self.audit("insurer_export"))
        #expect(try await store.lastExportedPaymentID(insurer: "MUT0751") == through)
        #expect(try await store.insurerExports(date: Fixtures.date("2026-11-27")) == [export])
    }

    @Test(
        "other régime: a person of the MSA, with payments in a feed, is neither issued a statement nor exported",
        arguments: StoreEngine.allCases)
    func otherRegimeNeitherIssuedNorExported(engine: StoreEngine) async throws {
        let msa = "1480599999356"
        let (store, dispose, jean) = try await Self.given(engine, payments: [Fixtures.consultation(reference: "751-R-1")])
        defer { dispose() }
        _ = try await store.importFile(ImportLedgerEntry(sha256: "msa", fileName: "msa.jsonl", importedAt: "x")) { session in
            _ = try await session.upsert(Fixtures.person(nir: msa, birthDate: "1948-05-30", lastName: "Duval", regime: .msa))
            _ = try await session.insert(Fixtures.consultation(reference: "591-R-1", nir: msa))
        }
        let october = try Month(parsing: "2026-10")
        #expect(try await store.personsToState(month: october) == [jean])
        let through = try #require(try await store.lastPaymentID())
        let lines = try await store.exportLines(insurer: "MUT0751", after: nil, through: through, limit: 10).lines
        #expect(lines.map(\.paymentReference) == ["751-R-1"])
    }

    // MARK: Audit, settings, operations

    @Test(
        "audit and settings: the latest events in order, bounded; maintenance and named settings round-trip",
        arguments: StoreEngine.allCases)
    func auditAndSettings(engine: StoreEngine) async throws {
        let (store, dispose, _) = try await Self.given(engine)
        defer { dispose() }
        try await store.appendAudit([Self.audit("a", at: 1), Self.audit("b", at: 2)])
        try await store.appendAudit(Self.audit("c", at: 3))
        #expect(try await store.auditEvents(limit: 2).map(\.kind) == ["b", "c"])

        #expect(try await store.maintenanceMessage() == nil)
        try await store.setMaintenance("Travaux", audit: Self.audit("maintenance"))
        #expect(try await store.maintenanceMessage() == "Travaux")
        #expect(try await store.sessionContext(tokenHash: [1]).maintenance == "Travaux")
        try await store.setMaintenance(nil, audit: Self.audit("maintenance"))
        #expect(try await store.maintenanceMessage() == nil)

        #expect(try await store.setting("duplicatas_par_mois") == nil)
        try await store.setSetting("duplicatas_par_mois", "4", audit: Self.audit("setting"))
        #expect(try await store.setting("duplicatas_par_mois") == "4")
        #expect(try await store.auditEvents(limit: 100).count == 6)
    }

    @Test("operations: checks pass on a sound store; equal content gives equal digests, whatever the engine")
    func operations() async throws {
        var digests: [String] = []
        for engine in StoreEngine.allCases {
            let (store, dispose, _) = try await Self.given(engine, payments: [Fixtures.consultation(reference: "751-O-1")])
            defer { dispose() }
            try await store.quickCheck()
            #expect(try await store.integrityProblems().isEmpty)
            #expect(!store.engineDescription.isEmpty)
            digests.append(try await store.contentDigest())
        }
        #expect(Set(digests).count == 1, "\(digests)")
        let (other, dispose, _) = try await Self.given(.sqliteInMemory, payments: [Fixtures.consultation(reference: "751-O-2")])
        defer { dispose() }
        #expect(try await other.contentDigest() != digests[0])
    }

    @Test("operations: a backup holds the same content", arguments: [StoreEngine.sqliteFile])
    func backup(engine: StoreEngine) async throws {
        let (store, dispose, _) = try await Self.given(engine, payments: [Fixtures.consultation(reference: "751-B-1")])
        defer { dispose() }
        let directory = Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let report = try await store.backup(to: directory.appendingPathComponent("copie.sqlite").path)
        #expect(report.contentDigest == (try await store.contentDigest()))
        #expect(report.statistics == (try await store.statistics()))
    }
}
