import Foundation
import ReleveDomain
import ReleveStore
import Synchronization

/// Imports insurer feeds (docs/feed-format.md) into the store.
///
/// - Streaming: a fixed read buffer and one payment at a time, so memory stays flat.
/// - All or nothing per file: the whole file is one transaction with its ledger row. Any
///   rejected record (reported with file, line and a French reason) rolls the file back, and
///   a crash rolls it back too.
/// - Idempotent: a file already in the ledger (same SHA-256) is skipped; a payment whose
///   reference is there with the same content is skipped; the same reference with other
///   content is a conflict, reported, never overwritten.
public struct FeedImporter: Sendable {
    let store: any Store
    /// How many issues a rejected file reports in detail (all are counted).
    public var maxReportedIssues = 50

    public init(store: any Store) {
        self.store = store
    }

    public enum Format: String, Sendable {
        case jsonLines = "JSON Lines"
        case csv = "CSV"
    }

    public func importFile(
        at path: String, now: Date, progress: (@Sendable (ImportProgress) -> Void)? = nil
    ) async throws -> ImportReport {
        let started = Date()
        let name = URL(fileURLWithPath: path).lastPathComponent
        let totalBytes = try Self.size(of: path)
        guard totalBytes > 0 else {
            throw ServiceError.rejectedFile(
                path: path, issues: [FeedIssue(file: name, line: 1, message: "fichier vide : aucun enregistrement")], total: 1)
        }
        let identity = try LineReader(path: path).identity()
        let sha256 = try LineReader.sha256(ofFile: path)
        if let entry = try await wrapStore({ try await store.importedFile(sha256: sha256) }) {
            return ImportReport(
                file: path, outcome: .alreadyImported(entry), records: 0, seconds: Date().timeIntervalSince(started))
        }
        let format = try Self.format(of: path)
        let entry = ImportLedgerEntry(sha256: sha256, fileName: name, importedAt: Self.iso8601(now))
        let maxIssues = maxReportedIssues
        let (records, counts) = try await store.truncatingLog {
            try await wrapStore {
                try await store.importFile(entry) { session in
                    let run = ImportRun(
                        path: path, fileName: name, totalBytes: totalBytes, maxIssues: maxIssues, progress: progress)
                    return try await run.run(format: format, expectedIdentity: identity, into: session)
                }
            }
        }
        let seconds = Date().timeIntervalSince(started)
        ServiceMetrics.imported(lines: records, seconds: seconds)
        return ImportReport(file: path, outcome: .imported(counts), records: records, seconds: seconds)
    }

    private func wrapStore<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch {
            throw ServiceError.wrap(error)
        }
    }

    static func size(of path: String) throws -> Int64 {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ServiceError.inputUnreadable(path: path, reason: "fichier introuvable")
        }
        guard !isDirectory.boolValue else {
            throw ServiceError.inputUnreadable(path: path, reason: "c'est un dossier")
        }
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        return (attributes?[.size] as? NSNumber)?.int64Value ?? 0
    }

    /// By extension (`.csv`; `.jsonl`, `.ndjson`, `.json`), else by the first byte.
    static func format(of path: String) throws -> Format {
        switch URL(fileURLWithPath: path).pathExtension.lowercased() {
        case "csv": return .csv
        case "jsonl", "ndjson", "json": return .jsonLines
        default:
            var first: UInt8 = 0
            let reader = try LineReader(path: path)
            try reader.forEachLine { _, line in
                if first == 0, case .text(let bytes, _) = line, let byte = bytes.first(where: { $0 != 0x20 }) { first = byte }
            }
            return first == UInt8(ascii: "{") ? .jsonLines : .csv
        }
    }

    static func iso8601(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }
}

public struct ImportProgress: Sendable {
    public var bytesRead: Int64
    public var totalBytes: Int64
    public var records: Int
}

public struct ImportReport: Sendable {
    public enum Outcome: Sendable {
        case imported(ImportCounts)
        /// The same bytes were imported before: nothing was done.
        case alreadyImported(ImportLedgerEntry)
    }

    public var file: String
    public var outcome: Outcome
    /// Records read (assurés and payments).
    public var records: Int
    public var seconds: Double
}

/// One file's import: the file is read and parsed on a thread of its own, which hands records
/// in batches of `batchSize` to the store's session, at most two batches ahead of the writes
/// (so reading, parsing and writing overlap, in bounded memory). Problems found while parsing
/// and while writing are reported together, in line order.
///
/// Sendable by hand-over: the parsing thread alone touches the parsing state until it finishes
/// the batch stream; the writing side reads it only after that.
private final class ImportRun: @unchecked Sendable {
    static let batchSize = 1024

    let path: String
    let fileName: String
    let totalBytes: Int64
    let maxIssues: Int
    let progress: (@Sendable (ImportProgress) -> Void)?
    var issues: [FeedIssue] = []
    var issueCount = 0
    var records = 0
    private let decoder = JSONDecoder()

    /// Filled by the parsing thread: the batch being built, and what ended the parse.
    private var batch: [(line: Int, record: ImportRecord)] = []
    private var pipe: BatchPipe?
    private var failure: (any Error)?

    init(
        path: String, fileName: String, totalBytes: Int64, maxIssues: Int, progress: (@Sendable (ImportProgress) -> Void)?
    ) {
        self.path = path
        self.fileName = fileName
        self.totalBytes = totalBytes
        self.maxIssues = maxIssues
        self.progress = progress
    }

    func report(_ line: Int, _ message: String) {
        issueCount += 1
        if issues.count < maxIssues { issues.append(FeedIssue(file: fileName, line: line, message: message)) }
    }

    /// Parses on a thread, writes here; throws `rejectedFile` with every problem found.
    func run(format: FeedImporter.Format, expectedIdentity: FileIdentity, into session: any ImportSession) async throws
        -> Int
    {
        let pipe = BatchPipe(capacity: 2)
        self.pipe = pipe
        let parser = Thread { [self] in
            do {
                try parse(format: format, expectedIdentity: expectedIdentity)
                if !batch.isEmpty { try pipe.send(batch) }
            } catch {
                failure = error
            }
            pipe.finish()
        }
        parser.name = "releve-import"
        parser.start()
        var writeIssues: [FeedIssue] = []
        var writeIssueCount = 0
        var writeFailure: (any Error)?
        for await batch in pipe.batches {
            guard writeFailure == nil else { continue }  // drain: the parser stops at its next send
            do {
                let outcomes = try await session.write(batch.map(\.record))
                pipe.received()
                for (entry, outcome) in zip(batch, outcomes) {
                    guard let message = Self.problem(entry.record, outcome) else { continue }
                    writeIssueCount += 1
                    if writeIssues.count < maxIssues {
                        writeIssues.append(FeedIssue(file: fileName, line: entry.line, message: message))
                    }
                }
            } catch {
                writeFailure = error
                pipe.stop()
            }
        }
        // The stream is finished: the parsing thread is done with this object.
        if let writeFailure { throw writeFailure }
        if let failure { throw failure }
        let total = issueCount + writeIssueCount
        if total > 0 {
            let all = (issues + writeIssues).enumerated().sorted { ($0.element.line, $0.offset) < ($1.element.line, $1.offset) }
            throw ServiceError.rejectedFile(path: path, issues: all.prefix(maxIssues).map(\.element), total: total)
        }
        return records
    }

    /// The problem a write outcome reveals, if any.
    static func problem(_ record: ImportRecord, _ outcome: ImportOutcome) -> String? {
        guard case .payment(let payment, _) = record, case .payment(let result) = outcome else { return nil }
        switch result {
        case .inserted, .alreadyPresent:
            return nil
        case .conflict:
            return
                "la référence « \(payment.reference) » existe déjà avec un autre contenu ; rien n'est écrasé (à régler avec l'émetteur du flux)"
        case .unknownPerson:
            return "paiement pour un assuré inconnu (NIR \(payment.nir.masked)) ; l'assuré doit être importé avant"
        case .unknownBeneficiary(let rank):
            return "bénéficiaire de rang \(rank) inconnu pour cet assuré"
        }
    }

    /// The parsing thread's work: every line read, every record handed over in batches.
    private func parse(format: FeedImporter.Format, expectedIdentity: FileIdentity) throws {
        let reader = try LineReader(path: path)
        var lastLine = 0
        switch format {
        case .jsonLines: try runJSON(reader, &lastLine)
        case .csv: try runCSV(reader, &lastLine)
        }
        if records == 0 && issueCount == 0 {
            report(max(lastLine, 1), "fichier vide : aucun enregistrement")
        }
        // The ledger holds the SHA-256 computed before the import: the bytes imported must be those.
        if reader.identity() != expectedIdentity || reader.bytesRead != expectedIdentity.size {
            report(lastLine, "le fichier a été modifié pendant l'import ; relancez l'import")
        }
        progress?(ImportProgress(bytesRead: reader.bytesRead, totalBytes: totalBytes, records: records))
    }

    private func tick(_ reader: LineReader) {
        if records & 0x3FFF == 0, let progress {
            progress(ImportProgress(bytesRead: reader.bytesRead, totalBytes: totalBytes, records: records))
        }
    }

    private func runJSON(_ reader: LineReader, _ lastLine: inout Int) throws {
        try reader.forEachLine { number, line in
            lastLine = number
            guard case .text(let bytes, let terminated) = line else {
                report(number, "ligne de plus de \(LineReader.maxLineLength) octets")
                return
            }
            if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return }
            guard String(validating: bytes, as: UTF8.self) != nil else {
                report(number, "octets UTF-8 invalides")
                return
            }
            records += 1
            tick(reader)
            let record: FeedRecord
            do {
                record = try decoder.decode(FeedJSONRecord.self, from: Data(bytes)).record
            } catch let error as DecodingError {
                let reason = FeedJSONRecord.describe(error)
                report(number, terminated || reason != "JSON invalide" ? reason : "dernière ligne incomplète (fichier tronqué ?)")
                return
            } catch let error as DomainError {
                report(number, error.message)
                return
            }
            try store(record, line: number)
        }
    }

    private func store(_ record: FeedRecord, line: Int) throws {
        switch record {
        case .person(let person): batch.append((line, .person(person)))
        case .payment(let payment): batch.append((line, .payment(payment)))
        }
        if batch.count >= Self.batchSize {
            try pipe?.send(batch)
            batch.removeAll(keepingCapacity: true)
        }
    }

    private struct PendingPayment {
        var reference: [UInt8]
        var paymentColumns: [UInt8]
        var firstLine: Int
        var header: (NIR, CivilDate, Payment.Payee, Payment.Kind)?
        var lines: [PaymentLine] = []
        var failed = false
    }

    private func runCSV(_ reader: LineReader, _ lastLine: inout Int) throws {
        var row = CSVRow()
        var sawHeader = false
        var pending: PendingPayment?
        try reader.forEachLine { number, line in
            lastLine = number
            guard case .text(let bytes, let terminated) = line else {
                report(number, "ligne de plus de \(LineReader.maxLineLength) octets")
                pending?.failed = true
                return
            }
            if bytes.isEmpty { return }
            if let reason = row.parse(bytes) {
                report(number, terminated ? reason : "dernière ligne incomplète (fichier tronqué ?) : \(reason)")
                pending?.failed = true
                return
            }
            if !sawHeader {
                sawHeader = true
                if let reason = PaymentCSV.checkHeader(row) {
                    report(number, reason)
                    throw ServiceError.rejectedFile(path: path, issues: issues, total: issueCount)
                }
                return
            }
            guard row.count == PaymentCSV.columns.count else {
                report(
                    number,
                    terminated
                        ? "\(PaymentCSV.columns.count) colonnes attendues, \(row.count) trouvée\(row.count > 1 ? "s" : "")"
                        : "dernière ligne incomplète (fichier tronqué ?) : \(row.count) colonnes sur \(PaymentCSV.columns.count)")
                pending?.failed = true
                return
            }
            let reference = row.bytes(from: 0, through: 0)
            if let current = pending, !reference.elementsEqual(current.reference) {
                try flush(current)
                pending = nil
            }
            if pending == nil {
                records += 1
                tick(reader)
                pending = PendingPayment(
                    reference: Array(reference), paymentColumns: Array(PaymentCSV.paymentColumns(row)), firstLine: number)
                do throws(DomainError) {
                    let header = try PaymentCSV.paymentHeader(row)
                    pending?.header = header
                } catch {
                    report(number, error.message)
                    pending?.failed = true
                }
            } else if !PaymentCSV.paymentColumns(row).elementsEqual(pending!.paymentColumns) {
                report(
                    number,
                    "les colonnes du paiement (nir à nature) diffèrent de la première ligne de ce paiement (ligne \(pending!.firstLine))"
                )
                pending?.failed = true
                return
            }
            do throws(DomainError) {
                let paymentLine = try PaymentCSV.line(row)
                pending?.lines.append(paymentLine)
            } catch {
                report(number, error.message)
                pending?.failed = true
            }
        }
        if let current = pending { try flush(current) }
        if !sawHeader && issueCount == 0 {
            report(max(lastLine, 1), "fichier vide : ni en-tête ni enregistrement")
        }
    }

    private func flush(_ pending: PendingPayment) throws {
        guard !pending.failed, let (nir, date, payee, kind) = pending.header else { return }
        let payment: Payment
        do throws(DomainError) {
            payment = try Payment(
                reference: String(decoding: pending.reference, as: UTF8.self), nir: nir, date: date, payee: payee, kind: kind,
                lines: pending.lines)
        } catch {
            report(pending.firstLine, error.message)
            return
        }
        try store(.payment(payment), line: pending.firstLine)
    }
}

/// Batches from the parsing thread to the writing task: an `AsyncStream` for the writer, a
/// semaphore that blocks the parser (a thread of its own, never a task) when `capacity`
/// batches wait, and a stop switch for when the writer fails.
private final class BatchPipe: Sendable {
    typealias Batch = [(line: Int, record: ImportRecord)]

    let batches: AsyncStream<Batch>
    private let continuation: AsyncStream<Batch>.Continuation
    private let slots: DispatchSemaphore
    private let capacity: Int
    private let stopped = Mutex(false)

    struct Stopped: Error {}

    init(capacity: Int) {
        (batches, continuation) = AsyncStream.makeStream(of: Batch.self)
        slots = DispatchSemaphore(value: capacity)
        self.capacity = capacity
    }

    /// Parser side: waits for a free slot, then hands the batch over.
    func send(_ batch: Batch) throws {
        slots.wait()
        if stopped.withLock({ $0 }) { throw Stopped() }
        continuation.yield(batch)
    }

    /// Parser side: no more batches.
    func finish() { continuation.finish() }

    /// Writer side: a batch is written, its slot is free.
    func received() { slots.signal() }

    /// Writer side: the import failed; the parser stops at its next send.
    func stop() {
        stopped.withLock { $0 = true }
        for _ in 0...capacity { slots.signal() }
    }
}
