import Foundation
import ReleveDomain
import ReleveService
import ReleveStore

/// Builders and places shared by every test target (STYLE.md habit 10).
public enum Fixtures {
    public static func date(_ text: String) -> CivilDate {
        try! CivilDate(parsing: text)
    }

    public static func nir(_ text: String) -> NIR {
        try! NIR(parsing: text)
    }

    /// A valid assuré: Jean Martin, Paris, with one child (rank 2).
    public static func person(
        nir: String = "1701275112034", birthDate: String = "1970-12-03", lastName: String = "Martin",
        doctor: Bool = true, noemie: Bool = true, regime: Regime = .general
    ) -> InsuredPerson {
        let complementaire = try! Complementaire(code: "MUT0751", name: "Mutuelle des Services Publics", noemieLinkActive: noemie)
        return try! InsuredPerson(
            nir: NIR(parsing: nir), lastName: lastName, firstNames: "Jean", birthDate: CivilDate(parsing: birthDate),
            address: PostalAddress(lines: ["12 rue de Charenton"], postalCode: "75012", city: "Paris"), regime: regime,
            caisse: Caisse(code: "751", name: "CPAM de Paris"),
            doctor: doctor ? DoctorDeclaration(name: "Dr Claire Bernard", since: CivilDate(parsing: "2012-09-14")) : nil,
            longTermCondition: false,
            beneficiaries: [
                Beneficiary(rank: 1, firstName: "Jean", birthDate: CivilDate(parsing: birthDate), complementaire: complementaire),
                Beneficiary(
                    rank: 2, firstName: "Léa", birthDate: CivilDate(parsing: "2014-04-02"), complementaire: complementaire),
            ])
    }

    /// A GP consultation at 30 € and 70 % on `careDate`, with its 2 € participation forfaitaire.
    public static func consultation(
        reference: String = "751-TEST-0001", nir: String = "1701275112034", careDate: String = "2026-10-02",
        paidOn: String = "2026-10-06", base: Int64 = 3000
    ) -> Payment {
        let care = date(careDate)
        return try! Payment(
            reference: reference, nir: NIR(parsing: nir), date: date(paidOn), payee: .insured, kind: .care,
            lines: [
                PaymentLine(
                    careDate: care, beneficiaryRank: 1, kind: .act, actCode: "G", label: "Consultation généraliste",
                    professional: "Dr Claire Bernard", quantity: 1, paid: Cents(base), base: Cents(base), rate: Rate(percent: 70),
                    reimbursed: Cents(base).applying(Rate(percent: 70)), transmittedToComplementaire: true),
                PaymentLine(
                    careDate: care, beneficiaryRank: 1, kind: .flatParticipation, actCode: "PF",
                    label: "Participation forfaitaire",
                    professional: nil, quantity: 1, paid: .zero, base: .zero, rate: .zero, reimbursed: Cents(-200),
                    transmittedToComplementaire: false),
            ])
    }

    /// A fresh temporary directory, removed by the caller with `remove`.
    public static func temporaryDirectory() -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("releve-test-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Writes `text` (or raw `bytes`) to a file named `name` in `directory`.
    @discardableResult
    public static func write(_ text: String, named name: String, in directory: URL) -> String {
        write(Array(text.utf8), named: name, in: directory)
    }

    @discardableResult
    public static func write(_ bytes: [UInt8], named name: String, in directory: URL) -> String {
        let url = directory.appendingPathComponent(name)
        try! Data(bytes).write(to: url)
        return url.path
    }

    /// The root of the package (for SampleData and docs).
    public static let packageRoot: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// The `releve` binary built beside the test bundle.
    public static var releveBinary: String {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("releve").path,
            Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("releve").path,
            packageRoot.appendingPathComponent(".build/debug/releve").path,
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[0]
    }

    /// A sample feed: the first `persons` assurés of the standard generator.
    public static func sampleFeed(
        persons: Int, months: Int = 12, lastMonth: String = "2026-10", format: SampleFeed.Format = .jsonLines, in directory: URL,
        name: String? = nil
    ) throws -> SampleFeed.Summary {
        let generator = SampleGenerator(seed: 7, months: months, lastMonth: try Month(parsing: lastMonth))
        let path = directory.appendingPathComponent(name ?? (format == .csv ? "feed.csv" : "feed.jsonl")).path
        return try SampleFeed(generator: generator).write(persons: persons, to: path, format: format)
    }
}

/// Runs the real binary and collects what it printed.
public struct ProcessResult: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String

    public init(status: Int32, stdout: String, stderr: String) {
        self.status = status
        self.stdout = stdout
        self.stderr = stderr
    }
}

public enum Run {
    public static func releve(
        _ arguments: [String], environment: [String: String] = [:], directory: URL? = nil, input: String? = nil,
        clock: String? = nil, umask: String? = nil
    ) throws -> ProcessResult {
        let process = Process()
        if let umask {
            // The binary started under this umask (e.g. "000"): what it creates must not depend on it.
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", "umask \(umask) && exec \"$0\" \"$@\"", Fixtures.releveBinary] + arguments
        } else if let clock {
            // Debian's libfaketime: the binary runs as if it were `clock` ("2026-12-02 09:00:00").
            process.executableURL = URL(fileURLWithPath: "/usr/bin/faketime")
            process.arguments = [clock, Fixtures.releveBinary] + arguments
        } else {
            process.executableURL = URL(fileURLWithPath: Fixtures.releveBinary)
            process.arguments = arguments
        }
        var env = ProcessInfo.processInfo.environment
        for (key, value) in environment { env[key] = value }
        process.environment = env
        if let directory { process.currentDirectoryURL = directory }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let stdin = Pipe()
        process.standardInput = stdin
        try process.run()
        if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
        try? stdin.fileHandleForWriting.close()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return ProcessResult(
            status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self))
    }
}

/// Runs blocking work (processes waited for, polling loops) on threads of its own, off the
/// cooperative threads: there are two on this machine, and a test blocked there for a minute
/// starves every other test of the run. It stays the same task (a task executor preference),
/// so `#expect` inside records its issues against the running test.
public func offCooperativeThreads<T: Sendable>(_ body: () throws -> T) async throws -> T {
    try await withTaskExecutorPreference(ThreadPerJobExecutor.shared) { try body() }
}

/// Each job on a new thread (tests only: a few jobs per test).
public final class ThreadPerJobExecutor: TaskExecutor {
    public static let shared = ThreadPerJobExecutor()

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        let thread = Thread { job.runSynchronously(on: executor) }
        thread.stackSize = 8 << 20
        thread.start()
    }
}
