import Foundation
import ReleveOIDC

/// The real OpenID Connect provider of Tests/franceconnect/fournisseur.py (joserfc, from
/// .ci/requirements.txt), started on a free loopback port for one test and stopped after it.
public final class TestProvider: @unchecked Sendable {
    public let issuer: String
    public let clientID = "releve-test"
    public let clientSecret = "secret-de-test"
    private let process: Process
    private let directory: URL

    public enum ProviderError: Error, CustomStringConvertible {
        case notStarted(String)
        case noRedirect(String)
        public var description: String {
            switch self {
            case .notStarted(let why): "the test provider did not start: \(why) (make deps-test installs joserfc)"
            case .noRedirect(let url): "no redirect from \(url)"
            }
        }
    }

    /// The Python of the test virtual environment when there is one (make deps-test), else python3.
    static var python: String {
        let venv = Fixtures.packageRoot.appendingPathComponent(".build/venv/bin/python").path
        return FileManager.default.isExecutableFile(atPath: venv) ? venv : "/usr/bin/python3"
    }

    public init() throws {
        directory = Fixtures.temporaryDirectory()
        let portFile = directory.appendingPathComponent("port")
        process = Process()
        process.executableURL = URL(fileURLWithPath: Self.python)
        process.arguments = [
            Fixtures.packageRoot.appendingPathComponent("Tests/franceconnect/fournisseur.py").path, "--port", "0",
            "--client-id", clientID, "--client-secret", clientSecret, "--port-file", portFile.path,
        ]
        let log = directory.appendingPathComponent("journal.txt")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: log)
        process.standardError = process.standardOutput
        try process.run()
        var port: String?
        for _ in 0..<200 {
            if let text = try? String(contentsOf: portFile, encoding: .utf8) {
                port = text
                break
            }
            if !process.isRunning { break }
            usleep(50_000)
        }
        guard let port else {
            kill(process.processIdentifier, SIGKILL)
            throw ProviderError.notStarted((try? String(contentsOf: log, encoding: .utf8)) ?? "")
        }
        issuer = "http://127.0.0.1:\(port)"
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: directory)
    }

    /// Stops the provider (a test of an unreachable provider calls it early).
    public func stop() {
        // SIGKILL: a child spawned from a test thread may inherit a mask that blocks SIGTERM.
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    /// Settings registering Releve with this provider.
    public func settings(
        redirect: String = "https://releve.test/franceconnect/retour", timeout: Duration = .seconds(2)
    ) -> ProviderSettings {
        ProviderSettings(
            issuer: issuer, clientID: clientID, clientSecret: clientSecret, redirectURI: redirect,
            postLogoutRedirectURI: "https://releve.test/franceconnect/deconnecte", timeout: timeout)
    }

    /// Makes the next answers misbehave (see fournisseur.py), or behave again with "none".
    public func fault(_ mode: String) throws {
        _ = try Self.curl(["-s", "-X", "POST", "-d", "mode=\(mode)", issuer + "/_test/faute"])
    }

    /// What the provider saw (authorizations with their prompt and max_age, logouts).
    public func journal() throws -> [[String: String]] {
        let data = try Self.curl(["-s", issuer + "/_test/journal"])
        let entries = try JSONSerialization.jsonObject(with: data) as? [[String: Any]] ?? []
        return entries.map { $0.mapValues { "\($0)" } }
    }

    /// Signs in at the provider as `subject` (as a browser would pick the user) and returns
    /// the redirect's query: `state`, and `code` or `error`.
    public func authorize(_ url: String, as subject: String) throws -> [String: String] {
        let location = try redirect(url, as: subject)
        guard let components = URLComponents(string: location), let items = components.queryItems else {
            throw ProviderError.noRedirect(url)
        }
        return Dictionary(items.map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { a, _ in a })
    }

    /// The address the provider sends the browser back to, after signing in as `subject`.
    public func redirect(_ url: String, as subject: String) throws -> String {
        let data = try Self.curl(["-s", "-o", "/dev/null", "-w", "%{redirect_url}", url + "&login_hint=" + subject])
        return String(decoding: data, as: UTF8.self)
    }

    /// What a browser following `url` gets (status and body).
    public static func browse(_ url: String) throws -> String {
        String(decoding: try curl(["-s", url]), as: UTF8.self)
    }

    static func curl(_ arguments: [String]) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = ["--max-time", "10"] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return data
    }
}
