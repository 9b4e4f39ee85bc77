import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import ReleveDomain
import ReleveService
import ReleveStore
import ReleveTestSupport
import Testing

@testable import ReleveWeb

/// Every route in-process (`app.test(.router)`) on a fresh database: pages render in French,
/// forms validate, cookies and headers are right on every response, CSRF and cross-site posts
/// are refused, another assuré's objects answer like missing ones, the API follows its document.
@Suite("Web view and API")
struct WebTests {
    /// Jean Martin with an account and October's statement; Pierre Duval (MSA) with a payment (his
    /// régime issues his statements, not this caisse).
    final class World: @unchecked Sendable {
        let accounts: AccountWorld
        var archive: URL { accounts.archive }
        let configuration: WebConfiguration

        init(configuration: WebConfiguration = .init(kdfConcurrency: 1)) async throws {
            accounts = try await AccountWorld()
            self.configuration = configuration
            _ = try await accounts.store.importFile(ImportLedgerEntry(sha256: "p", fileName: "p", importedAt: "x")) { session in
                _ = try await session.insert(
                    Fixtures.consultation(reference: "751-W-1", careDate: "2026-10-02", paidOn: "2026-10-06"))
                _ = try await session.insert(
                    Fixtures.consultation(
                        reference: "591-W-1", nir: "1480599999356", careDate: "2026-10-03", paidOn: "2026-10-07"))
            }
            try await accounts.openAccount()
            _ = try await StatementService(store: accounts.store, archive: archive.path).issue(
                month: try Month(parsing: "2026-10"), today: Fixtures.date("2026-11-18"), now: accounts.now, workers: 1,
                thumbnails: false)
        }

        func web() throws -> Web {
            let accounts = self.accounts
            return try Web(services: accounts.services, configuration: configuration, now: { accounts.now })
        }

        func test<T: Sendable>(_ body: @Sendable (any TestClientProtocol) async throws -> T) async throws -> T {
            let app = Application(router: try web().router())
            return try await app.test(.router, body)
        }
    }

    /// The value of a hidden field of a page.
    static func hiddenField(_ name: String, in html: String) -> String? {
        guard let start = html.range(of: "name=\"\(name)\" value=\"") else { return nil }
        let rest = html[start.upperBound...]
        return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
    }

    static let origin: HTTPFields = [.origin: "http://localhost", HTTPField.Name("Sec-Fetch-Site")!: "same-origin"]

    /// A visitor's cookies, carried from response to request, and the last page's CSRF token.
    final class Visitor: @unchecked Sendable {
        var cookies: [String: String] = [:]
        var csrf = ""
        let client: any TestClientProtocol

        init(_ client: any TestClientProtocol) { self.client = client }

        var cookieHeader: HTTPFields {
            cookies.isEmpty ? [:] : [.cookie: cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")]
        }

        @discardableResult
        func get(_ uri: String, headers: HTTPFields = [:]) async throws -> TestResponse {
            var all = cookieHeader
            all.append(contentsOf: headers)
            return remember(try await client.execute(uri: uri, method: .get, headers: all))
        }

        @discardableResult
        func post(_ uri: String, _ fields: [String: String], csrf: Bool = true, headers: HTTPFields = WebTests.origin)
            async throws
            -> TestResponse
        {
            var fields = fields
            if csrf { fields["csrf"] = self.csrf }
            let body = fields.map {
                "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")"
            }.joined(separator: "&")
            var all = cookieHeader
            all.append(contentsOf: headers)
            all[.contentType] = "application/x-www-form-urlencoded"
            return remember(try await client.execute(uri: uri, method: .post, headers: all, body: ByteBuffer(string: body)))
        }

        func remember(_ response: TestResponse) -> TestResponse {
            for header in response.headers[values: .setCookie] {
                let pair = header.split(separator: ";")[0].split(separator: "=", maxSplits: 1)
                let name = String(pair[0])
                let value = pair.count > 1 ? String(pair[1]) : ""
                if header.contains("Max-Age=0") { cookies[name] = nil } else { cookies[name] = value }
            }
            if let match = response.text.firstMatch(of: /name="csrf" value="([^"]+)"/) { csrf = String(match.1) }
            return response
        }

        @discardableResult
        func login(code: String = AccountWorld.goodCode) async throws -> TestResponse {
            try await get("/")
            return try await post("/connexion", ["nir": AccountWorld.nir, "code": code])
        }
    }

    static func checkHeaders(_ response: TestResponse, sourceLocation: SourceLocation = #_sourceLocation) {
        let csp = response.headers[HTTPField.Name("Content-Security-Policy")!] ?? ""
        #expect(
            csp.contains("object-src 'none'") && csp.contains("base-uri 'none'") && csp.contains("frame-ancestors 'none'"),
            sourceLocation: sourceLocation)
        #expect(
            response.headers[HTTPField.Name("Strict-Transport-Security")!]?.contains("max-age=31536000") == true,
            sourceLocation: sourceLocation)
        #expect(response.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff", sourceLocation: sourceLocation)
        #expect(response.headers[HTTPField.Name("Referrer-Policy")!] != nil, sourceLocation: sourceLocation)
        #expect(response.headers[.server] == nil, sourceLocation: sourceLocation)
        if response.status != .seeOther && response.status != .noContent {
            #expect(
                response.headers[.contentType]?.contains("charset=utf-8") == true
                    || response.headers[.contentType] == "application/pdf" || response.headers[.contentType] == "image/png",
                sourceLocation: sourceLocation)
        }
        for cookie in response.headers[values: .setCookie] {
            #expect(cookie.hasPrefix("__Host-"), sourceLocation: sourceLocation)
            #expect(
                cookie.contains("; Path=/") && cookie.contains("; Secure") && cookie.contains("; HttpOnly")
                    && !cookie.contains("Domain"), sourceLocation: sourceLocation)
            // Strict, except the FranceConnect binding, which the provider's redirect back must carry.
            #expect(
                cookie.contains("; SameSite=Strict")
                    || (cookie.hasPrefix(FranceConnectController.bindingCookie + "=") && cookie.contains("; SameSite=Lax")),
                sourceLocation: sourceLocation)
        }
    }

    @Test("public pages render in French with the security headers; unknown pages get a French 404")
    func publicPages() async throws {
        let world = try await World()
        try await world.test { client in
            let visitor = Visitor(client)
            for (path, text) in [
                ("/", "Se connecter"), ("/code-provisoire", "Commander mon code provisoire"), ("/ouverture", "Étape en cours"),
                ("/probleme-acces", "Problème d'accès"), ("/compte/email/confirmer?jeton=abc", "Confirmer mon adresse e-mail"),
            ] {
                let response = try await visitor.get(path)
                #expect(response.status == .ok, "\(path)")
                #expect(response.text.contains(text), "\(path)")
                #expect(response.text.contains("<html lang=\"fr\">"))
                #expect(response.headers[.cacheControl] == "no-store")
                Self.checkHeaders(response)
            }
            #expect(visitor.cookies["__Host-releve-formulaire"] != nil)
            let missing = try await visitor.get("/nulle-part")
            #expect(missing.status == .notFound && missing.text.contains("Page introuvable"))
            Self.checkHeaders(missing)
            let css = try await visitor.get("/static/releve.css")
            #expect(css.status == .ok && css.headers[.cacheControl]?.contains("max-age") == true)
            // Logged-out: account pages send home.
            for path in ["/paiements", "/releves", "/compte", "/releves/2026-10.pdf"] {
                let response = try await visitor.get(path)
                #expect(response.status == .seeOther && response.headers[.location] == "/?message=connexion", "\(path)")
            }
        }
    }

    @Test("every form post: refused (403) cross-site, without Origin, or without a valid token — and nothing changes")
    func csrf() async throws {
        let world = try await World()
        let posts = [
            "/connexion", "/deconnexion", "/code-provisoire", "/ouverture", "/ouverture/valider", "/compte/email/confirmer",
            "/releves/2026-10/duplicata", "/compte/email", "/compte/code", "/compte/resiliation",
        ]
        try await world.test { client in
            let visitor = Visitor(client)
            #expect(try await visitor.login().status == .seeOther)
            try await visitor.get("/releves")
            for path in posts {
                let crossSite = try await visitor.post(
                    path, ["code": AccountWorld.goodCode, "confirmer": "oui"],
                    headers: [.origin: "http://localhost", HTTPField.Name("Sec-Fetch-Site")!: "cross-site"])
                #expect(crossSite.status == .forbidden, "\(path) cross-site")
                let noOrigin = try await visitor.post(path, ["code": AccountWorld.goodCode], headers: [:])
                #expect(noOrigin.status == .forbidden, "\(path) without Origin")
                let foreign = try await visitor.post(
                    path, ["code": AccountWorld.goodCode], headers: [.origin: "https://evil.example"])
                #expect(foreign.status == .forbidden, "\(path) foreign Origin")
                let noToken = try await visitor.post(path, ["code": AccountWorld.goodCode, "confirmer": "oui"], csrf: false)
                #expect(noToken.status == .forbidden, "\(path) without token")
                Self.checkHeaders(noToken)
            }
            // The refusal names the header it got, escaped.
            let hostile = try await visitor.post(
                "/connexion", [:], headers: [.origin: "http://localhost", HTTPField.Name("Sec-Fetch-Site")!: "<b>x"])
            #expect(hostile.status == .forbidden && hostile.text.contains("&lt;b&gt;x") && !hostile.text.contains("<b>x"))
            // Still logged in, account still open, no duplicata requested.
            #expect(try await visitor.get("/compte").status == .ok)
            #expect(try await world.accounts.store.letters().allSatisfy { $0.kind != .duplicata })
        }
    }

    @Test("login: session cookie, pages of the assuré, wrong code and unknown NIR answer identically, logout")
    func loginAndPages() async throws {
        let world = try await World()
        try await world.test { client in
            let visitor = Visitor(client)
            let wrong = try await visitor.login(code: "11112222")
            try await visitor.get("/")
            let unknown = try await visitor.post("/connexion", ["nir": "2850320004117", "code": "11112222"])
            #expect(wrong.status == .unauthorized && unknown.status == .unauthorized)
            let message = { (r: TestResponse) in r.text.firstMatch(of: /role="alert">([^<]+)</)?.1 }
            #expect(message(wrong) != nil && message(wrong) == message(unknown))
            #expect(visitor.cookies["__Host-releve"] == nil)

            let login = try await visitor.login()
            #expect(login.status == .seeOther && login.headers[.location] == "/paiements")
            #expect(visitor.cookies["__Host-releve"] != nil)
            Self.checkHeaders(login)
            let payments = try await visitor.get("/paiements")
            #expect(payments.status == .ok && payments.text.contains("Mes paiements") && payments.text.contains("<svg"))
            #expect(payments.text.contains("Un paiement par ligne") && payments.text.contains("751-W-1"))
            #expect(payments.headers[.cacheControl] == "no-store")
            let detailed = try await visitor.get("/paiements?vue=detail&mois=3")
            #expect(detailed.text.contains("Un acte par ligne") && detailed.text.contains("Participation forfaitaire"))
            let bad = try await visitor.get("/paiements?mois=99")
            #expect(bad.status == .badRequest && bad.text.contains("Mois : de 1 à 27"))
            let payment = try await visitor.get("/paiements/751-W-1")
            #expect(payment.status == .ok && payment.text.contains("Détail des actes"))
            let statements = try await visitor.get("/releves")
            #expect(statements.text.contains("octobre 2026") && statements.text.contains("/releves/2026-10.pdf"))
            let pdf = try await visitor.get("/releves/2026-10.pdf")
            #expect(pdf.status == .ok && pdf.headers[.contentType] == "application/pdf")
            #expect(
                pdf.headers[.contentDisposition]
                    == "attachment; filename=\"releve-2026-10.pdf\"; filename*=UTF-8''releve-2026-10.pdf")
            #expect(pdf.headers[.cacheControl] == "no-store")
            #expect(Array(pdf.body.readableBytesView.prefix(4)) == Array("%PDF".utf8))
            // The batch made no thumbnail: the first view renders it and keeps it in the archive.
            let folder = world.archive.appendingPathComponent("2026-10").path
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".png") }.isEmpty)
            let thumbnail = try await visitor.get("/releves/2026-10/vignette.png")
            #expect(thumbnail.status == .ok && thumbnail.headers[.contentType] == "image/png")
            let kept = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".png") }
            #expect(kept.count == 1)
            let again = try await visitor.get("/releves/2026-10/vignette.png")
            #expect(again.body == thumbnail.body)
            let account = try await visitor.get("/compte")
            #expect(account.text.contains("Dr Claire Bernard") && account.text.contains("NOEMIE"))
            for response in [payments, detailed, payment, statements, pdf, account] { Self.checkHeaders(response) }

            let logout = try await visitor.post("/deconnexion", [:])
            #expect(logout.status == .seeOther && visitor.cookies["__Host-releve"] == nil)
            #expect(try await visitor.get("/paiements").status == .seeOther)
        }
    }

    @Test(
        "opening step 2 refused: redrawn from its sealed state without checking the provisional code again; a forged state goes back to step 1"
    )
    func openingRedrawSpendsNoTry() async throws {
        let world = try await World()
        try await world.test { client in
            let visitor = Visitor(client)
            try await visitor.get("/ouverture")
            let code = try await world.accounts.orderCode()
            let step2 = try await visitor.post("/ouverture", ["nir": AccountWorld.nir, "code_provisoire": code])
            let state = try #require(Self.hiddenField("etat", in: step2.text))
            var fields = [
                "nir": AccountWorld.nir, "code_provisoire": code, "etat": state, "code": "58203947",
                "code_confirmation": "58203947", "question": "1", "reponse": "Dupont", "reponse_confirmation": "Dupont",
                "email": "jean.martin@exemple.fr",
            ]
            // More refusals than a provisional code has tries (5): none of them spends one.
            for _ in 1...7 {
                let refused = try await visitor.post("/ouverture/valider", fields)
                #expect(refused.status == .badRequest && refused.text.contains("name=\"etat\""))
                #expect(refused.text.contains("Jean MARTIN") || refused.text.contains("Martin"))
            }
            // What was typed comes back (never a code nor the secret answer).
            let last = try await visitor.post("/ouverture/valider", fields)
            #expect(last.text.contains("value=\"jean.martin@exemple.fr\""))
            #expect(!last.text.contains("58203947") && !last.text.contains("value=\"Dupont\""))
            var typo = fields
            typo["cgu"] = "oui"
            typo["code_confirmation"] = "58203948"
            let mismatch = try await visitor.post("/ouverture/valider", typo)
            #expect(mismatch.status == .badRequest && mismatch.text.contains("value=\"oui\" required checked"))
            var forged = fields
            forged["etat"] = state.replacingOccurrences(of: ".", with: ".x")
            let back = try await visitor.post("/ouverture/valider", forged)
            #expect(back.status == .badRequest && back.text.contains("action=\"/ouverture\""))
            #expect(!back.text.contains("name=\"etat\""))
            fields["cgu"] = "oui"
            let done = try await visitor.post("/ouverture/valider", fields)
            #expect(done.status == .ok && done.text.contains("Étape 3 sur 3"), "\(done.text)")
        }
    }

    @Test("the chart has a bar for every month of the period, empty ones included, like the PDF")
    func chartShowsEveryMonth() async throws {
        let world = try await World()
        try await world.test { client in
            let visitor = Visitor(client)
            try await visitor.login()
            for months in [1, 6, 12] {
                let page = try await visitor.get("/paiements?mois=\(months)")
                #expect(page.text.components(separatedBy: "<rect ").count - 1 == months, "\(months) months")
            }
        }
    }

    @Test("HEAD answers wherever GET does: same status and headers, no body")
    func headLikeGet() async throws {
        let world = try await World()
        try await world.test { client in
            for path in ["/", "/code-provisoire", "/static/releve.css", "/sante", "/paiements", "/api/v1/openapi.yaml"] {
                let get = try await client.execute(uri: path, method: .get)
                let head = try await client.execute(uri: path, method: .head)
                #expect(head.status == get.status, "\(path)")
                #expect(head.body.readableBytes == 0, "\(path)")
                #expect(head.headers[.contentType] == get.headers[.contentType], "\(path)")
            }
            let missing = try await client.execute(uri: "/nexiste-pas", method: .head)
            #expect(missing.status == .notFound)
        }
    }

    @Test("forms validate: each bad input gets its French message, its status, and changes nothing")
    func formsValidate() async throws {
        let world = try await World()
        try await world.test { client in
            let visitor = Visitor(client)
            try await visitor.get("/code-provisoire")
            let badNIR = try await visitor.post(
                "/code-provisoire", ["nir": "1701375112034", "nom": "Martin", "naissance": "03/12/1970", "code_postal": "75012"])
            #expect(badNIR.status == .badRequest && badNIR.text.contains("NIR"))
            #expect(badNIR.text.contains("value=\"Martin\""))  // what was typed is kept
            let badDate = try await visitor.post(
                "/code-provisoire", ["nir": AccountWorld.nir, "nom": "Martin", "naissance": "31/02/1970", "code_postal": "75012"])
            #expect(badDate.status == .badRequest && badDate.text.contains("Date"))
            let arabic = try await visitor.post(
                "/code-provisoire", ["nir": AccountWorld.nir, "nom": "Martin", "naissance": "03/12/1970", "code_postal": "٧٥٠١٢"])
            #expect(arabic.status == .badRequest && arabic.text.contains("Code postal"))
            let letters = try await world.accounts.store.letters().count

            try await visitor.get("/ouverture")
            let wrongCode = try await visitor.post("/ouverture", ["nir": AccountWorld.nir, "code_provisoire": "12345678"])
            #expect(wrongCode.status == .unauthorized && wrongCode.text.contains("role=\"alert\""))
            let code = try await world.accounts.orderCode()
            let step2 = try await visitor.post("/ouverture", ["nir": AccountWorld.nir, "code_provisoire": code])
            #expect(
                step2.status == .ok && step2.text.contains("Étape en cours") && step2.text.contains("Conditions d'utilisation"))
            // As a browser does, the submission carries step 2's hidden state.
            let state = try #require(Self.hiddenField("etat", in: step2.text))
            let refused = try await visitor.post(
                "/ouverture/valider",
                [
                    "nir": AccountWorld.nir, "code_provisoire": code, "etat": state, "code": "24681357",
                    "code_confirmation": "24681357", "question": "1", "reponse": "Dupont", "reponse_confirmation": "Dupont",
                    "email": "j@exemple.fr",
                ])
            #expect(refused.status == .badRequest && refused.text.contains("conditions d'utilisation"))
            let weak = try await visitor.post(
                "/ouverture/valider",
                [
                    "nir": AccountWorld.nir, "code_provisoire": code, "etat": state, "cgu": "oui", "code": "12345678",
                    "code_confirmation": "12345678", "question": "1", "reponse": "Dupont", "reponse_confirmation": "Dupont",
                    "email": "j@exemple.fr",
                ])
            #expect(weak.status == .badRequest && weak.text.contains("code personnel"))
            #expect(try await world.accounts.store.letters().count == letters + 1)  // only the code ordered above

            try await visitor.login()
            try await visitor.get("/compte")
            let badEmail = try await visitor.post("/compte/email", ["email": "pas-une-adresse", "code": AccountWorld.goodCode])
            #expect(badEmail.status == .badRequest && badEmail.text.contains("e-mail"))
            #expect(badEmail.text.contains("value=\"pas-une-adresse\""), "the typed address comes back")
            let mismatch = try await visitor.post(
                "/compte/code", ["actuel": AccountWorld.goodCode, "nouveau": "24681357", "confirmation": "24681358"])
            #expect(mismatch.status == .badRequest && mismatch.text.contains("différentes"))
            let changed = try await visitor.post(
                "/compte/code", ["actuel": AccountWorld.goodCode, "nouveau": "58203917", "confirmation": "58203917"])
            #expect(changed.status == .seeOther && changed.headers[.location] == "/compte?message=code")
            #expect(try await visitor.get("/compte?message=code").text.contains("Code personnel changé"))
        }
    }

    @Test("text from the feed is escaped in every view (labels, professionals, references)")
    func escaping() async throws {
        let world = try await World()
        let hostile = "<script>alert(\"x\")</script> & 'co'"
        let payment = try Payment(
            reference: "751-W/2", nir: Fixtures.nir(AccountWorld.nir), date: Fixtures.date("2026-10-20"),
            payee: .professional(hostile), kind: .care,
            lines: [
                PaymentLine(
                    careDate: Fixtures.date("2026-10-19"), beneficiaryRank: 1, kind: .act, actCode: "G", label: hostile,
                    professional: hostile, quantity: 1, paid: Cents(3000), base: Cents(3000), rate: Rate(percent: 70),
                    reimbursed: Cents(2100), transmittedToComplementaire: true)
            ])
        _ = try await world.accounts.store.importFile(ImportLedgerEntry(sha256: "h", fileName: "h", importedAt: "x")) { session in
            _ = try await session.insert(payment)
        }
        try await world.test { client in
            let visitor = Visitor(client)
            try await visitor.login()
            for path in ["/paiements", "/paiements?vue=detail", "/paiements/751-W%2F2"] {
                let page = try await visitor.get(path)
                #expect(page.status == .ok, "\(path)")
                #expect(!page.text.contains("<script>"), "\(path)")
                #expect(page.text.contains("&lt;script&gt;"), "\(path)")
            }
        }
    }

    @Test("another assuré's statement, payment or thumbnail answers exactly like a missing one")
    func crossAccount() async throws {
        let world = try await World()
        try await world.test { client in
            let visitor = Visitor(client)
            try await visitor.login()
            // Pierre Duval has payment 591-W-1; Jean Martin has not.
            let theirs = try await visitor.get("/paiements/591-W-1")
            let missing = try await visitor.get("/paiements/000-NOPE")
            #expect(theirs.status == .notFound && theirs.status == missing.status && theirs.text == missing.text)
            let notIssued = try await visitor.get("/releves/2026-09.pdf")
            #expect(notIssued.status == .notFound)
            for path in [
                "/releves/../../etc/passwd", "/releves/%2e%2e%2fetc%2fpasswd", "/releves/2026-10.pdf%00",
                "/releves/..%5c..%5cx.pdf",
            ] {
                let response = try await visitor.get(path)
                #expect(response.status == .notFound, "\(path)")
            }
        }
    }

    @Test("duplicata and cancellation from the pages")
    func duplicataAndCancellation() async throws {
        let world = try await World()
        try await world.test { client in
            let visitor = Visitor(client)
            try await visitor.login()
            try await visitor.get("/releves")
            let first = try await visitor.post("/releves/2026-10/duplicata", [:])
            #expect(first.headers[.location] == "/releves?message=duplicata")
            let second = try await visitor.post("/releves/2026-10/duplicata", [:])
            #expect(second.headers[.location] == "/releves?message=duplicata-deja")
            let page = try await visitor.get("/releves?message=duplicata")
            #expect(page.text.contains("Mes demandes de duplicata") && page.text.contains("demandé le"))
            let unknown = try await visitor.post("/releves/2026-09/duplicata", [:])
            #expect(unknown.status == .badRequest && unknown.text.contains("aucun relevé émis"))

            try await visitor.get("/compte/resiliation")
            let unconfirmed = try await visitor.post("/compte/resiliation", ["code": AccountWorld.goodCode])
            #expect(unconfirmed.status == .badRequest && unconfirmed.text.contains("pas été confirmée"))
            let wrong = try await visitor.post("/compte/resiliation", ["code": "11112222", "confirmer": "oui"])
            #expect(wrong.status == .badRequest && wrong.text.contains("incorrect"))
            let done = try await visitor.post("/compte/resiliation", ["code": AccountWorld.goodCode, "confirmer": "oui"])
            #expect(done.status == .seeOther && done.headers[.location] == "/?message=resilie")
            #expect(visitor.cookies["__Host-releve"] == nil)
            let refused = try await visitor.login()
            #expect(refused.status == .forbidden && refused.text.contains("résilié"))
        }
    }

    @Test("maintenance: every page 503 with the message and a link home; the API too")
    func maintenance() async throws {
        let world = try await World()
        try await world.accounts.service.setMaintenance("Mise à jour en cours.", now: world.accounts.now)
        try await world.test { client in
            for path in ["/", "/paiements", "/code-provisoire", "/api/v1/releves"] {
                let response = try await client.execute(uri: path, method: .get)
                #expect(response.status == .serviceUnavailable, "\(path)")
                #expect(String(buffer: response.body).contains("Mise à jour en cours."))
            }
            let home = try await client.execute(uri: "/", method: .get)
            #expect(String(buffer: home.body).contains("href=\"/\""))
            #expect(try await client.execute(uri: "/static/releve.css", method: .get).status == .ok)
        }
    }

    @Test("throttling: after too many failures from one address, even the right code is refused before any check")
    func throttling() async throws {
        let world = try await World(
            configuration: .init(kdfConcurrency: 1, loginFailuresPerAddress: 3, codeRequestsPerAddress: 2))
        try await world.test { client in
            let visitor = Visitor(client)
            for _ in 0..<3 { #expect(try await visitor.login(code: "11112222").status == .unauthorized) }
            let blocked = try await visitor.login()
            #expect(blocked.status == .tooManyRequests && blocked.text.contains("Trop de tentatives"))
            let audits = try await world.accounts.store.auditEvents(limit: 50)
            #expect(audits.contains { $0.kind == "excess_rate_limit_exceeded" })
            // The account's own failure count did not move for the refused attempt.
            #expect(try await world.accounts.store.loginFailures(nir: Fixtures.nir(AccountWorld.nir))?.failures == 3)
            try await visitor.get("/code-provisoire")
            let fields = ["nir": AccountWorld.nir, "nom": "Martin", "naissance": "03/12/1970", "code_postal": "75012"]
            for _ in 0..<2 { #expect(try await visitor.post("/code-provisoire", fields).status == .ok) }
            #expect(try await visitor.post("/code-provisoire", fields).status == .tooManyRequests)
        }
    }

    @Test("a burst of 150 parallel bad logins from one address never evaluates more than the per-address limit")
    func parallelBurstFromOneAddress() async throws {
        let world = try await World(configuration: .init(kdfConcurrency: 1, loginFailuresPerAddress: 50))
        // 150 different unknown NIRs, so that no per-NIR lock stops them first.
        let nirs = (1...150).map { "1850575112\(String(1000 + $0).dropFirst())" }
        let statuses = try await world.test { client in
            try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for nir in nirs {
                    group.addTask {
                        try await client.execute(
                            uri: "/api/v1/sessions", method: .post, headers: [.contentType: "application/json"],
                            body: ByteBuffer(string: #"{"nir":"\#(nir)","code":"84061539"}"#)
                        ).status
                    }
                }
                var all: [HTTPResponse.Status] = []
                for try await status in group { all.append(status) }
                return all
            }
        }
        let evaluated = try await world.accounts.store.auditEvents(limit: 10_000).count {
            $0.kind == "login" && $0.outcome == "failure"
        }
        // Never more than the limit; fewer when the gate's share for this address was full (503,
        // nothing counted, the address's reservation given back) while later requests were refused
        // — how many fewer depends on the machine's load (with the other suites running beside
        // it, under 20 was seen), so only "some, never more than the limit" is asserted.
        #expect(evaluated <= 50 && evaluated >= 1, "\(evaluated)")
        #expect(statuses.count { $0 == .unauthorized } == evaluated)
        let others = statuses.filter { ![.unauthorized, .tooManyRequests, .serviceUnavailable].contains($0) }
        #expect(others.isEmpty, "\(others)")
    }

    @Test("re-authentication routes are throttled per address before any code is checked")
    func reauthenticationThrottled() async throws {
        // Two failures per address: under the NIR's own soft lock (3), which would close the session.
        let world = try await World(configuration: .init(kdfConcurrency: 1, loginFailuresPerAddress: 2))
        try await world.test { client in
            let json: HTTPFields = [.contentType: "application/json"]
            let created = try await client.execute(
                uri: "/api/v1/sessions", method: .post, headers: json,
                body: ByteBuffer(string: "{\"nir\":\"\(AccountWorld.nir)\",\"code\":\"\(AccountWorld.goodCode)\"}"))
            let token = try #require(created.text.firstMatch(of: /"jeton":"([^"]+)"/)?.1)
            var headers = json
            headers[.authorization] = "Bearer \(token)"
            var statuses: [HTTPResponse.Status] = []
            for _ in 0..<4 {
                statuses.append(
                    try await client.execute(
                        uri: "/api/v1/compte/email", method: .post, headers: headers,
                        body: ByteBuffer(string: #"{"code":"84061539","email":"pirate@exemple.fr"}"#)
                    ).status)
            }
            // Two wrong codes evaluated, then refused before any check.
            #expect(statuses == [.badRequest, .badRequest, .tooManyRequests, .tooManyRequests], "\(statuses)")
            let evaluated = try await world.accounts.store.auditEvents(limit: 100).count {
                $0.kind == "login" && $0.outcome == "failure"
            }
            #expect(evaluated == 2)
        }
    }

    @Test("size limits: a form over 16 KiB and a JSON body over 64 KiB get 413; a 10 000-digit code gets 400")
    func sizeLimits() async throws {
        let world = try await World()
        try await world.test { client in
            let visitor = Visitor(client)
            try await visitor.get("/")
            let big = try await visitor.post(
                "/connexion", ["nir": AccountWorld.nir, "code": String(repeating: "1", count: 20_000)])
            #expect(big.status == .contentTooLarge)
            let huge = try await client.execute(
                uri: "/api/v1/sessions", method: .post, headers: [.contentType: "application/json"],
                body: ByteBuffer(string: "{\"nir\":\"\(String(repeating: "1", count: 70_000))\",\"code\":\"1\"}"))
            #expect(huge.status == .contentTooLarge)
            let long = try await client.execute(
                uri: "/api/v1/sessions", method: .post, headers: [.contentType: "application/json"],
                body: ByteBuffer(
                    string: "{\"nir\":\"\(AccountWorld.nir)\",\"code\":\"\(String(repeating: "1", count: 10_000))\"}"))
            #expect(long.status == .badRequest)
        }
    }

    @Test("API: bearer sessions, payments, statements, duplicatas, account; errors in JSON; the document served as committed")
    func api() async throws {
        let world = try await World()
        try await world.test { client in
            let json: HTTPFields = [.contentType: "application/json"]
            let created = try await client.execute(
                uri: "/api/v1/sessions", method: .post, headers: json,
                body: ByteBuffer(string: "{\"nir\":\"\(AccountWorld.nir)\",\"code\":\"\(AccountWorld.goodCode)\"}"))
            #expect(created.status == .created)
            let token = try #require(created.text.firstMatch(of: /"jeton":"([^"]+)"/)?.1)
            let auth: HTTPFields = [.authorization: "Bearer \(token)"]
            let payments = try await client.execute(uri: "/api/v1/paiements?vue=detail", method: .get, headers: auth)
            #expect(payments.status == .ok && payments.text.contains("\"vue\" : \"detaillee\""))
            Self.checkHeaders(payments)
            let statements = try await client.execute(uri: "/api/v1/releves", method: .get, headers: auth)
            #expect(statements.text.contains("\"mois\":\"2026-10\""))
            let pdf = try await client.execute(uri: "/api/v1/releves/2026-10", method: .get, headers: auth)
            #expect(pdf.status == .ok && pdf.headers[.contentType] == "application/pdf")
            let missing = try await client.execute(uri: "/api/v1/releves/2026-09", method: .get, headers: auth)
            #expect(missing.status == .notFound && missing.text.contains("\"erreur\""))
            let requested = try await client.execute(
                uri: "/api/v1/duplicatas", method: .post, headers: auth + json, body: ByteBuffer(string: "{\"mois\":\"2026-10\"}")
            )
            #expect(requested.status == .created && requested.text.contains("\"statut\":\"demande\""))
            let again = try await client.execute(
                uri: "/api/v1/duplicatas", method: .post, headers: auth + json, body: ByteBuffer(string: "{\"mois\":\"2026-10\"}")
            )
            #expect(again.status == .ok)
            let account = try await client.execute(uri: "/api/v1/compte", method: .get, headers: auth)
            // Opened this month: paper for this month's statement, paperless from December.
            #expect(account.text.contains("\"courrier\":\"post\"") && account.text.contains("décembre 2026"))
            let anonymous = try await client.execute(uri: "/api/v1/paiements", method: .get)
            #expect(anonymous.status == .unauthorized && anonymous.headers[.wwwAuthenticate] != nil)
            // A bad filter: refused in French once authenticated, and after authentication only
            // (the payments read with the session are read for valid filters only).
            let badFilter = try await client.execute(uri: "/api/v1/paiements?mois=99", method: .get, headers: auth)
            #expect(badFilter.status == .badRequest && badFilter.text.contains("de 1 à 27"))
            let badAnonymous = try await client.execute(uri: "/api/v1/paiements?mois=99", method: .get)
            #expect(badAnonymous.status == .unauthorized)
            let forged = try await client.execute(
                uri: "/api/v1/paiements", method: .get, headers: [.authorization: "Bearer \(String(repeating: "A", count: 43))"])
            #expect(forged.status == .unauthorized)
            let cookieOnly = try await client.execute(
                uri: "/api/v1/paiements", method: .get, headers: [.cookie: "__Host-releve=\(token)"])
            #expect(cookieOnly.status == .unauthorized)  // no ambient credential under /api/
            let wrongType = try await client.execute(
                uri: "/api/v1/sessions", method: .post, headers: [.contentType: "text/plain"], body: ByteBuffer(string: "x"))
            #expect(wrongType.status == .unsupportedMediaType)
            let notJSON = try await client.execute(
                uri: "/api/v1/sessions", method: .post, headers: json, body: ByteBuffer(string: "[1,"))
            #expect(notJSON.status == .badRequest)
            let method = try await client.execute(uri: "/api/v1/releves", method: .put, headers: auth)
            #expect(method.status == .methodNotAllowed && method.headers[.allow] == "GET, HEAD")
            let document = try await client.execute(uri: "/api/v1/openapi.yaml", method: .get)
            let committed = try String(
                contentsOf: Fixtures.packageRoot.appendingPathComponent("docs/openapi.yaml"), encoding: .utf8)
            #expect(document.text == committed)
            let logout = try await client.execute(uri: "/api/v1/sessions", method: .delete, headers: auth)
            #expect(logout.status == .noContent)
            #expect(try await client.execute(uri: "/api/v1/compte", method: .get, headers: auth).status == .unauthorized)
        }
    }
}

extension TestResponse {
    var text: String { String(buffer: body) }
}

func + (lhs: HTTPFields, rhs: HTTPFields) -> HTTPFields {
    var all = lhs
    all.append(contentsOf: rhs)
    return all
}
