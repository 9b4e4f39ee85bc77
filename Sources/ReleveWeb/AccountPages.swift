import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ReleveDomain
import ReleveService

extension Web {
    /// The logged-in assuré behind the session cookie, or a redirect to the home page.
    func viewer(_ request: Request) async throws -> (user: AccountService.Authenticated, token: String) {
        guard let token = Security.cookies(request)[Security.sessionCookie], Token.isWellFormed(token) else {
            throw WebError.loginRequired
        }
        do {
            return (try await accounts.authenticate(token: token, now: now()), token)
        } catch ServiceError.notAuthenticated {
            throw WebError.loginRequired
        }
    }

    func accountPage(
        _ template: String, title: String, section: String?, user: AccountService.Authenticated, token: String,
        context: [String: Any] = [:], flash: (text: String, kind: String)? = nil, status: HTTPResponse.Status = .ok
    ) -> Response {
        views.page(
            template, title: title, context: context,
            viewer: .init(name: user.person.person.fullName, csrf: security.csrfToken(for: token), section: section),
            flash: flash, status: status)
    }

    static let accountFlash: [String: (String, String)] = [
        "duplicata": ("Duplicata demandé : il sera imprimé et posté à l'adresse connue de votre caisse.", "succes"),
        "duplicata-deja": (
            "Un duplicata de ce relevé est déjà demandé et pas encore imprimé : aucune nouvelle demande.", "message"
        ),
        "code": ("Code personnel changé. Vos autres connexions ont été fermées ; un e-mail vous le confirme.", "succes"),
    ]

    func addAccountPages(to router: Router<WebContext>) {
        router.get("/paiements") { request, _ -> Response in
            let (user, token) = try await viewer(request)
            return try await paymentsPage(request, user: user, token: token)
        }
        router.get("/paiements/:reference") { request, context -> Response in
            let (user, token) = try await viewer(request)
            let reference = context.parameters.get("reference")?.removingPercentEncoding ?? ""
            let report = try await payments.report(
                for: user.person.person, filter: .init(months: PaymentsService.maxMonths), today: today)
            guard let payment = report.payments.first(where: { $0.reference == reference }) else {
                // At most 10 such audit rows per address and 10 minutes: a flood of guesses must
                // not become a flood of durable writes.
                if await throttle.reserve("authz:\(context.clientIP)", Throttle.Limit(count: 10, seconds: 600)) {
                    try await payments.auditForeignReference(reference, user: user, channel: "web", now: now())
                }
                throw WebError.notFound
            }
            return accountPage(
                "paiement", title: "Paiement du \(payment.date.formatted)", section: "paiements", user: user, token: token,
                context: Self.paymentContext(payment, report: report))
        }
        router.get("/releves") { request, _ -> Response in
            let (user, token) = try await viewer(request)
            let flash = Form.query(request).text("message").flatMap { Self.accountFlash[$0] }
            return try await statementsPage(user: user, token: token, flash: flash)
        }
        router.get("/releves/:mois") { request, context -> Response in
            let (user, _) = try await viewer(request)
            let name = context.parameters.get("mois") ?? ""
            guard name.hasSuffix(".pdf"), let month = try? Month(parsing: String(name.dropLast(4))) else {
                throw WebError.notFound
            }
            return try await pdfResponse(user: user, month: month)
        }
        router.get("/releves/:mois/vignette.png") { request, context -> Response in
            let (user, _) = try await viewer(request)
            guard let month = try? Month(parsing: context.parameters.get("mois") ?? "") else { throw WebError.notFound }
            let png: [UInt8]
            do { png = try await statements.thumbnail(user, month: month, today: today) } catch ServiceError.invalidValue {
                throw WebError.notFound
            }
            return Response(
                status: .ok, headers: [.contentType: "image/png", .cacheControl: "no-store"],
                body: .init(byteBuffer: ByteBuffer(bytes: png)))
        }
        router.post("/releves/:mois/duplicata") { request, context -> Response in
            let (user, token) = try await viewer(request)
            _ = try await postedForm(request)
            guard let month = try? Month(parsing: context.parameters.get("mois") ?? "") else { throw WebError.notFound }
            do {
                switch try await accounts.requestDuplicata(user, month: month, channel: .web, now: now()) {
                case .requested: return Views.redirect("/releves?message=duplicata")
                case .alreadyRequested: return Views.redirect("/releves?message=duplicata-deja")
                }
            } catch let error as ServiceError {
                let status = ErrorPages.describe(error).0
                guard status == .badRequest || status == .tooManyRequests else { throw error }
                return try await statementsPage(user: user, token: token, flash: (error.message, "erreur"), status: status)
            }
        }
        router.get("/compte") { request, _ -> Response in
            let (user, token) = try await viewer(request)
            let flash = Form.query(request).text("message").flatMap { Self.accountFlash[$0] }
            return try await accountOverview(user: user, token: token, flash: flash)
        }
        router.post("/compte/email") { request, context -> Response in
            let (user, token) = try await viewer(request)
            let form = try await postedForm(request)
            do {
                let message = try await checkingCode(context, channel: .web) {
                    try await accounts.changeEmail(
                        token: token, code: form["code"] ?? "", newEmail: form["email"] ?? "", channel: .web, now: now())
                }
                let refreshed = try await accounts.authenticate(token: token, now: now())
                return try await accountOverview(user: refreshed, token: token, flash: (message, "succes"))
            } catch let error as ServiceError where ErrorPages.describe(error).0 == .badRequest {
                return try await accountOverview(user: user, token: token, flash: (error.message, "erreur"), status: .badRequest)
            }
        }
        router.post("/compte/code") { request, context -> Response in
            let (user, token) = try await viewer(request)
            let form = try await postedForm(request)
            do {
                let session = try await checkingCode(context, channel: .web) {
                    try await accounts.changeCode(
                        token: token, current: form["actuel"] ?? "", new: form["nouveau"] ?? "",
                        confirmation: form["confirmation"] ?? "", channel: .web, now: now())
                }
                var response = Views.redirect("/compte?message=code")
                response.headers[values: .setCookie].append(sessionCookie(session.token))
                return response
            } catch let error as ServiceError where ErrorPages.describe(error).0 == .badRequest {
                return try await accountOverview(user: user, token: token, flash: (error.message, "erreur"), status: .badRequest)
            }
        }
        router.get("/compte/resiliation") { request, _ -> Response in
            let (user, token) = try await viewer(request)
            return accountPage(
                "resiliation", title: "Résilier mon compte", section: "compte", user: user, token: token,
                context: ["consequences": AccountService.cancellationConsequences])
        }
        router.post("/compte/resiliation") { request, context -> Response in
            let (user, token) = try await viewer(request)
            let form = try await postedForm(request)
            do {
                _ = try await checkingCode(context, channel: .web) {
                    try await accounts.cancelAccount(
                        token: token, code: form["code"] ?? "", confirmed: form["confirmer"] == "oui", channel: .web, now: now())
                }
                var response = Views.redirect("/?message=resilie")
                response.headers[values: .setCookie].append(Security.setCookie(Security.sessionCookie, "", maxAge: 0))
                return response
            } catch let error as ServiceError where ErrorPages.describe(error).0 == .badRequest {
                return accountPage(
                    "resiliation", title: "Résilier mon compte", section: "compte", user: user, token: token,
                    context: ["consequences": AccountService.cancellationConsequences, "error": error.message],
                    status: .badRequest)
            }
        }
    }

    // MARK: Payments

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

    func paymentsPage(_ request: Request, user: AccountService.Authenticated, token: String) async throws -> Response {
        let query = Form.query(request)
        let person = user.person.person
        var context: [String: Any] = [:]
        var status = HTTPResponse.Status.ok
        var selection: (filter: PaymentsService.Filter, detailed: Bool)
        var report: PaymentsReport
        do {
            selection = try paymentsFilter(query)
            report = try await payments.report(for: person, filter: selection.filter, today: today)
        } catch let error as ServiceError where ErrorPages.describe(error).0 == .badRequest {
            context["error"] = error.message
            status = .badRequest
            selection = (.init(), query.text("vue") == "detail")
            report = try await payments.report(for: person, filter: selection.filter, today: today)
        }
        let detailed = selection.detailed
        var switchQuery = request.uri.query.map { Form($0).values } ?? [:]
        switchQuery["vue"] = detailed ? "synthese" : "detail"
        context["view"] = detailed ? "detail" : "synthese"
        context["switchHref"] =
            "/paiements?"
            + switchQuery.sorted { $0.key < $1.key }.map {
                "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")"
            }.joined(separator: "&")
        context["switchLabel"] =
            detailed ? "Passer à la vue synthétique (un paiement par ligne)" : "Passer à la vue détaillée (un acte par ligne)"
        context["period"] = "Du \(report.from.formatted) au \(report.to.formatted), vue \(detailed ? "détaillée" : "synthétique")"
        context["monthChoices"] = [1, 3, 6, 12, 18, 24, 27].map { ["value": $0, "selected": $0 == selection.filter.months] }
        let wantedRank = selection.filter.beneficiary.flatMap(Int.init)
        context["beneficiaries"] = person.beneficiaries.map {
            ["rank": $0.rank, "name": $0.firstName, "selected": $0.rank == wantedRank]
        }
        context["natures"] = CareNature.allCases.map {
            ["value": $0.rawValue, "label": $0.french, "selected": $0 == selection.filter.nature]
        }
        context["from"] = query.text("du") ?? ""
        context["to"] = query.text("au") ?? ""
        context["totalPaid"] = report.totalPaid.formatted
        context["totalReimbursed"] = report.totalReimbursed.formatted
        context["totalDeductions"] = report.totalDeductions.formatted
        context["totalRemaining"] = report.totalRemaining.formatted
        context["empty"] = report.payments.isEmpty
        let (chart, text) = Chart.svg(report.monthTotals.sorted { $0.month < $1.month })
        context["chart"] = chart
        context["chartText"] = text
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
                    rows += "<tr><td>\(link)\(payment.date.formatted)</a></td><td>\(line.careDate.formatted)</td>"
                    rows += "<td>\(e(report.beneficiaryName(line.beneficiaryRank)))</td><td>\(e(line.label))</td>"
                    rows += "<td class=\"montant\">\(line.paid.formatted)</td><td class=\"montant\">\(line.base.formatted)</td>"
                    rows +=
                        "<td class=\"montant\">\(line.rate.formatted)</td><td class=\"montant\">\(line.reimbursed.formatted)</td>"
                    rows += "<td>\(line.transmittedToComplementaire ? "transmis" : "non transmis")</td></tr>\n"
                }
            } else {
                let names = payment.beneficiaryRanks.map(report.beneficiaryName).joined(separator: ", ")
                rows += "<tr><td>\(link)\(payment.date.formatted)</a></td><td>\(e(names))</td><td>\(e(payment.payee.french))</td>"
                rows += "<td class=\"montant\">\(payment.totalPaid.formatted)</td>"
                rows += "<td class=\"montant\">\(payment.totalReimbursed.formatted)</td><td>\(transmitted)</td></tr>\n"
            }
        }
        context[detailed ? "detailed" : "synthetic"] = ["rows": rows]
        return accountPage(
            "paiements", title: "Mes paiements", section: "paiements", user: user, token: token, context: context, status: status)
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

    static func paymentContext(_ payment: Payment, report: PaymentsReport) -> [String: Any] {
        [
            "date": payment.date.formatted, "reference": payment.reference, "payee": payment.payee.french,
            "kind": payment.kind.french, "reimbursed": payment.totalReimbursed.formatted,
            "explanation":
                "Remboursé = base × taux pour chaque acte, moins les participations forfaitaires et franchises. Le reste à charge est ce qui n'a pas été remboursé par l'Assurance Maladie.",
            "lines": payment.lines.map { line in
                [
                    "careDate": line.careDate.formatted, "beneficiary": report.beneficiaryName(line.beneficiaryRank),
                    "label": line.label, "professional": line.professional ?? "", "paid": line.paid.formatted,
                    "base": line.base.formatted, "rate": line.rate.formatted, "reimbursed": line.reimbursed.formatted,
                    "remaining": line.remainingCost.formatted,
                    "transmitted": line.transmittedToComplementaire ? "transmis" : "non transmis",
                ]
            },
        ]
    }

    // MARK: Statements

    func statementsPage(
        user: AccountService.Authenticated, token: String, flash: (String, String)?, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let list = try await statements.statements(of: user)
        let requests = try await accounts.duplicatas(user)
        let (_, mode) = try await accounts.delivery(user, now: now())
        return accountPage(
            "releves", title: "Mes relevés", section: "releves", user: user, token: token,
            context: [
                "delivery": "Votre relevé du mois en cours : \(mode.explanation).", "empty": list.isEmpty,
                "statements": list.map {
                    [
                        "month": $0.month.description, "monthLabel": $0.month.formatted, "payments": $0.payments,
                        "reimbursed": $0.reimbursed.formatted, "pages": $0.pages, "fingerprint": $0.fingerprint,
                    ]
                },
                "hasRequests": !requests.isEmpty,
                "requests": requests.map { ["month": $0.month.formatted, "status": $0.statusText] },
            ], flash: flash, status: status)
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

    // MARK: Account

    func accountOverview(
        user: AccountService.Authenticated, token: String, flash: (String, String)?, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let person = user.person.person
        let (_, mode) = try await accounts.delivery(user, now: now())
        let doctor =
            person.doctor.map { "\($0.name), déclaré le \($0.since.formatted)." }
            ?? "Aucun médecin traitant déclaré : vos consultations sont remboursées à 30 % au lieu de 70 %. Déclarez-en un avec lui, lors d'une consultation."
        return accountPage(
            "compte", title: "Mon compte", section: "compte", user: user, token: token,
            context: [
                "name": person.fullName, "nir": person.nir.formatted, "caisse": "\(person.caisse.name) (\(person.regime.name))",
                "address": "\(person.address.lines.joined(separator: ", ")), \(person.address.postalCode) \(person.address.city)",
                "doctor": doctor, "email": user.email, "confirmed": user.emailConfirmed,
                "delivery": "Votre relevé du mois en cours : \(mode.explanation).",
                "beneficiaries": person.beneficiaries.map { b in
                    [
                        "name": b.firstName,
                        "complementaire": b.complementaire.map {
                            "\($0.name)"
                                + ($0.noemieLinkActive ? " (reçoit vos remboursements par NOEMIE)" : " (pas de liaison NOEMIE)")
                        } ?? "pas de complémentaire connue",
                    ]
                },
            ], flash: flash, status: status)
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
        var bars = ""
        for (index, month) in months.enumerated() {
            let h = (height - 40) * Double(max(0, month.reimbursed.rawValue)) / Double(maximum)
            let x = Double(index) * slot + slot * 0.15
            bars += """
                <rect x="\(Int(x))" y="\(Int(height - 20 - h))" width="\(Int(slot * 0.7))" height="\(Int(h))" fill="#0b4f9c"></rect>\
                <text x="\(Int(x + slot * 0.35))" y="\(Int(height - 5))" font-size="11" text-anchor="middle" fill="#1b1b1b">\(HTML.escape(shortLabel(month.month)))</text>\
                <text x="\(Int(x + slot * 0.35))" y="\(Int(max(12, height - 24 - h)))" font-size="10" text-anchor="middle" fill="#1b1b1b">\(HTML.escape(month.reimbursed.formatted))</text>
                """
        }
        let svg = """
            <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \(Int(width)) \(Int(height))" width="\(Int(width))" height="\(Int(height))" role="img" aria-label="\(HTML.escape(text))">\(bars)</svg>
            """
        return (svg, text)
    }

    static func shortLabel(_ month: Month) -> String {
        let names = ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."]
        return "\(names[month.month - 1]) \(month.year % 100)"
    }
}
