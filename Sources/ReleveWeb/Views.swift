import Foundation
import HTTPTypes
import Hummingbird
import Mustache
import NIOCore
import ReleveDomain
import ReleveService

/// What `{{x}}` escapes with: the same five characters as Mustache's own HTML type (`& < > " '`),
/// through `HTML.escape`, which returns text without any of them as it is. Mustache's escaping
/// looks every character up in a dictionary: 8 % of the server's time on « Mes paiements ».
/// Every template starts with the pragma naming it (a partial starts over with Mustache's own).
struct EscapedHTML: MustacheContentType {
    static let name = "HTML_RELEVE"
    func escapeText(_ text: String) -> String { HTML.escape(text) }
}

/// Renders pages: a page model through its template, inside the layout, as a `Response`.
struct Views: Sendable {
    let library: MustacheLibrary
    let demo: Bool

    init(demo: Bool) throws {
        MustacheContentTypes.register(EscapedHTML(), named: EscapedHTML.name)
        var library = MustacheLibrary()
        for template in Template.allCases {
            try library.register("{{% CONTENT_TYPE: \(EscapedHTML.name)}}" + template.source, named: template.rawValue)
        }
        self.library = library
        self.demo = demo
    }

    /// Who is shown as logged in, and the CSRF token for the layout's logout form.
    struct Viewer: Sendable {
        var name: String
        var csrf: String
        var section: String?
    }

    /// The page's HTML, without the layout; nil only if its template failed to render.
    func body<Page: PageModel>(_ page: Page) -> String? {
        library.render(page, withTemplate: Page.template.rawValue)
    }

    func page<Page: PageModel>(
        _ page: Page, viewer: Viewer? = nil, csrf: String? = nil, flash: (text: String, kind: String)? = nil,
        status: HTTPResponse.Status = .ok
    ) -> Response {
        var page = page
        page.csrf = viewer?.csrf ?? csrf ?? ""
        guard let body = body(page) else {
            return Self.html("Erreur interne : page impossible à afficher.", status: .internalServerError)
        }
        let layout = LayoutModel(
            title: page.title, body: body, csrf: page.csrf, demo: demo,
            user: viewer.map {
                .init(
                    name: $0.name, navPaiements: $0.section == "paiements", navReleves: $0.section == "releves",
                    navCompte: $0.section == "compte")
            }, flash: flash.map { .init(text: $0.text, kind: $0.kind) })
        return Self.html(library.render(layout, withTemplate: Template.layout.rawValue) ?? "", status: status)
    }

    static func html(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "text/html; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func redirect(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location])
    }
}
