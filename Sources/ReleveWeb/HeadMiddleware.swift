import HTTPTypes
import Hummingbird

/// `HEAD` wherever `GET` answers (RFC 9110 §9.3.2): routes are registered for both with
/// `getAndHead`, and this middleware drops the body of a `HEAD` answer, keeping its status and
/// headers (its length included).
struct HeadMiddleware: RouterMiddleware {
    typealias Context = WebContext

    func handle(_ request: Request, context: WebContext, next: (Request, WebContext) async throws -> Response) async throws
        -> Response
    {
        guard request.method == .head else { return try await next(request, context) }
        var response = try await next(request, context)
        if let length = response.body.contentLength { response.headers[.contentLength] = String(length) }
        response.body = ResponseBody()
        return response
    }
}

extension RouterMethods {
    /// The same handler for `GET` and `HEAD`.
    @discardableResult
    func getAndHead(
        _ path: RouterPath = "", use handler: @Sendable @escaping (Request, Context) async throws -> some ResponseGenerator
    ) -> Self {
        get(path, use: handler)
        return head(path, use: handler)
    }
}
