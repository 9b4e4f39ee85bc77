import Foundation
import ReleveTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Issue 13: several `releve` processes on one PostgreSQL base behave as one service — two web
/// nodes share sessions, lockouts, throttles, the maintenance switch and the form key; two
/// issuing workers share a month, one of them killed.
@Suite(
    "Several nodes on one PostgreSQL", .serialized,
    .enabled(if: PostgresTestServer.url != nil, "no PostgreSQL cluster: Tests/postgres/grappe.sh demarrer"))
struct MultiNodeTests {
    /// A `releve servir` on a free port of this sandbox's base.
    final class Node: @unchecked Sendable {
        let process = Process()
        let port: Int

        init(_ box: AccountJourneyTests.Sandbox, _ options: [String] = []) throws {
            process.executableURL = URL(fileURLWithPath: Fixtures.releveBinary)
            process.arguments = ["servir", "--port", "0"] + options
            process.environment = ProcessInfo.processInfo.environment.merging(box.environment) { _, new in new }
            let out = Pipe()
            process.standardOutput = out
            process.standardError = FileHandle.nullDevice
            try process.run()
            port = SlowClientTests.port(from: out)
        }

        var origin: String { "http://127.0.0.1:\(port)" }

        func stop() {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    struct Reply {
        var status: Int
        var headers: [String: String]
        var body: String
    }

    /// One request with curl: `cookies` sent as given, a form posted with this node's Origin.
    static func request(_ node: Node, _ path: String, cookies: [String: String] = [:], form: [String: String]? = nil) throws
        -> Reply
    {
        try request(port: node.port, path, cookies: cookies, form: form)
    }

    /// The same on `127.0.0.1:port`, with extra request headers.
    static func request(
        port: Int, _ path: String, cookies: [String: String] = [:], form: [String: String]? = nil,
        headers: [String: String] = [:]
    ) throws -> Reply {
        let origin = "http://127.0.0.1:\(port)"
        var arguments = ["-s", "--max-time", "20", "-D", "-", origin + path]
        if !cookies.isEmpty {
            arguments += ["-H", "Cookie: " + cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")]
        }
        for (name, value) in headers { arguments += ["-H", "\(name): \(value)"] }
        if let form {
            arguments += ["-H", "Origin: \(origin)"]
            for (name, value) in form { arguments += ["--data-urlencode", "\(name)=\(value)"] }
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        let parts = text.components(separatedBy: "\r\n\r\n")
        let head = parts.first ?? ""
        var headers: [String: String] = [:]
        for line in head.split(separator: "\r\n").dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            headers[name] = headers[name].map { $0 + "\n" + value } ?? value
        }
        let status = Int(head.split(separator: " ").dropFirst().first ?? "") ?? 0
        return Reply(status: status, headers: headers, body: parts.dropFirst().joined(separator: "\r\n\r\n"))
    }

    /// The cookies a reply sets (name → value).
    static func cookies(_ reply: Reply) -> [String: String] {
        var cookies: [String: String] = [:]
        for line in (reply.headers["set-cookie"] ?? "").split(separator: "\n") {
            let pair = line.split(separator: ";")[0].split(separator: "=", maxSplits: 1)
            if pair.count == 2 { cookies[String(pair[0])] = String(pair[1]) }
        }
        return cookies
    }

    /// The login form of `node`: its form cookie and CSRF token.
    static func loginForm(_ node: Node) throws -> (cookies: [String: String], csrf: String) {
        try loginForm(port: node.port)
    }

    static func loginForm(port: Int) throws -> (cookies: [String: String], csrf: String) {
        let home = try request(port: port, "/")
        let csrf = try #require(
            home.body.firstMatch(of: /name="csrf" value="([^"]+)"/).map { String($0.1) }, "no form token on the home page")
        return (cookies(home), csrf)
    }

    /// A login attempt on `node` with a form fetched from `formNode`.
    static func login(_ node: Node, formFrom formNode: Node, nir: String, code: String) throws -> Reply {
        let (cookies, csrf) = try loginForm(formNode)
        return try request(node, "/connexion", cookies: cookies, form: ["nir": nir, "code": code, "csrf": csrf])
    }

    /// A login attempt on `127.0.0.1:port` with its own form.
    static func login(port: Int, nir: String, code: String) throws -> Reply {
        let (cookies, csrf) = try loginForm(port: port)
        return try request(port: port, "/connexion", cookies: cookies, form: ["nir": nir, "code": code, "csrf": csrf])
    }

    @Test(
        "two servir nodes: one session, logout everywhere, shared lockouts and throttles, maintenance in a second, keys kept across a restart"
    )
    func twoWebNodes() throws {
        let box = try AccountJourneyTests.Sandbox(postgres: true)
        let nir = "1701275112034"
        let code = try box.orderCode(nir: nir, name: "Martin", birth: "03/12/1970", postalCode: "75012")
        #expect(try box.activate(nir: nir, code: code, personal: "39451827").status == 0)
        let options = ["--echecs-par-adresse", "8"]
        // A reads the payments from the cluster's streaming replica when there is one.
        let replica = PostgresTestServer.onReplica(box.base).map { ["--base-lecture", $0] } ?? []
        let a = try Node(box, options + replica)
        var b = try Node(box, options)
        defer {
            a.stop()
            b.stop()
        }
        #expect(a.port > 0 && b.port > 0)

        // A form from A is accepted by B (one key), and the session opened on B works on A.
        let login = try Self.login(b, formFrom: a, nir: nir, code: "39451827")
        #expect(login.status == 303, "\(login.status) \(login.body.prefix(300))")
        let session = Self.cookies(login).filter { $0.key == "__Host-releve" }
        #expect(session.count == 1)
        let onA = try Self.request(a, "/paiements", cookies: session)
        #expect(onA.status == 200 && onA.body.contains("Mes paiements"), "\(onA.status)")

        // Restarting B changes no key: the session and a form fetched before still work.
        let earlier = try Self.loginForm(b)
        b.stop()
        b = try Node(box, options)
        #expect(try Self.request(b, "/paiements", cookies: session).status == 200)
        let again = try Self.request(
            b, "/connexion", cookies: earlier.cookies, form: ["nir": nir, "code": "39451827", "csrf": earlier.csrf])
        #expect(again.status == 303, "a form fetched before the restart: \(again.status)")
        let logoutForm = try #require(
            onA.body.firstMatch(of: /name="csrf" value="([^"]+)"/).map { String($0.1) }, "no token on the payments page")
        // Logging out on the restarted B ends the session on A too.
        let logout = try Self.request(b, "/deconnexion", cookies: session, form: ["csrf": logoutForm])
        #expect(logout.status == 303, "\(logout.status) \(logout.body.prefix(300))")
        #expect(try Self.request(a, "/paiements", cookies: session).status != 200, "the session ended on every node")

        // Lockout: two wrong codes on A and one on B lock the NIR (3 by default) for both.
        var failures = 0
        for node in [a, a, b] {
            let reply = try Self.login(node, formFrom: node, nir: nir, code: "11111111")
            #expect(reply.status != 303 && reply.status != 429, "\(reply.status)")
            failures += 1
        }
        let locked = try Self.login(a, formFrom: b, nir: nir, code: "39451827")
        #expect(locked.status != 303, "the right code is refused while the NIR is locked, on either node")
        failures += 1  // a refusal of a locked NIR counts against the address too

        // Throttle: 8 failures per address in all; alternate nodes with unknown NIRs until refused.
        let strangers = ["2850375111042", "1551299341025", "2890599350115", "1790775114012", "2720134172031"]
        var index = 0
        var refusedAt: Int?
        while failures < 12, refusedAt == nil {
            let node = index % 2 == 0 ? a : b
            let reply = try Self.login(node, formFrom: node, nir: strangers[index % strangers.count], code: "22222222")
            if reply.status == 429 { refusedAt = failures } else { failures += 1 }
            index += 1
        }
        #expect(refusedAt == 8, "refused after \(refusedAt.map(String.init) ?? "never") failures over both nodes (limit 8)")

        // Maintenance switched on from the CLI reaches both nodes within about a second.
        let switched = Date()
        #expect(try box.run(["admin", "maintenance", "on"]).status == 0)
        var seen: [Int: TimeInterval] = [:]
        while seen.count < 2, Date().timeIntervalSince(switched) < 10 {
            for node in [a, b] where seen[node.port] == nil {
                if try Self.request(node, "/").status == 503 { seen[node.port] = Date().timeIntervalSince(switched) }
            }
            usleep(50_000)
        }
        #expect(seen.count == 2, "both nodes in maintenance: \(seen)")
        // The cache reads the switch at most once a second; a loaded 2-core machine adds its delay.
        #expect(seen.values.allSatisfy { $0 < 4 }, "maintenance seen after \(seen) s")
        #expect(try box.run(["admin", "maintenance", "off"]).status == 0)
    }

    /// `releve` with the sandbox's settings, started (not waited for); output in `log`.
    static func start(_ box: AccountJourneyTests.Sandbox, _ arguments: [String], log: URL) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Fixtures.releveBinary)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(box.environment) { _, new in new }
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: log)
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// The number in "Relevés … : N émis" of an `emettre` output.
    static func issued(_ output: String) -> Int? {
        output.firstMatch(of: /: ([0-9  ]+) émis/).flatMap { Int($0.1.filter(\.isNumber)) }
    }

    @Test("two issuing workers share a month; one is killed, the other takes its share over; each statement once")
    func twoIssuingWorkers() throws {
        let box = try AccountJourneyTests.Sandbox(postgres: true, empty: true)
        let feed = box.directory.appendingPathComponent("octobre.jsonl").path
        let sample = try box.run(["echantillon", "--assures", "400", "--mois", "1", "--fin", "2026-10", "--sortie", feed])
        #expect(sample.status == 0, "\(sample.stderr)")
        let imported = try box.run(["importer", feed])
        #expect(imported.status == 0, "\(imported.stderr)")
        let count = { () throws -> Int in
            Int(try PostgresTestServer.psqlBlocking(box.base, "SELECT count(*) FROM statement WHERE month = '2026-10'")) ?? -1
        }
        let emit = ["admin", "releves", "emettre", "--mois", "2026-10", "--travailleurs", "1", "--bail", "5"]
        let first = try Self.start(box, emit, log: box.directory.appendingPathComponent("premier.log"))
        let secondLog = box.directory.appendingPathComponent("second.log")
        let second = try Self.start(box, emit, log: secondLog)
        // Kill the first while it holds a lease on part of the month (its share to take over).
        let leased = { () throws -> Int in
            Int(
                try PostgresTestServer.psqlBlocking(
                    box.base,
                    "SELECT count(*) FROM statement_work WHERE lease_owner LIKE '%:\(first.processIdentifier):%'")) ?? 0
        }
        let start = Date()
        var held = 0
        while first.isRunning, Date().timeIntervalSince(start) < 120 {
            held = try leased()
            if held > 0, try count() > 0 { break }
            usleep(50_000)
        }
        #expect(first.isRunning && held > 0, "the first worker ended before it could be killed with a lease")
        kill(first.processIdentifier, SIGKILL)
        first.waitUntilExit()
        second.waitUntilExit()
        #expect(second.terminationStatus == 0)
        let survivor = try #require(Self.issued(try String(contentsOf: secondLog, encoding: .utf8)))
        let total = try count()
        #expect(total > 200, "\(total) statements for 400 assurés (the rerun below finds none missing)")
        #expect(survivor > 0 && survivor <= total, "the survivor issued its share and the rest: \(survivor) of \(total)")
        #expect(try PostgresTestServer.psqlBlocking(box.base, "SELECT count(*) FROM statement_work") == "0")
        // One file per statement (a killed worker's unrecorded render is the same file again).
        let archive = box.neighbours + ".archives/2026-10"
        let files = try FileManager.default.contentsOfDirectory(atPath: archive).filter { $0.hasSuffix(".pdf") }
        #expect(files.count == total)
        let rerun = try box.run(emit)
        #expect(rerun.status == 0 && Self.issued(rerun.stdout) == 0, "\(rerun.stdout)")
        #expect(try box.run(["admin", "verifier"]).status == 0)
    }
}
