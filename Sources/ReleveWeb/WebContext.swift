import Hummingbird
import NIOCore
import ReleveService

/// The request context of the web view and the API: who is asking (the peer address, for
/// throttling and the key-derivation gate's fair share). The assuré is found per request from
/// the session cookie or the bearer token, by the handlers that need one.
public struct WebContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    /// The peer's IP address (proxies are not trusted: no X-Forwarded-For).
    var clientIP: String { remoteAddress?.ipAddress ?? "local" }
}
