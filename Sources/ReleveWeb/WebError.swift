import Hummingbird
import ReleveService

/// Errors of the web layer, turned into French pages or JSON by `ErrorMiddleware`.
enum WebError: Error {
    case notFound
    /// A cross-site or tokenless form post.
    case forbidden(String)
    case tooLarge
    case badRequest(String)
    /// Too many attempts from this address: refused before any code is checked.
    case throttled(String)
    /// Not logged in (pages redirect to the home page; the API answers 401).
    case loginRequired
}
