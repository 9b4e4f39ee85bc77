import CoreMetrics
import Foundation
import Logging
import Prometheus
import ReleveService

/// The process's log and metrics backends, installed before any command runs: swift-log with
/// `ReleveLogHandler` (JSON lines unless standard error is a terminal), swift-metrics with
/// Prometheus. `servir --metriques` exposes the registry; the batches write it to
/// `RELEVE_METRIQUES_FICHIER` when they end (node_exporter's textfile collector).
enum Observability {
    static let registry = PrometheusCollectorRegistry()

    static func bootstrap(arguments: [String]) {
        // `servir` logs its requests on a terminal too; the other commands say what they did.
        ReleveLogHandler.bootstrap(quietOnTerminal: arguments.first != "servir")
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
            .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2),
            .seconds(5), .seconds(10),
        ]
        MetricsSystem.bootstrap(factory)
    }

    /// Writes the registry to `RELEVE_METRIQUES_FICHIER` (a temporary file renamed over it, so
    /// the collector never reads half a file). A failure is logged, never fatal: the batch's
    /// work is done and committed.
    static func writeMetricsFile(logger: Logger) {
        guard let path = Configuration.value("RELEVE_METRIQUES_FICHIER") else { return }
        let temporary = path + ".partiel-\(getpid())"
        do {
            try Data(registry.emitToBuffer()).write(to: URL(fileURLWithPath: temporary))
            guard rename(temporary, path) == 0 else { throw CocoaError(.fileWriteUnknown) }
        } catch {
            unlink(temporary)
            logger.warning("fichier des métriques impossible à écrire", metadata: ["file": .string(path)])
        }
    }
}
