import Hummingbird

/// The JSON API (`openapi.yaml`): the same operations as the pages, with bearer sessions.
/// Its handlers and bodies live in `API.swift`.
struct APIController: Sendable {
    let web: Web

    var routes: RouteCollection<WebContext> {
        let routes = RouteCollection(context: WebContext.self)
        web.addAPI(to: routes)
        return routes
    }
}
