import ArgumentParser
import Foundation
import Logging
import ReleveDomain
import ReleveService
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where errors become French messages on standard error and exit codes: the one place.
enum CLI {
    /// Runs `body`; any error is printed in French and turned into its documented exit code.
    static func run<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let exit as ExitCode {
            throw exit
        } catch let ended as Input.InputEnded {
            printError("Saisie interrompue avant « \(ended.prompt) » : rien n'a été modifié.")
            throw ExitCode(65)
        } catch {
            let serviceError = ServiceError.wrap(error)
            printError(serviceError.message)
            if case .internal(let detail) = serviceError { printError("(détail : \(detail))") }
            throw ExitCode(serviceError.exitCode)
        }
    }

    /// Builds the services of `settings`, runs `body`, closes them, with `run`'s error handling.
    static func open<T>(_ settings: ReleveSettings, _ body: (ReleveServices) async throws -> T) async throws -> T {
        let services = try await run { try await ReleveServices.build(settings) }
        defer { services.close() }
        return try await run { try await body(services) }
    }

    /// Runs `body` with SIGTERM and SIGINT turned into a request to stop (instead of killing
    /// the process): the batches ask between steps, keep what is recorded and say how to resume.
    static func stoppable<T>(_ body: (StopFlag) async throws -> T) async throws -> T {
        let flag = StopFlag()
        let sources = [SIGTERM, SIGINT].map { number -> any DispatchSourceSignal in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                Logger(label: "releve-lot").warning("arrêt demandé : fin de l'étape en cours, puis arrêt")
                flag.request()
            }
            source.resume()
            return source
        }
        defer {
            for source in sources { source.cancel() }
            signal(SIGTERM, SIG_DFL)
            signal(SIGINT, SIG_DFL)
        }
        return try await body(flag)
    }

    static func runSync<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch {
            let serviceError = ServiceError.wrap(error)
            printError(serviceError.message)
            throw ExitCode(serviceError.exitCode)
        }
    }

    static func printError(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    static var stderrIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }

    /// `1 234 567`, as French numbers are written.
    static func number(_ value: some BinaryInteger) -> String { French.number(value) }

    static func duration(_ seconds: Double) -> String {
        if seconds < 1 { return "\(Int(seconds * 1000)) ms" }
        if seconds < 60 { return String(format: "%.1f s", seconds).replacingOccurrences(of: ".", with: ",") }
        let total = Int(seconds.rounded())
        return "\(total / 60) min \(total % 60) s"
    }
}

/// A stop asked for by a signal, read by the batch between its steps.
final class StopFlag: Sendable {
    private let state = Mutex(false)

    var requested: Bool { state.withLock { $0 } }

    func request() { state.withLock { $0 = true } }
}

/// Progress on standard error: a redrawn bar on a terminal, a plain line every 10 % otherwise.
final class ProgressDisplay: @unchecked Sendable {
    private let label: String
    private let started = Date()
    private let lock = NSLock()
    private var lastDraw = Date.distantPast
    private var lastDecile = -1
    private let terminal = CLI.stderrIsTerminal
    private let logger = Logger(label: "releve-lot")

    init(label: String) {
        self.label = label
    }

    /// `fraction` in 0…1 when known; `count` items done so far, named `unit` (singular; the
    /// plural takes an « s » from 2 on).
    func update(fraction: Double?, count: Int, unit: String) {
        lock.lock()
        defer { lock.unlock() }
        let now = Date()
        let elapsed = now.timeIntervalSince(started)
        let rate = elapsed > 0 ? Double(count) / elapsed : 0
        var text = "\(label) : \(French.count(count, unit))"
        if rate > 0 && elapsed > 0.5 { text += " · \(CLI.number(Int(rate)))/s" }
        if let fraction, fraction > 0.01, fraction < 1 {
            text += " · reste \(CLI.duration(elapsed * (1 - fraction) / fraction))"
        }
        if terminal {
            guard now.timeIntervalSince(lastDraw) >= 0.1 || fraction == 1 else { return }
            lastDraw = now
            var bar = ""
            if let fraction {
                let filled = Int((min(max(fraction, 0), 1) * 20).rounded())
                bar = "[" + String(repeating: "#", count: filled) + String(repeating: "-", count: 20 - filled) + "] "
                bar += "\(Int(fraction * 100)) % "
            }
            FileHandle.standardError.write(Data(("\r\u{1B}[K" + bar + text).utf8))
        } else if let fraction {
            // Not on a terminal (cron, a service manager): one log line every 10 %, with the task
            // (file or month), the count and the rate as fields.
            let decile = Int(fraction * 10)
            guard decile > lastDecile else { return }
            lastDecile = decile
            logger.info(
                "\(Int(fraction * 100)) % · \(text)",
                metadata: [
                    "task": .string(label), "percent": .string(String(Int(fraction * 100))), "done": .string(String(count)),
                    "rate_per_second": .string(String(Int(rate))),
                ])
        }
    }

    func finish() {
        if terminal { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }
}
