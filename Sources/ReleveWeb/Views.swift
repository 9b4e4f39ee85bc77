import Foundation
import HTTPTypes
import Hummingbird
import Mustache
import NIOCore
import ReleveDomain
import ReleveService

/// Renders pages: a template's HTML inside the layout, as a `Response` with its charset.
struct Views: Sendable {
    let library: MustacheLibrary
    let demo: Bool

    init(demo: Bool) throws {
        var library = MustacheLibrary()
        for (name, template) in Templates.all { try library.register(template, named: name) }
        self.library = library
        self.demo = demo
    }

    /// Who is shown as logged in, and the CSRF token for the layout's logout form.
    struct Viewer: Sendable {
        var name: String
        var csrf: String
        var section: String?
    }

    func page(
        _ template: String, title: String, context: [String: Any] = [:], viewer: Viewer? = nil, csrf: String? = nil,
        flash: (text: String, kind: String)? = nil, status: HTTPResponse.Status = .ok
    ) -> Response {
        var context = context
        context["csrf"] = viewer?.csrf ?? csrf ?? ""
        let body = library.render(context, withTemplate: template) ?? ""
        var layout: [String: Any] = ["title": title, "body": body, "csrf": viewer?.csrf ?? csrf ?? "", "demo": demo]
        if let viewer {
            layout["user"] = [
                "name": viewer.name, "navPaiements": viewer.section == "paiements", "navReleves": viewer.section == "releves",
                "navCompte": viewer.section == "compte",
            ]
        }
        if let flash { layout["flash"] = ["text": flash.text, "kind": flash.kind] }
        return Self.html(library.render(layout, withTemplate: "layout") ?? "", status: status)
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
