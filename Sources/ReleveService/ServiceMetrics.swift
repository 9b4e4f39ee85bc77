import CoreMetrics
import Foundation

/// The service's metrics, through the swift-metrics API: the `releve` executable installs the
/// Prometheus backend (`servir` exposes it at `/metrics` on its own address; the batches write
/// it to `RELEVE_METRIQUES_FICHIER` for node_exporter's textfile collector). Without a backend
/// (library tests) every call is a no-op. Names follow Prometheus' conventions (README,
/// "Running it as a service", lists them).
public enum ServiceMetrics {
    /// A login attempt's outcome, by channel (web, api, cli…).
    static func login(channel: String, outcome: String) {
        Counter(label: "releve_logins_total", dimensions: [("channel", channel), ("outcome", outcome)]).increment()
    }

    /// The outcome word of a failed login.
    static func loginOutcome(_ error: any Error) -> String {
        switch error as? ServiceError {
        case .authenticationFailed: "wrong_code"
        case .locked: "locked"
        case .overloaded: "overloaded"
        case .maintenance: "maintenance"
        case .invalidValue: "invalid_input"
        case .accountClosed: "closed"
        default: "error"
        }
    }

    /// Key derivations waiting for a slot, and running.
    static func kdf(waiting: Int, running: Int) {
        Gauge(label: "releve_kdf_queue_depth").record(waiting)
        Gauge(label: "releve_kdf_running").record(running)
    }

    /// A key derivation that had to wait for a slot.
    static func kdfWaited() { Counter(label: "releve_kdf_waits_total").increment() }

    /// A key derivation refused because the queue (or the requester's share) was full.
    static func kdfRefused() { Counter(label: "releve_kdf_refusals_total").increment() }

    /// Lines of a feed file imported (and the rate of that file).
    static func imported(lines: Int, seconds: Double) {
        Counter(label: "releve_import_lines_total").increment(by: lines)
        if seconds > 0 { Gauge(label: "releve_import_lines_per_second").record(Double(lines) / seconds) }
    }

    /// Statements issued by a batch (archived, routed).
    static func issued(_ count: Int) {
        Counter(label: "releve_statements_issued_total").increment(by: count)
    }

    /// Letters put in a print batch.
    static func printed(_ count: Int) {
        Counter(label: "releve_letters_printed_total").increment(by: count)
    }
}
