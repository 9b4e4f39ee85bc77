import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ReleveDomain
import ReleveService

/// The logged-in assuré's pages: payments, statements (PDF, thumbnails, duplicatas), account.
struct AccountController: Sendable {
    let web: Web

    var routes: RouteCollection<WebContext> {
        let routes = RouteCollection(context: WebContext.self)
        routes.getAndHead("/paiements", use: paymentsList)
        routes.getAndHead("/paiements/:reference", use: payment)
        routes.getAndHead("/releves", use: statementsList)
        routes.getAndHead("/releves/:mois", use: statementPDF)
        routes.getAndHead("/releves/:mois/vignette.png", use: thumbnail)
        routes.post("/releves/:mois/duplicata", use: requestDuplicata)
        routes.getAndHead("/compte", use: account)
        routes.post("/compte/email", use: changeEmail)
        routes.post("/compte/code", use: changeCode)
        routes.getAndHead("/compte/resiliation", use: cancellationForm)
        routes.post("/compte/resiliation", use: cancel)
        return routes
    }

    static let flashMessages: [String: (String, String)] = [
        "duplicata": ("Duplicata demandé : il sera imprimé et posté à l'adresse connue de votre caisse.", "succes"),
        "duplicata-deja": (
            "Un duplicata de ce relevé est déjà demandé et pas encore imprimé : aucune nouvelle demande.", "message"
        ),
        "code": ("Code personnel changé. Vos autres connexions ont été fermées ; un e-mail vous le confirme.", "succes"),
    ]

    /// A page of the assuré, with the menu and the logout form.
    func render(
        _ page: some PageModel, section: String?, user: AccountService.Authenticated, token: String,
        flash: (text: String, kind: String)? = nil, status: HTTPResponse.Status = .ok
    ) -> Response {
        web.views.page(
            page, viewer: .init(name: user.person.person.fullName, csrf: web.security.csrfToken(for: token), section: section),
            flash: flash, status: status)
    }

    // MARK: Payments

    @Sendable func paymentsList(_ request: Request, context: WebContext) async throws -> Response {
        let (user, token) = try await web.viewer(request, paymentsIn: web.paymentsWindow(Form.query(request)))
        return try await paymentsPage(request, user: user, token: token)
    }

    @Sendable func payment(_ request: Request, context: WebContext) async throws -> Response {
        let (user, token) = try await web.viewer(request)
        let reference = context.parameters.get("reference")?.removingPercentEncoding ?? ""
        let report = try await web.payments.report(
            for: user.person.person, filter: .init(months: PaymentsService.maxMonths), today: web.today)
        guard let payment = report.payments.first(where: { $0.reference == reference }) else {
            // At most 10 such audit rows per address and 10 minutes: a flood of guesses must
            // not become a flood of durable writes.
            if await web.throttle.reserve("authz:\(context.clientIP)", Throttle.Limit(count: 10, seconds: 600)) {
                try await web.payments.auditForeignReference(reference, user: user, channel: "web", now: web.now())
            }
            throw WebError.notFound
        }
        return render(PaymentPage(payment, report: report), section: "paiements", user: user, token: token)
    }

    func paymentsPage(_ request: Request, user: AccountService.Authenticated, token: String) async throws -> Response {
        let query = Form.query(request)
        let person = user.person.person
        var error: String?
        var status = HTTPResponse.Status.ok
        var selection: (filter: PaymentsService.Filter, detailed: Bool)
        var report: PaymentsReport
        do {
            selection = try web.paymentsFilter(query)
            report = try await web.payments.report(
                for: person, filter: selection.filter, today: web.today, read: user.payments)
        } catch let refusal as ServiceError where ErrorPages.describe(refusal).0 == .badRequest {
            error = refusal.webMessage
            status = .badRequest
            selection = (.init(), query.text("vue") == "detail")
            report = try await web.payments.report(for: person, filter: selection.filter, today: web.today)
        }
        let detailed = selection.detailed
        let switchHref = Self.sameSelection("/paiements", request, view: detailed ? "synthese" : "detail")
        let wantedRank = selection.filter.beneficiary.flatMap(Int.init)
        let (chart, chartText) = Chart.svg(report.everyMonthTotal)
        // The table rows are built here rather than in a Mustache section: with dozens of rows,
        // Mustache's lookups through `Any` were a quarter of the page's CPU (docs/BENCHMARKS.md).
        // Every value goes through `HTML.escape`.
        var rows = ""
        rows.reserveCapacity(report.payments.count * 400)
        let e = HTML.escape
        for payment in report.payments {
            let link = "<a href=\"/paiements/\(Self.pathSegment(payment.reference))\">"
            let transmitted = payment.transmittedToComplementaire ? "transmis" : "non transmis"
            if detailed {
                for line in payment.lines {
                    // A deduction has no amount paid, base or rate: a dash, not "0,00 € | 0 %".
                    let act = line.kind == .act
                    let label = act ? e(line.label) : "\(e(line.label)) (déduction)"
                    rows += "<tr><td data-label=\"Paiement\">\(link)\(payment.date.formatted)</a></td>"
                    rows += "<td data-label=\"Soins du\">\(line.careDate.formatted)</td>"
                    rows += "<td data-label=\"Bénéficiaire\">\(e(report.beneficiaryName(line.beneficiaryRank)))</td>"
                    rows += "<td data-label=\"Nature\">\(label)</td>"
                    rows += "<td class=\"montant\" data-label=\"Payé\">\(act ? line.paid.formatted : "—")</td>"
                    rows += "<td class=\"montant\" data-label=\"Base\">\(act ? line.base.formatted : "—")</td>"
                    rows += "<td class=\"montant\" data-label=\"Taux\">\(act ? line.rate.formatted : "—")</td>"
                    rows += "<td class=\"montant\" data-label=\"Remboursé\">\(line.reimbursed.formatted)</td>"
                    rows +=
                        "<td data-label=\"Complémentaire\">\(line.transmittedToComplementaire ? "transmis" : "non transmis")</td></tr>\n"
                }
            } else {
                let names = payment.beneficiaryRanks.map(report.beneficiaryName).joined(separator: ", ")
                rows += "<tr><td data-label=\"Date\">\(link)\(payment.date.formatted)</a></td>"
                rows +=
                    "<td data-label=\"Bénéficiaires\">\(e(names))</td><td data-label=\"Versé à\">\(e(payment.payee.french))</td>"
                rows += "<td class=\"montant\" data-label=\"Payé\">\(payment.totalPaid.formatted)</td>"
                rows += "<td class=\"montant\" data-label=\"Remboursé\">\(payment.totalReimbursed.formatted)</td>"
                rows += "<td data-label=\"Complémentaire\">\(transmitted)</td></tr>\n"
            }
        }
        var page = PaymentsPage(
            period: "Du \(report.from.formatted) au \(report.to.formatted), vue \(detailed ? "détaillée" : "synthétique")",
            switchHref: switchHref,
            switchLabel: detailed
                ? "Passer à la vue synthétique (un paiement par ligne)" : "Passer à la vue détaillée (un acte par ligne)",
            view: detailed ? "detail" : "synthese",
            monthOptions: Choice.options(
                [1, 3, 6, 12, 18, 24, 27].map {
                    Choice(
                        value: String($0), label: $0 == 1 ? "le dernier mois" : "les \($0) derniers mois",
                        selected: $0 == selection.filter.months)
                }),
            beneficiaryOptions: Choice.options(
                person.beneficiaries.map {
                    Choice(value: String($0.rank), label: $0.firstName, selected: $0.rank == wantedRank)
                }),
            natureOptions: Choice.options(
                CareNature.allCases.map {
                    Choice(value: $0.rawValue, label: $0.french, selected: $0 == selection.filter.nature)
                }),
            from: query.text("du") ?? "", to: query.text("au") ?? "", error: error, chart: chart, chartText: chartText,
            totalPaid: report.totalPaid.formatted, totalReimbursed: report.totalReimbursed.formatted,
            totalDeductions: (-report.totalDeductions).formatted, totalRemaining: report.totalRemaining.formatted,
            empty: report.payments.isEmpty, synthetic: detailed ? nil : TableRows(rows: rows),
            detailed: detailed ? TableRows(rows: rows) : nil)
        // The PDF of exactly this selection (the same query, the view included).
        page.pdfHref = Self.sameSelection("/paiements.pdf", request, view: detailed ? "detail" : "synthese")
        return render(page, section: "paiements", user: user, token: token, status: status)
    }

    /// `path` with the request's query (the payments selection), `vue` set to `view`.
    static func sameSelection(_ path: String, _ request: Request, view: String) -> String {
        var query = request.uri.query.map { Form($0).values } ?? [:]
        query["vue"] = view
        return path + "?"
            + query.sorted { $0.key < $1.key }.map {
                "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")"
            }.joined(separator: "&")
    }

    /// A value as one URL path segment: letters, digits, `-`, `_`, `.` kept, the rest escaped.
    static func pathSegment(_ value: String) -> String {
        var out = ""
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += "%" + (byte < 16 ? "0" : "") + String(byte, radix: 16, uppercase: true)
            }
        }
        return out
    }

    // MARK: Statements

    @Sendable func statementsList(_ request: Request, context: WebContext) async throws -> Response {
        let (user, token) = try await web.viewer(request)
        let flash = Form.query(request).text("message").flatMap { Self.flashMessages[$0] }
        return try await statementsPage(user: user, token: token, flash: flash)
    }

    func statementsPage(
        user: AccountService.Authenticated, token: String, flash: (String, String)?, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let list = try await web.statements.statements(of: user)
        let requests = try await web.accounts.duplicatas(user)
        let (_, mode) = try await web.accounts.delivery(user, now: web.now())
        return render(
            {
                var page = StatementsPage(statements: list, requests: requests, delivery: mode)
                page.years = DocumentController.summaryYears(today: web.today)
                page.hasYears = !page.years.isEmpty
                return page
            }(), section: "releves", user: user, token: token, flash: flash, status: status)
    }

    @Sendable func statementPDF(_ request: Request, context: WebContext) async throws -> Response {
        let (user, _) = try await web.viewer(request)
        let name = context.parameters.get("mois") ?? ""
        guard name.hasSuffix(".pdf"), let month = try? Month(parsing: String(name.dropLast(4))) else {
            throw WebError.notFound
        }
        return try await web.pdfResponse(user: user, month: month)
    }

    @Sendable func thumbnail(_ request: Request, context: WebContext) async throws -> Response {
        let (user, _) = try await web.viewer(request)
        guard let month = try? Month(parsing: context.parameters.get("mois") ?? "") else { throw WebError.notFound }
        let png: [UInt8]
        do { png = try await web.statements.thumbnail(user, month: month, today: web.today) } catch ServiceError.invalidValue {
            throw WebError.notFound
        }
        return Response(
            status: .ok, headers: [.contentType: "image/png", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(bytes: png)))
    }

    @Sendable func requestDuplicata(_ request: Request, context: WebContext) async throws -> Response {
        let (user, token) = try await web.viewer(request)
        _ = try await web.postedForm(request)
        guard let month = try? Month(parsing: context.parameters.get("mois") ?? "") else { throw WebError.notFound }
        do {
            switch try await web.accounts.requestDuplicata(user, month: month, channel: .web, now: web.now()) {
            case .requested: return Views.redirect("/releves?message=duplicata")
            case .alreadyRequested: return Views.redirect("/releves?message=duplicata-deja")
            }
        } catch let error as ServiceError {
            let status = ErrorPages.describe(error).0
            guard status == .badRequest || status == .tooManyRequests else { throw error }
            return try await statementsPage(user: user, token: token, flash: (error.webMessage, "erreur"), status: status)
        }
    }

    // MARK: Account

    @Sendable func account(_ request: Request, context: WebContext) async throws -> Response {
        let (user, token) = try await web.viewer(request)
        let flash = Form.query(request).text("message").flatMap { Self.flashMessages[$0] }
        return try await accountOverview(user: user, token: token, flash: flash)
    }

    func accountOverview(
        user: AccountService.Authenticated, token: String, flash: (String, String)?, status: HTTPResponse.Status = .ok,
        newEmail: String = ""
    ) async throws -> Response {
        let (_, mode) = try await web.accounts.delivery(user, now: web.now())
        var page = AccountOverviewPage(
            user: user, delivery: mode, today: web.today, now: web.now(), policy: web.accounts.policy)
        page.provider = web.federation.providerName
        page.newEmail = newEmail
        return render(page, section: "compte", user: user, token: token, flash: flash, status: status)
    }

    @Sendable func changeEmail(_ request: Request, context: WebContext) async throws -> Response {
        let (user, token) = try await web.viewer(request)
        let form = try await web.postedForm(request)
        let accounts = web.accounts
        let now = web.now()
        do {
            let message = try await web.checkingCode(context, channel: .web) {
                try await accounts.changeEmail(
                    token: token, code: form["code"] ?? "", newEmail: form["email"] ?? "", channel: .web, now: now)
            }
            let refreshed = try await accounts.authenticate(token: token, now: now)
            return try await accountOverview(user: refreshed, token: token, flash: (message, "succes"))
        } catch let error as ServiceError where ErrorPages.isFormRefusal(error) {
            return try await accountOverview(
                user: user, token: token, flash: (error.webMessage, "erreur"), status: ErrorPages.describe(error).0,
                newEmail: form["email"] ?? "")
        }
    }

    @Sendable func changeCode(_ request: Request, context: WebContext) async throws -> Response {
        let (user, token) = try await web.viewer(request)
        let form = try await web.postedForm(request)
        let accounts = web.accounts
        let now = web.now()
        do {
            let session = try await web.checkingCode(context, channel: .web) {
                try await accounts.changeCode(
                    token: token, current: form["actuel"] ?? "", new: form["nouveau"] ?? "",
                    confirmation: form["confirmation"] ?? "", channel: .web, now: now)
            }
            var response = Views.redirect("/compte?message=code")
            response.headers[values: .setCookie].append(web.sessionCookie(session.token))
            return response
        } catch let error as ServiceError where ErrorPages.isFormRefusal(error) {
            return try await accountOverview(
                user: user, token: token, flash: (error.webMessage, "erreur"), status: ErrorPages.describe(error).0)
        }
    }

    @Sendable func cancellationForm(_ request: Request, context: WebContext) async throws -> Response {
        let (user, token) = try await web.viewer(request)
        return render(cancellationPage(user), section: "compte", user: user, token: token)
    }

    func cancellationPage(_ user: AccountService.Authenticated, error: String? = nil) -> CancellationPage {
        var page = CancellationPage(error: error)
        page.federated = user.method == FederationService.method
        page.fresh = user.freshFederatedLogin(now: web.now(), policy: web.accounts.policy)
        page.provider = web.federation.providerName
        return page
    }

    @Sendable func cancel(_ request: Request, context: WebContext) async throws -> Response {
        let (user, token) = try await web.viewer(request)
        let form = try await web.postedForm(request)
        let accounts = web.accounts
        let now = web.now()
        do {
            _ = try await web.checkingCode(context, channel: .web) {
                try await accounts.cancelAccount(
                    token: token, code: form["code"] ?? "", confirmed: form["confirmer"] == "oui", channel: .web, now: now)
            }
            var response = Views.redirect("/?message=resilie")
            response.headers[values: .setCookie].append(Security.setCookie(Security.sessionCookie, "", maxAge: 0))
            return response
        } catch let error as ServiceError where ErrorPages.isFormRefusal(error) {
            return render(
                cancellationPage(user, error: error.webMessage), section: "compte", user: user, token: token,
                status: ErrorPages.describe(error).0)
        }
    }
}

/// Shared by the pages and the JSON API.
extension Web {
    /// The window the query's payments cover, to read them with the session (one read for the
    /// page or API call); nil for an invalid query, refused after authentication as before, or
    /// when a replica serves the payments.
    func paymentsWindow(_ query: Form) -> PaymentsService.Window? {
        (try? paymentsFilter(query)).flatMap { payments.prefetchWindow($0.filter, today: today) }
    }

    /// The filters of the CLI, from the query string.
    func paymentsFilter(_ query: Form) throws -> (filter: PaymentsService.Filter, detailed: Bool) {
        var filter = PaymentsService.Filter()
        if let months = query["mois"] {
            guard let value = Int(months), (1...PaymentsService.maxMonths).contains(value) else {
                throw ServiceError.invalidValue(.invalid(field: "mois", reason: "de 1 à \(PaymentsService.maxMonths)"))
            }
            filter.months = value
        }
        do {
            filter.from = try query.text("du").map { try CivilDate(parsing: $0) }
            filter.to = try query.text("au").map { try CivilDate(parsing: $0) }
        } catch let error as DomainError {
            throw ServiceError.invalidValue(error)
        }
        filter.beneficiary = query.text("beneficiaire")
        if let nature = query.text("nature") {
            guard let value = CareNature(rawValue: nature) else {
                throw ServiceError.invalidValue(.invalid(field: "nature", reason: "inconnue"))
            }
            filter.nature = value
        }
        let view = query.text("vue") ?? "synthese"
        guard view == "synthese" || view == "detail" else {
            throw ServiceError.invalidValue(.invalid(field: "vue", reason: "synthese ou detail"))
        }
        return (filter, view == "detail")
    }

    func pdfResponse(user: AccountService.Authenticated, month: Month) async throws -> Response {
        let bytes: [UInt8]
        do {
            bytes = try await statements.download(user, month: month, today: today).1
        } catch ServiceError.invalidValue {
            throw WebError.notFound
        }
        let name = "releve-\(month).pdf"
        return Response(
            status: .ok,
            headers: [
                .contentType: "application/pdf", .cacheControl: "no-store",
                .contentDisposition: DownloadName.contentDisposition(fileName: name),
            ], body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// The logged-in assuré behind the session cookie, or a redirect to the home page.
    /// With `paymentsIn`, the assuré's payments of that window are read with the session.
    func viewer(_ request: Request, paymentsIn window: PaymentsService.Window? = nil) async throws -> (
        user: AccountService.Authenticated, token: String
    ) {
        guard let token = Security.cookies(request)[Security.sessionCookie], Token.isWellFormed(token) else {
            throw WebError.loginRequired
        }
        do {
            return (try await accounts.authenticate(token: token, now: now(), paymentsIn: window), token)
        } catch ServiceError.notAuthenticated {
            throw WebError.loginRequired
        }
    }
}

/// The monthly bar chart, as inline SVG (no script, no style attribute) with a text alternative.
enum Chart {
    static func svg(_ months: [PaymentsReport.MonthTotal]) -> (svg: String, text: String) {
        let text =
            months.isEmpty
            ? "Aucun remboursement sur la période."
            : "Remboursements par mois : "
                + months.map { "\($0.month.formatted) : \($0.reimbursed.formatted)" }.joined(separator: " ; ")
                + "."
        let width = 640.0
        let height = 200.0
        let maximum = max(1, months.map(\.reimbursed.rawValue).max() ?? 1)
        let slot = months.isEmpty ? width : width / Double(months.count)
        // Every month has its bar; when bars are narrow, one month in `every` is labelled (the
        // text alternative lists them all).
        let every = max(1, Int((56 / slot).rounded(.up)))
        var bars = ""
        for (index, month) in months.enumerated() {
            let h = (height - 40) * Double(max(0, month.reimbursed.rawValue)) / Double(maximum)
            let x = Double(index) * slot + slot * 0.15
            bars += """
                <rect x="\(Int(x))" y="\(Int(height - 20 - h))" width="\(Int(slot * 0.7))" height="\(Int(h))" fill="#0b4f9c"></rect>
                """
            guard index % every == 0 else { continue }
            bars += """
                <text x="\(Int(x + slot * 0.35))" y="\(Int(height - 5))" font-size="11" text-anchor="middle" fill="#1b1b1b">\(HTML.escape(shortLabel(month.month)))</text>\
                <text x="\(Int(x + slot * 0.35))" y="\(Int(max(12, height - 24 - h)))" font-size="10" text-anchor="middle" fill="#1b1b1b">\(HTML.escape(month.reimbursed.formatted))</text>
                """
        }
        let svg = """
            <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \(Int(width)) \(Int(height))" width="\(Int(width))" height="\(Int(height))" role="img" aria-label="\(HTML.escape(text))">\(bars)</svg>
            """
        return (svg, text)
    }

    static func shortLabel(_ month: Month) -> String { French.shortMonth(month) }
}
