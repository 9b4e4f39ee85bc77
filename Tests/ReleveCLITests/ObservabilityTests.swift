import Foundation
import ReleveTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Issue 18: `servir` run as a service — request ids from request to log line and response,
/// metrics that move, readiness that follows the database, SIGTERM that lets a slow request
/// finish, and a configuration file whose mistakes are refused with their line.
@Suite("Running it as a service", .serialized)
struct ObservabilityTests {
    /// A `servir` with JSON logs in a file and metrics on a port of their own.
    final class Server: @unchecked Sendable {
        let process = Process()
        let log: URL
        var port = 0
        var metricsPort = 0
        var origin: String { "http://127.0.0.1:\(port)" }

        init(_ environment: [String: String], directory: URL, options: [String] = []) throws {
            log = directory.appendingPathComponent("servir-\(UUID().uuidString.prefix(6)).log")
            process.executableURL = URL(fileURLWithPath: Fixtures.releveBinary)
            process.arguments = ["servir", "--port", "0", "--metriques", "127.0.0.1:0"] + options
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
            let out = Pipe()
            process.standardOutput = out
            _ = FileManager.default.createFile(atPath: log.path, contents: nil)
            process.standardError = try FileHandle(forWritingTo: log)
            try process.run()
            // Two lines, in either order: the site's and the metrics' addresses.
            var text = ""
            let start = Date()
            while port == 0 || metricsPort == 0, Date().timeIntervalSince(start) < 60 {
                let chunk = out.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                text += String(decoding: chunk, as: UTF8.self)
                for line in text.split(separator: "\n") {
                    let number = line.firstMatch(of: /127\.0\.0\.1:(\d+)\//).flatMap { Int($0.1) } ?? 0
                    if line.hasPrefix("Releve sert") { port = number }
                    if line.hasPrefix("Métriques") { metricsPort = number }
                }
            }
        }

        /// SIGTERM, then the exit status (nil: still running after `seconds`, killed).
        func terminate(within seconds: Double = 20) -> Int32? {
            kill(process.processIdentifier, SIGTERM)
            let start = Date()
            while process.isRunning, Date().timeIntervalSince(start) < seconds { usleep(50_000) }
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
                return nil
            }
            return process.terminationStatus
        }

        deinit {
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
            }
        }

        /// The log's lines, each parsed as a JSON object (a line that is not JSON fails).
        func logLines() throws -> [[String: Any]] {
            let text = try String(contentsOf: log, encoding: .utf8)
            return try text.split(separator: "\n").map { line in
                try #require(
                    try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "not a JSON line: \(line)")
            }
        }

        /// The metrics page's samples: `name{labels}` → value.
        func metrics() throws -> [String: Double] {
            let reply = try MultiNodeTests.request(port: metricsPort, "/metrics")
            var samples: [String: Double] = [:]
            for line in reply.body.split(separator: "\n") where !line.hasPrefix("#") {
                guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
                samples[String(line[..<space])] = value
            }
            return samples
        }
    }

    static func sum(_ samples: [String: Double], _ prefix: String) -> Double {
        samples.filter { $0.key.hasPrefix(prefix) }.values.reduce(0, +)
    }

    @Test("a request id flows from request to log line and response; metrics move; no secret reaches the log")
    func requestIDsMetricsAndNoSecrets() throws {
        let box = try AccountJourneyTests.Sandbox()
        let nir = "1701275112034"
        let provisional = try box.orderCode(nir: nir, name: "Martin", birth: "03/12/1970", postalCode: "75012")
        #expect(try box.activate(nir: nir, code: provisional, personal: "39451827").status == 0)
        let server = try Server(
            box.environment.merging(["RELEVE_JOURNAL_FORMAT": "json"]) { _, new in new }, directory: box.directory)
        #expect(server.port > 0 && server.metricsPort > 0)
        let before = try server.metrics()

        // The client's id comes back and is in the request's log line; a malformed one is replaced.
        let health = try MultiNodeTests.request(port: server.port, "/sante", headers: ["X-Request-Id": "essai-42"])
        #expect(health.status == 200 && health.headers["x-request-id"] == "essai-42")
        let odd = try MultiNodeTests.request(port: server.port, "/sante", headers: ["X-Request-Id": "a b;<x>"])
        let generated = try #require(odd.headers["x-request-id"])
        #expect(generated.count == 16 && generated.allSatisfy(\.isHexDigit), "\(generated)")

        // A wrong code, the right one, the payments page, a path and a query holding secrets.
        let wrong = try MultiNodeTests.login(port: server.port, nir: nir, code: "11111111")
        #expect(wrong.status == 401, "\(wrong.status)")
        let login = try MultiNodeTests.login(port: server.port, nir: nir, code: "39451827")
        #expect(login.status == 303, "\(login.status)")
        let session = MultiNodeTests.cookies(login).filter { $0.key == "__Host-releve" }
        let payments = try MultiNodeTests.request(port: server.port, "/paiements", cookies: session)
        #expect(payments.status == 200)
        _ = try MultiNodeTests.request(port: server.port, "/releves/\(nir)?code=39451827&courriel=assure@exemple.fr")
        _ = try MultiNodeTests.request(port: server.port, "/inconnu/\(nir)?code=39451827")
        _ = try MultiNodeTests.request(port: server.port, "/pret")

        let after = try server.metrics()
        #expect(
            (after[#"releve_http_requests_total{route="/sante",method="GET",status="200"}"#] ?? 0)
                - (before[#"releve_http_requests_total{route="/sante",method="GET",status="200"}"#] ?? 0) == 2)
        #expect(after[#"releve_logins_total{channel="web",outcome="success"}"#] == 1)
        #expect(after[#"releve_logins_total{channel="web",outcome="wrong_code"}"#] == 1)
        #expect(Self.sum(after, "releve_http_request_duration_seconds_count") >= 6)
        #expect((after[#"releve_http_request_duration_seconds_count{route="/paiements"}"#] ?? 0) >= 1)
        #expect(after["releve_kdf_waits_total"] != nil || after["releve_kdf_running"] != nil, "KDF figures published")

        #expect(server.terminate() == 0, "SIGTERM ends the server cleanly")
        let lines = try server.logLines()
        let requestLines = lines.filter { $0["message"] as? String == "requête" }
        let tagged = try #require(requestLines.first { $0["request_id"] as? String == "essai-42" })
        #expect(tagged["route"] as? String == "/sante" && tagged["status"] as? Int == 200 && tagged["method"] as? String == "GET")
        #expect(tagged["duration_ms"] is Double)
        #expect(requestLines.contains { $0["request_id"] as? String == generated })
        #expect(requestLines.contains { $0["route"] as? String == "/paiements" && $0["status"] as? Int == 200 })
        // Every request line has an id and a route; no path as sent (an unknown one is « inconnue »).
        #expect(requestLines.allSatisfy { $0["request_id"] is String && $0["route"] is String })
        #expect(requestLines.contains { $0["route"] as? String == "inconnue" })

        // What must never be logged: the NIR, the codes, the e-mail, the secret answer, the
        // session and form tokens.
        let text = try String(contentsOf: server.log, encoding: .utf8)
        let secrets = [nir, "39451827", provisional, "11111111", "assure@exemple.fr", "Dupont"] + Array(session.values)
        for secret in secrets where !secret.isEmpty {
            #expect(!text.contains(secret), "« \(secret) » is in the server's log")
        }
    }

    @Test("address throttle refusals are counted by route")
    func throttleRefusalsAreCounted() throws {
        let box = try AccountJourneyTests.Sandbox(empty: true)
        let server = try Server(box.environment, directory: box.directory, options: ["--echecs-par-adresse", "2"])
        var statuses: [Int] = []
        for _ in 0..<4 {
            statuses.append(try MultiNodeTests.login(port: server.port, nir: "2850375111042", code: "12345678").status)
        }
        #expect(statuses == [401, 401, 429, 429], "\(statuses)")
        let samples = try server.metrics()
        #expect(samples[#"releve_throttle_refusals_total{route="/connexion"}"#] == 2)
        #expect(samples[#"releve_http_requests_total{route="/connexion",method="POST",status="429"}"#] == 2)
        #expect(samples[#"releve_logins_total{channel="web",outcome="wrong_code"}"#] == 2)
        #expect(server.terminate() == 0)
    }

    @Test("SIGTERM during a slow request: new connections refused, the request finishes, then the process exits 0")
    func sigtermFinishesASlowRequest() throws {
        let box = try AccountJourneyTests.Sandbox(empty: true)
        let server = try Server(box.environment, directory: box.directory)
        let (cookies, csrf) = try MultiNodeTests.loginForm(port: server.port)
        let body = "nir=2850375111042&code=12345678&csrf=\(csrf.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)"
        let head =
            "POST /connexion HTTP/1.1\r\nHost: 127.0.0.1:\(server.port)\r\nOrigin: \(server.origin)\r\n"
            + "Cookie: \(cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; "))\r\n"
            + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: \(body.utf8.count)\r\n\r\n"
        // The head and the start of the body now; the rest after SIGTERM.
        let fd = SlowClientTests.connect(server.port)
        #expect(fd >= 0)
        defer { close(fd) }
        let first = head + body.prefix(10)
        _ = send(fd, first, first.utf8.count, Int32(MSG_NOSIGNAL))
        usleep(300_000)
        kill(server.process.processIdentifier, SIGTERM)
        usleep(800_000)
        #expect(server.process.isRunning, "the server waits for the request in flight")
        #expect(SlowClientTests.connect(server.port) < 0, "no new connection once stopping")
        let rest = String(body.dropFirst(10))
        _ = send(fd, rest, rest.utf8.count, Int32(MSG_NOSIGNAL))
        var timeout = timeval(tv_sec: 15, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var reply = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count <= 0 { break }
            reply += buffer.prefix(count)
        }
        let text = String(decoding: reply, as: UTF8.self)
        // The unknown NIR's answer, whole: the request ran to its end after SIGTERM.
        #expect(text.hasPrefix("HTTP/1.1 401"), "\(text.prefix(200))")
        #expect(text.contains("</html>"))
        #expect(server.terminate() == 0)
    }

    @Test("readiness: 200 when everything answers, 503 naming the archive or the key, never more")
    func readinessNamesTheFailingPart() throws {
        let box = try AccountJourneyTests.Sandbox(empty: true)
        let server = try Server(box.environment, directory: box.directory)
        let ready = try MultiNodeTests.request(port: server.port, "/pret")
        #expect(ready.status == 200 && ready.body == "prêt\n", "\(ready.status) \(ready.body)")
        // The key file moved away: not ready, and only its short name is said.
        let key = box.neighbours + ".cle"
        try FileManager.default.moveItem(atPath: key, toPath: key + ".ailleurs")
        let noKey = try MultiNodeTests.request(port: server.port, "/pret")
        #expect(noKey.status == 503 && noKey.body == "non prêt : cle\n", "\(noKey.status) \(noKey.body)")
        #expect(!noKey.body.contains(box.directory.path))
        try FileManager.default.moveItem(atPath: key + ".ailleurs", toPath: key)
        // The archive path taken by a file: nothing can be archived.
        let archive = box.neighbours + ".archives"
        try? FileManager.default.removeItem(atPath: archive)
        _ = FileManager.default.createFile(atPath: archive, contents: Data("x".utf8))
        let noArchive = try MultiNodeTests.request(port: server.port, "/pret")
        #expect(noArchive.status == 503 && noArchive.body == "non prêt : archives\n", "\(noArchive.body)")
        try FileManager.default.removeItem(atPath: archive)
        #expect(try MultiNodeTests.request(port: server.port, "/pret").status == 200)
        // The liveness route never looks at any of it.
        #expect(try MultiNodeTests.request(port: server.port, "/sante").status == 200)
        #expect(server.terminate() == 0)
    }

    @Test(
        "readiness follows PostgreSQL: 503 « base » while the server is down, 200 once it is back",
        .enabled(if: PostgresTestServer.url != nil, "no PostgreSQL cluster: Tests/postgres/grappe.sh demarrer"))
    func readinessFollowsTheDatabase() throws {
        let cluster = try PostgresServerCrashTests.Cluster()
        let directory = Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let server = try Server(["RELEVE_BASE": cluster.url, "RELEVE_DOSSIER": directory.path], directory: directory)
        #expect(try MultiNodeTests.request(port: server.port, "/pret").status == 200)
        // The pool's figures are published once it has served.
        let pool = try server.metrics()
        #expect(pool[#"releve_db_pool_in_use{role="primary"}"#] != nil, "\(pool.keys.sorted())")
        #expect(pool[#"releve_db_pool_waiting{role="primary"}"#] == 0)
        try cluster.run("tuer")
        var down: MultiNodeTests.Reply?
        let start = Date()
        repeat {
            down = try MultiNodeTests.request(port: server.port, "/pret")
        } while down?.status != 503 && Date().timeIntervalSince(start) < 20
        #expect(down?.status == 503 && down?.body == "non prêt : base\n", "\(down?.status ?? 0) \(down?.body ?? "")")
        #expect(Date().timeIntervalSince(start) < 10, "seen within the probe's 2 s bound")
        // Liveness stays up: the process is fine, the base is not.
        #expect(try MultiNodeTests.request(port: server.port, "/sante").status == 200)
        try cluster.run("relancer")
        var back: MultiNodeTests.Reply?
        let restart = Date()
        repeat {
            back = try MultiNodeTests.request(port: server.port, "/pret")
            if back?.status != 200 { usleep(200_000) }
        } while back?.status != 200 && Date().timeIntervalSince(restart) < 30
        #expect(back?.status == 200, "ready again once PostgreSQL is back: \(back?.body ?? "")")
        #expect(server.terminate() == 0)
    }

    @Test("SIGTERM stops the issuing batch between two chunks: exit 75, what is issued kept, the rerun issues the rest")
    func sigtermStopsTheIssuingBatchCleanly() throws {
        let directory = Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let environment = [
            "RELEVE_BASE": directory.appendingPathComponent("r.sqlite").path, "RELEVE_JOURNAL_FORMAT": "json",
            "RELEVE_METRIQUES_FICHIER": directory.appendingPathComponent("releve.prom").path,
        ]
        let feed = try Fixtures.sampleFeed(persons: 1500, months: 2, in: directory)
        #expect(try Run.releve(["importer", feed.files[0]], environment: environment).status == 0)
        let batch = Process()
        batch.executableURL = URL(fileURLWithPath: Fixtures.releveBinary)
        batch.arguments = ["admin", "releves", "emettre", "--mois", "2026-10", "--travailleurs", "1"]
        batch.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        let log = directory.appendingPathComponent("emettre.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        batch.standardError = try FileHandle(forWritingTo: log)
        batch.standardOutput = FileHandle.nullDevice
        try batch.run()
        // Its first progress line past 0 % (with a time left): a few chunks are recorded.
        let start = Date()
        while batch.isRunning, Date().timeIntervalSince(start) < 120,
            !((try? String(contentsOf: log, encoding: .utf8)) ?? "").contains("reste ")
        {
            usleep(50_000)
        }
        #expect(batch.isRunning, "the batch should still run")
        kill(batch.processIdentifier, SIGTERM)
        batch.waitUntilExit()
        let text = try String(contentsOf: log, encoding: .utf8)
        #expect(batch.terminationReason == .exit && batch.terminationStatus == 75, "\(batch.terminationStatus) \(text)")
        #expect(text.contains("interrompue à la demande") && text.contains("relancez la même commande"), "\(text)")
        // The end line, in JSON, with the month and what was issued.
        let end = try #require(
            text.split(separator: "\n").compactMap {
                try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            }.first { $0["message"] as? String == "émission interrompue" })
        #expect(end["month"] as? String == "2026-10")
        let issued = try #require(end["statements"] as? Int)
        #expect(issued > 0 && issued < 1500, "\(issued) issued before the stop")
        // The metrics file says the same.
        let metrics = try String(contentsOfFile: environment["RELEVE_METRIQUES_FICHIER"]!, encoding: .utf8)
        #expect(metrics.contains("releve_statements_issued_total \(issued)"), "\(metrics)")

        let rerun = try Run.releve(["admin", "releves", "emettre", "--mois", "2026-10"], environment: environment)
        #expect(rerun.status == 0, "\(rerun.stderr)")
        #expect(rerun.stdout.contains("déjà émis auparavant"), "\(rerun.stdout)")
        let third = try Run.releve(["admin", "releves", "emettre", "--mois", "2026-10"], environment: environment)
        #expect(third.stdout.contains(": 0 émis"), "\(third.stdout)")
        #expect(try Run.releve(["admin", "verifier"], environment: environment).status == 0)
    }

    @Test("the configuration file: values used, overridden by the environment then options, mistakes refused with their line")
    func configurationFile() throws {
        let directory = Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let base = directory.appendingPathComponent("r.sqlite").path
        let file = Fixtures.write(
            """
            [base]
            chemin = "postgres://releve:tres-secret@db.interne/releve"
            lecture = "postgres://releve:tres-secret@replique.interne/releve"

            [web]
            url_publique = "https://releve.exemple.fr"
            port = 8090

            [politique]
            essais_avant_blocage = 4
            """, named: "releve.toml", in: directory)
        let shown = try Run.releve(["admin", "configuration", "--configuration", file], environment: [:])
        #expect(shown.status == 0, "\(shown.stderr)")
        #expect(shown.stdout.contains("chemin = \"postgres://releve:***@db.interne/releve\"  # \(file):2"), "\(shown.stdout)")
        #expect(shown.stdout.contains("url_publique = \"https://releve.exemple.fr\"  # \(file):6"))
        #expect(shown.stdout.contains("port = 8090  # \(file):7"))
        #expect(shown.stdout.contains("essais_avant_blocage = 4  # \(file):10"))
        #expect(shown.stdout.contains("essais_avant_verrouillage = 10  # défaut"))
        // Passwords never shown.
        #expect(!shown.stdout.contains("tres-secret") && shown.stdout.contains("releve:***@replique.interne"))
        // The output is itself a valid configuration file.
        let copy = Fixtures.write(shown.stdout, named: "copie.toml", in: directory)
        #expect(try Run.releve(["admin", "configuration", "--configuration", copy], environment: [:]).status == 0)

        // The environment beats the file; an option beats both.
        let overridden = try Run.releve(
            ["admin", "configuration", "--url-publique", "https://option.exemple.fr", "--format", "json"],
            environment: ["RELEVE_CONFIGURATION": file, "RELEVE_PORT": "9000", "RELEVE_URL_PUBLIQUE": "https://env.exemple.fr"])
        #expect(overridden.status == 0, "\(overridden.stderr)")
        let document = try #require(
            try JSONSerialization.jsonObject(with: Data(overridden.stdout.utf8)) as? [String: Any])
        let keys = try #require(document["cles"] as? [[String: Any]])
        func entry(_ key: String) -> (String?, String?) {
            let found = keys.first { $0["cle"] as? String == key }
            return (found?["valeur"] as? String, found?["source"] as? String)
        }
        #expect(entry("web.port") == ("9000", "environnement"))
        #expect(entry("web.url_publique") == ("https://option.exemple.fr", "option"))
        #expect(entry("base.lecture") == ("postgres://releve:***@replique.interne/releve", "\(file):3"))

        // A mistake: refused before anything runs, exit 78, file:line and the reason in French.
        let broken = Fixtures.write(
            "[base]\nchemin = \"\(base)\"\n\n[web]\nport = \"huit mille\"\n", named: "faux.toml", in: directory)
        let refused = try Run.releve(["importer", "--configuration", broken, "x.jsonl"], environment: [:])
        #expect(refused.status == 78, "\(refused.status) \(refused.stderr)")
        #expect(refused.stderr.contains("\(broken):5 : valeur de « port » : attendu un entier de 0 à 65535"), "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: base), "nothing ran")
        let unknown = Fixtures.write("[web]\nprot = 8080\n", named: "inconnu.toml", in: directory)
        let typo = try Run.releve(["admin", "configuration"], environment: ["RELEVE_CONFIGURATION": unknown])
        #expect(typo.status == 78 && typo.stderr.contains("\(unknown):2 : clé inconnue « prot » dans [web]"), "\(typo.stderr)")
        // A variable that is not a number is refused too, never replaced by the default.
        let badVariable = try Run.releve(["servir", "--base", base], environment: ["RELEVE_PORT": "huit"])
        #expect(
            badVariable.status == 64 && badVariable.stderr.contains("RELEVE_PORT : « huit » n'est pas un nombre entier"),
            "\(badVariable.stderr)")
        #expect(!FileManager.default.fileExists(atPath: base), "nothing ran")
        let missing = try Run.releve(
            ["admin", "configuration", "--configuration", directory.path + "/absent.toml"], environment: [:])
        #expect(missing.status == 66 && missing.stderr.contains("introuvable"), "\(missing.stderr)")
    }
}
