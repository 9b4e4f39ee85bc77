import Foundation

/// The throwaway PostgreSQL cluster of Tests/postgres/grappe.sh (`make test` and CI start it and
/// export `RELEVE_TEST_POSTGRES`); each test gets a database of its own, dropped afterwards.
public enum PostgresTestServer {
    /// The cluster's address, or nil when none was started (the PostgreSQL tests are then
    /// skipped, said as such; CI always starts one).
    public static var url: String? {
        ProcessInfo.processInfo.environment["RELEVE_TEST_POSTGRES"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The cluster's streaming replica (same databases, replayed), or nil.
    public static var replicaURL: String? {
        ProcessInfo.processInfo.environment["RELEVE_TEST_POSTGRES_REPLIQUE"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The address of `database` (a URL from `database()`) on the replica.
    public static func onReplica(_ database: String) -> String? {
        guard let replicaURL, let name = database.split(separator: "/").last else { return nil }
        return replicaURL.replacingOccurrences(of: #"/[^/?]*$"#, with: "/\(name)", options: .regularExpression)
    }

    public enum Failure: Error, CustomStringConvertible {
        case psql(String)
        public var description: String {
            switch self {
            case .psql(let text): "psql: \(text)"
            }
        }
    }

    /// A fresh, empty database on the cluster; its URL and what to do when the test is done.
    ///
    /// Nothing, in fact: the cluster is thrown away whole at the end of `make test`. Dropping
    /// each database at the end of its test (`DROP DATABASE … WITH (FORCE)`) waits for every
    /// backend of the cluster to take a signal barrier, and with tests running in parallel on
    /// two cores that wait deadlocked the suite (seen: 20 minutes, no progress).
    public static func database() throws -> (url: String, drop: @Sendable () -> Void) {
        guard let url else { throw Failure.psql("RELEVE_TEST_POSTGRES is not set (Tests/postgres/grappe.sh demarrer)") }
        let name = "releve_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
        _ = try psqlBlocking(url, "CREATE DATABASE \(name)")
        let base = url.replacingOccurrences(of: #"/[^/?]*(\?|$)"#, with: "/\(name)$1", options: .regularExpression)
        return (base, {})
    }

    /// Runs one statement with psql, off the cooperative threads (two on this machine: a test
    /// blocked in `waitUntilExit` there starves every other test), and returns its output.
    @discardableResult
    public static func psql(_ url: String, _ sql: String) async throws -> String {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try psqlBlocking(url, sql) })
            }
        }
    }

    /// The same, blocking: for synchronous callers only (a sandbox's initialiser).
    @discardableResult
    public static func psqlBlocking(_ url: String, _ sql: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/psql")
        process.arguments = [url, "-v", "ON_ERROR_STOP=1", "-Atqc", sql]
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw Failure.psql(String(decoding: errors, as: UTF8.self)) }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
