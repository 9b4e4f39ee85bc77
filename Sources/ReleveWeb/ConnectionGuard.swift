import Foundation
import HummingbirdCore
import NIOCore
import NIOHTTPTypes

/// Limits on each connection, applied in the channel pipeline before any request is handled
/// (issue 10, class 8): a request head must arrive whole within `headSeconds` of the
/// connection (or of the previous response, on a kept-alive connection) and its body within
/// `bodySeconds`, so that slow or incomplete requests (slowloris) cannot hold connections; and
/// one client address may hold at most `perAddress` connections at once.
public struct ConnectionLimits: Sendable {
    public var headSeconds: Int64
    public var bodySeconds: Int64
    public var perAddress: Int

    public init(headSeconds: Int64 = 10, bodySeconds: Int64 = 30, perAddress: Int = 256) {
        self.headSeconds = headSeconds
        self.bodySeconds = bodySeconds
        self.perAddress = perAddress
    }
}

/// Open connections per client address, shared by every channel of the server.
final class ConnectionRegistry: @unchecked Sendable {
    private let lock = NSLock()
    private var open: [String: Int] = [:]
    let limit: Int

    init(limit: Int) { self.limit = limit }

    func admit(_ address: String) -> Bool {
        lock.withLock {
            let count = open[address, default: 0]
            guard count < limit else { return false }
            open[address] = count + 1
            return true
        }
    }

    func release(_ address: String) {
        lock.withLock {
            let count = open[address, default: 1] - 1
            open[address] = count > 0 ? count : nil
        }
    }

    var total: Int { lock.withLock { open.values.reduce(0, +) } }
}

final class ConnectionGuard: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart

    private let limits: ConnectionLimits
    private let registry: ConnectionRegistry
    private var address: String?
    private var deadline: Scheduled<Void>?
    private var started = false

    init(limits: ConnectionLimits, registry: ConnectionRegistry) {
        self.limits = limits
        self.registry = registry
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { start(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        start(context)
        context.fireChannelActive()
    }

    private func start(_ context: ChannelHandlerContext) {
        guard !started else { return }
        started = true
        let address = context.channel.remoteAddress?.ipAddress ?? "local"
        guard registry.admit(address) else {
            context.close(promise: nil)
            return
        }
        self.address = address
        arm(context, seconds: limits.headSeconds)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head: arm(context, seconds: limits.bodySeconds)
        case .body: break
        // The response is being made; the next head has the same delay from now on (the
        // server's idle timeout also applies to a kept-alive connection).
        case .end: arm(context, seconds: limits.headSeconds + limits.bodySeconds)
        }
        context.fireChannelRead(data)
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
        if let address {
            registry.release(address)
            self.address = nil
        }
        context.fireChannelInactive()
    }

    private func arm(_ context: ChannelHandlerContext, seconds: Int64) {
        deadline?.cancel()
        let channel = context.channel
        deadline = context.eventLoop.scheduleTask(in: .seconds(seconds)) {
            channel.close(promise: nil)
        }
    }
}
