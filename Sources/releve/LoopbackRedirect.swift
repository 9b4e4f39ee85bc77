import Foundation
import ReleveDomain
import ReleveService

#if canImport(Glibc)
    import Glibc
#endif

/// The loopback redirect of a native app (RFC 8252 §7.3): a listening socket on 127.0.0.1, on a
/// port the system picks, that waits for the browser to come back from the provider with
/// `code` and `state` (or `error`), answers it a short French page, and closes.
struct LoopbackRedirect {
    let socket: Int32
    let port: Int

    static let path = "/retour"

    var redirectURI: String { "http://127.0.0.1:\(port)\(Self.path)" }

    static func open() throws -> LoopbackRedirect {
        let fd = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw failure("ouverture du port de retour impossible") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 4) == 0 else {
            Glibc.close(fd)
            throw failure("ouverture du port de retour impossible")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return LoopbackRedirect(socket: fd, port: Int(UInt16(bigEndian: address.sin_port)))
    }

    /// Waits up to `seconds` for the redirect; other requests (a favicon…) get a 404.
    func wait(seconds: Int) throws -> [String: String] {
        let deadline = Date().addingTimeInterval(TimeInterval(seconds))
        while true {
            let left = Int32(max(0, deadline.timeIntervalSinceNow) * 1000)
            var poller = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
            guard left > 0, poll(&poller, 1, left) > 0 else {
                throw ServiceError.rateLimited(
                    "Aucun retour du navigateur en \(French.duration(seconds: seconds)) : connexion abandonnée, rien n'a été créé. Recommencez avec « releve connexion --franceconnect »."
                )
            }
            let client = accept(socket, nil, nil)
            guard client >= 0 else { continue }
            defer { Glibc.close(client) }
            var timeout = timeval(tv_sec: 5, tv_usec: 0)
            setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            var buffer = [UInt8](repeating: 0, count: 8192)
            let count = read(client, &buffer, buffer.count)
            guard count > 0 else { continue }
            let head = String(decoding: buffer[..<count], as: UTF8.self)
            let line = head.prefix { $0 != "\r" && $0 != "\n" }.split(separator: " ")
            guard line.count >= 2, line[0] == "GET", let components = URLComponents(string: String(line[1])),
                components.path == Self.path
            else {
                respond(client, status: "404 Not Found", text: "Page inconnue.")
                continue
            }
            respond(
                client, status: "200 OK",
                text: "Retour reçu : vous pouvez fermer cette fenêtre et revenir au terminal, qui poursuit la connexion.")
            return Dictionary(
                (components.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { first, _ in first })
        }
    }

    private func respond(_ client: Int32, status: String, text: String) {
        let body =
            "<!doctype html><html lang=\"fr\"><head><meta charset=\"utf-8\"><title>Releve</title></head><body><p>\(text)</p></body></html>"
        let response =
            "HTTP/1.1 \(status)\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\nCache-Control: no-store\r\n\r\n\(body)"
        _ = response.withCString { write(client, $0, strlen($0)) }
    }

    func close() {
        Glibc.close(socket)
    }

    private static func failure(_ reason: String) -> ServiceError {
        ServiceError.outputUnwritable(path: "127.0.0.1", reason: "\(reason) (\(String(cString: strerror(errno))))")
    }
}
