import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ReleveDomain
import ReleveService

/// Documents for the logged-in assuré (the payments selection, a payment's décompte, a yearly
/// summary, all as PDF) and the public check of any Releve document, open to anyone.
struct DocumentController: Sendable {
    let web: Web

    var routes: RouteCollection<WebContext> {
        let routes = RouteCollection(context: WebContext.self)
        routes.getAndHead("/paiements.pdf", use: periodPDF)
        routes.getAndHead("/paiements/:reference/decompte.pdf", use: paymentPDF)
        routes.getAndHead("/recapitulatif.pdf", use: yearlyPDF)
        routes.getAndHead("/verifier", use: verificationForm)
        routes.post("/verifier", use: verify)
        return routes
    }

    // MARK: The assuré's documents

    @Sendable func periodPDF(_ request: Request, context: WebContext) async throws -> Response {
        let (user, _) = try await web.viewer(request)
        let selection = try web.paymentsFilter(Form.query(request))
        let document = try await web.documents.period(
            user, filter: selection.filter, detailed: selection.detailed, today: web.today, now: web.now())
        return Self.pdf(document, name: "paiements-\(document.record.from)-\(document.record.to).pdf")
    }

    @Sendable func paymentPDF(_ request: Request, context: WebContext) async throws -> Response {
        let (user, _) = try await web.viewer(request)
        let reference = context.parameters.get("reference")?.removingPercentEncoding ?? ""
        guard let document = try await web.documents.payment(user, reference: reference, today: web.today, now: web.now())
        else {
            if await web.throttle.reserve("authz:\(context.clientIP)", Throttle.Limit(count: 10, seconds: 600)) {
                try await web.payments.auditForeignReference(reference, user: user, channel: "web", now: web.now())
            }
            throw WebError.notFound
        }
        return Self.pdf(document, name: "decompte-\(document.record.from).pdf")
    }

    @Sendable func yearlyPDF(_ request: Request, context: WebContext) async throws -> Response {
        let (user, _) = try await web.viewer(request)
        guard let year = Form.query(request).text("annee").flatMap(Int.init) else {
            throw WebError.badRequest("année : quatre chiffres attendus (par exemple 2025)")
        }
        let document = try await web.documents.yearly(user, year: year, today: web.today, now: web.now())
        return Self.pdf(document, name: "recapitulatif-\(year).pdf")
    }

    static func pdf(_ document: DocumentService.Generated, name: String) -> Response {
        Response(
            status: .ok,
            headers: [
                .contentType: "application/pdf", .cacheControl: "no-store",
                .contentDisposition: DownloadName.contentDisposition(fileName: name),
            ], body: .init(byteBuffer: ByteBuffer(bytes: document.bytes)))
    }

    /// The closed years whose summary an assuré may ask for on `today`, newest first.
    static func summaryYears(today: CivilDate) -> [String] {
        let earliest = today.calendarMonth.adding(months: -(PaymentsService.maxMonths - 1)).firstDay
        return stride(from: today.year - 1, through: earliest.year, by: -1).map(String.init)
    }

    // MARK: The public check

    func render(_ request: Request, _ page: VerificationPage, status: HTTPResponse.Status = .ok) -> Response {
        let (csrf, cookie) = web.formToken(request)
        var response = web.views.page(page, csrf: csrf, flash: nil, status: status)
        if let cookie { response.headers[values: .setCookie].append(cookie) }
        return response
    }

    @Sendable func verificationForm(_ request: Request, context: WebContext) async throws -> Response {
        render(request, VerificationPage())
    }

    @Sendable func verify(_ request: Request, context: WebContext) async throws -> Response {
        // Per address, before reading more than the head: a flood is refused cheaply.
        guard await web.throttle.reserve("verify:\(context.clientIP)", Throttle.Limit(count: 30, seconds: 600)) else {
            throw WebError.throttled("Trop de vérifications depuis votre adresse : réessayez dans 10 minutes.")
        }
        let posted = try await web.postedVerification(request)
        var page = VerificationPage()
        do {
            let answer: DocumentService.CheckAnswer
            if let file = posted.file {
                answer = try await web.documents.check(pdf: file, channel: "web", now: web.now())
            } else {
                page.reference = posted.form["reference"] ?? ""
                page.fingerprint = posted.form["empreinte"] ?? ""
                answer = try await web.documents.check(
                    reference: page.reference, fingerprint: page.fingerprint, channel: "web", now: web.now())
            }
            page.answer = .init(text: answer.french, kind: answer == .unknownOrAltered ? "erreur" : "succes")
            return render(request, page)
        } catch let error as ServiceError where ErrorPages.describe(error).0 == .badRequest {
            page.error = error.webMessage
            return render(request, page, status: .badRequest)
        }
    }
}

extension Web {
    /// The check's POST: a file (multipart, ≤ 2 MB) or a reference and a fingerprint (a form),
    /// with the page's CSRF token either way.
    func postedVerification(_ request: Request) async throws -> (form: Form, file: [UInt8]?) {
        let contentType = request.headers[.contentType] ?? ""
        guard let boundary = Multipart.boundary(contentType: contentType) else {
            return (try await postedForm(request), nil)
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: DocumentService.maxUpload + 64 * 1024)
        } catch is NIOTooManyBytesError {
            throw WebError.tooLarge
        }
        let parts: Multipart
        do {
            parts = try Multipart(body: Array(buffer.readableBytesView), boundary: boundary)
        } catch {
            throw WebError.badRequest("envoi illisible : choisissez le fichier PDF et recommencez")
        }
        try checkFormToken(parts.fields["csrf"], request)
        guard let file = parts.files["fichier"], !file.isEmpty else {
            throw WebError.badRequest("aucun fichier reçu : choisissez le document PDF à vérifier")
        }
        return (Form(""), file)
    }
}
