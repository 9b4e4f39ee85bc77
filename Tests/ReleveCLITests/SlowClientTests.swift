import Foundation
import ReleveTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Issue 10, class 8: slow or incomplete request heads do not hold connections (closed within
/// the head delay), and one address cannot open more than its share of connections.
@Suite("CLI: slow clients", .serialized)
struct SlowClientTests {
    /// `releve servir` on a free port with these options; returns the process and the port.
    static func serve(_ directory: URL, _ options: [String]) throws -> (Process, Int) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Fixtures.releveBinary)
        process.arguments = ["servir", "--port", "0", "--base", directory.appendingPathComponent("r.sqlite").path] + options
        let out = Pipe()
        process.standardOutput = out
        let log = directory.appendingPathComponent("servir.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        process.standardError = try FileHandle(forWritingTo: log)
        try process.run()
        return (process, port(from: out))
    }

    /// The port in `servir`'s first line ("Releve sert la vue web sur http://hôte:PORT/…"), 0 if none.
    static func port(from out: Pipe) -> Int {
        var line = Data()
        while !line.contains(0x0A) {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line += chunk
        }
        let text = String(decoding: line, as: UTF8.self)
        return text.split(separator: ":").compactMap { Int($0.prefix { $0.isNumber }) }.first { $0 > 0 } ?? 0
    }

    /// A TCP connection to 127.0.0.1:port, or -1.
    static func connect(_ port: Int) -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        if result != 0 {
            close(fd)
            return -1
        }
        var timeout = timeval(tv_sec: 0, tv_usec: 200_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        return fd
    }

    /// Whether the server closed this connection (a read returns 0 or a reset).
    static func isClosed(_ fd: Int32) -> Bool {
        var byte: UInt8 = 0
        let count = recv(fd, &byte, 1, 0)
        return count == 0 || (count < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
    }

    @Test func incompleteHeadsAreClosedWithinTheHeadDelay() throws {
        let directory = Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (server, port) = try Self.serve(directory, ["--delai-entete", "2"])
        defer { server.terminate() }
        #expect(port > 0)
        let sockets = (0..<40).map { _ in Self.connect(port) }
        #expect(sockets.allSatisfy { $0 >= 0 })
        // Each sends the start of a head, then one more header byte a second (slowloris).
        for fd in sockets { _ = send(fd, "GET / HTTP/1.1\r\nHost: x\r\n", 25, Int32(MSG_NOSIGNAL)) }
        var closed = Set<Int32>()
        let start = Date()
        while Date().timeIntervalSince(start) < 6, closed.count < sockets.count {
            for fd in sockets where !closed.contains(fd) {
                _ = send(fd, "X", 1, Int32(MSG_NOSIGNAL))
                if Self.isClosed(fd) { closed.insert(fd) }
            }
            usleep(100_000)
        }
        let elapsed = Date().timeIntervalSince(start)
        for fd in sockets { close(fd) }
        #expect(closed.count == 40, "\(closed.count)/40 closed after \(elapsed) s")
        #expect(elapsed < 5, "closed after \(elapsed) s with a 2 s head delay")
        // A normal request still works.
        let fd = Self.connect(port)
        let request = "GET /sante HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        _ = send(fd, request, request.utf8.count, Int32(MSG_NOSIGNAL))
        var buffer = [UInt8](repeating: 0, count: 512)
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let count = recv(fd, &buffer, buffer.count, 0)
        close(fd)
        #expect(String(decoding: buffer.prefix(max(0, count)), as: UTF8.self).hasPrefix("HTTP/1.1 200"))
        // The operator's log names the SQLite under the base (SECURITY.md goal 23).
        let log = try String(contentsOf: directory.appendingPathComponent("servir.log"), encoding: .utf8)
        #expect(log.contains("releve servir : SQLite 3."), "\(log)")
    }

    @Test func oneAddressGetsAtMostItsShareOfConnections() throws {
        let directory = Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (server, port) = try Self.serve(directory, ["--connexions-par-adresse", "10"])
        defer { server.terminate() }
        let sockets = (0..<15).map { _ in Self.connect(port) }
        usleep(500_000)
        let closed = sockets.filter { Self.isClosed($0) }.count
        for fd in sockets where fd >= 0 { close(fd) }
        #expect(closed == 5, "\(closed) of 15 closed with a share of 10")
    }
}
