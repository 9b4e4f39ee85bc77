import CoreMetrics
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Prometheus
import ReleveService
import ServiceLifecycle

extension HTTPField.Name {
    static let requestID = HTTPField.Name("X-Request-Id")!
}

/// The outermost middleware: a request id (the client's `X-Request-Id` when it is a plain token
/// of at most 64 characters, else a new one) in every log line of the request and in the
/// response; one log line per request (method, route, status, duration); the request counters
/// and latency histogram by route. The route is the matched pattern (`/releves/{mois}`), never
/// the path as sent: no identifier, token or NIR reaches a log line or a metric label, and an
/// unknown path counts as `inconnue`.
struct RequestLogMiddleware: RouterMiddleware {
    typealias Context = WebContext

    func handle(_ request: Request, context: WebContext, next: (Request, WebContext) async throws -> Response) async throws
        -> Response
    {
        let id = Self.requestID(request.headers[.requestID])
        var context = context
        context.logger[metadataKey: "request_id"] = .string(id)
        let start = ContinuousClock.now
        do {
            var response = try await next(request, context)
            response.headers[.requestID] = id
            record(request, context: context, status: response.status.code, since: start)
            return response
        } catch {
            // What the error middleware did not turn into a response (the router's own 404s).
            let status = (error as? any HTTPResponseError)?.status.code ?? 500
            record(request, context: context, status: status, since: start)
            throw RequestIDError(base: error, id: id)
        }
    }

    func record(_ request: Request, context: WebContext, status: Int, since start: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - start
        let route = context.endpointPath.flatMap { $0 == "NotFound" ? nil : $0 } ?? "inconnue"
        let method = Self.methods.contains(request.method) ? request.method.rawValue : "AUTRE"
        let nanoseconds = elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000
        let micro = String(nanoseconds / 1000 % 1000)
        let milliseconds = String(nanoseconds / 1_000_000) + "." + String(repeating: "0", count: 3 - micro.count) + micro
        context.logger.log(
            level: status >= 500 ? .error : .info, "requête",
            metadata: [
                "method": .string(method), "route": .string(route), "status": .string(String(status)),
                "duration_ms": .string(milliseconds),
            ])
        Counter(
            label: "releve_http_requests_total",
            dimensions: [("route", route), ("method", method), ("status", String(status))]
        ).increment()
        Timer(label: "releve_http_request_duration_seconds", dimensions: [("route", route)]).recordNanoseconds(nanoseconds)
        if status == 429 {
            Counter(label: "releve_throttle_refusals_total", dimensions: [("route", route)]).increment()
        }
    }

    static let methods: Set<HTTPRequest.Method> = [.get, .head, .post, .put, .delete, .patch, .options]

    /// The client's id when it is 1 to 64 of `A-Z a-z 0-9 . _ -`, else 16 random hex digits.
    static func requestID(_ given: String?) -> String {
        if let given, (1...64).contains(given.utf8.count),
            given.utf8.allSatisfy({
                $0.isASCIIAlphanumeric || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-")
            })
        {
            return given
        }
        return String(UInt64.random(in: 0...UInt64.max), radix: 16).leftPadded(to: 16)
    }
}

/// An error that reached the server with its request id in the response it becomes.
struct RequestIDError: HTTPResponseError {
    let base: any Error
    let id: String

    var status: HTTPResponse.Status { (base as? any HTTPResponseError)?.status ?? .internalServerError }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var response =
            try (base as? any HTTPResponseError)?.response(from: request, context: context)
            ?? Response(status: .internalServerError)
        response.headers[.requestID] = id
        return response
    }
}

extension UInt8 {
    fileprivate var isASCIIAlphanumeric: Bool {
        (0x30...0x39).contains(self) || (0x41...0x5A).contains(self) || (0x61...0x7A).contains(self)
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}

/// Readiness (`/pret`): 200 `prêt` when the base answers, the archive folder takes a file and
/// the key file reads; else 503 `non prêt : base, archives…` naming only the failing parts (no
/// address, path or error text on the public port). A late or unreachable read replica leaves
/// the node ready (the reads go to the primary) and is said as `dégradé : replique`.
enum ReadinessRoute {
    static func response(_ readiness: Readiness) -> Response {
        var text = readiness.ready ? "prêt" : "non prêt : " + readiness.failing.joined(separator: ", ")
        if !readiness.degraded.isEmpty { text += " (dégradé : " + readiness.degraded.joined(separator: ", ") + ")" }
        return Response(
            status: readiness.ready ? .ok : .serviceUnavailable,
            headers: [.contentType: "text/plain; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(string: text + "\n")))
    }
}

/// Where `servir` exposes its metrics: an address of its own (not the public one), a registry.
public struct MetricsEndpoint: Sendable {
    public let host: String
    public let port: Int
    public let registry: PrometheusCollectorRegistry

    public init(host: String, port: Int, registry: PrometheusCollectorRegistry) {
        self.host = host
        self.port = port
        self.registry = registry
    }
}

/// Context of the metrics listener (nothing but the request).
struct MetricsContext: RequestContext {
    var coreContext: CoreRequestContextStorage

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }
}

extension Web {
    /// Serves the web on `host:port` and, with `metrics`, `/metrics` on its own address, until
    /// SIGTERM or SIGINT: then both stop accepting, requests in flight get up to
    /// `shutdownSeconds` to finish, and this returns (the caller closes the pool).
    public func serve(
        host: String, port: Int, metrics: MetricsEndpoint?, shutdownSeconds: Int, logger: Logger,
        onRunning: @escaping @Sendable (Int) async -> Void, onMetricsRunning: @escaping @Sendable (Int) async -> Void
    ) async throws {
        var services: [any Service] = [application(host: host, port: port, logger: logger, onRunning: onRunning)]
        if let metrics {
            let router = Router(context: MetricsContext.self)
            let refresh = scrapeRefresh
            router.get("/metrics") { _, _ in
                await refresh()
                return Response(
                    status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                    body: .init(byteBuffer: ByteBuffer(bytes: metrics.registry.emitToBuffer())))
            }
            services.append(
                Application(
                    router: router, configuration: .init(address: .hostname(metrics.host, port: metrics.port), serverName: nil),
                    onServerRunning: { channel in await onMetricsRunning(channel.localAddress?.port ?? metrics.port) },
                    logger: logger))
        }
        var configuration = ServiceGroupConfiguration(
            services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        // Past this bound the requests still running are cancelled, then the group ends.
        configuration.maximumGracefulShutdownDuration = .seconds(shutdownSeconds)
        configuration.maximumCancellationDuration = .seconds(5)
        try await ServiceGroup(configuration: configuration).run()
    }
}
