import Foundation
import ReleveDomain
import ReleveStore

/// What an installation takes on disk, where, and how fast it grows (`releve admin stockage`).
public struct StorageReport: Sendable, Equatable {
    /// A folder's files: their total size and number.
    public struct Folder: Sendable, Equatable {
        public var path: String
        public var bytes: Int64
        public var files: Int
    }

    /// One month of the archive (`<archive>/AAAA-MM`): statements and thumbnails.
    public struct ArchiveMonth: Sendable, Equatable {
        public var month: Month
        public var statements: Int
        public var bytes: Int64
    }

    public var engine: String
    public var parts: [EngineStorage.Part]
    public var archive: Folder
    public var archiveMonths: [ArchiveMonth]
    public var printBatches: Folder
    public var exports: Folder
    /// The months the growth figures average over (the last three with statements).
    public var growthMonths: [Month]
    /// The archive's bytes per month, over `growthMonths`.
    public var archiveGrowth: Int64
    /// The base's bytes per month, estimated: its size shared out by payments, times the
    /// payments of a month over the last three months that have payments.
    public var baseGrowth: Int64?
    public var payments: Int
}

extension OperationsService {
    /// Measures the base (through the engine), the archive month by month, the print batches
    /// and the exports. Reads only.
    public func storage(printBatches: String, exports: String) async throws -> StorageReport {
        let engine = try await store.storage()
        var months: [StorageReport.ArchiveMonth] = []
        var total = Self.measure(archive)
        total.files = 0
        total.bytes = 0
        for name in ((try? FileManager.default.contentsOfDirectory(atPath: archive)) ?? []).sorted() {
            let folder = Self.measure("\(archive)/\(name)")
            total.bytes += folder.bytes
            total.files += folder.files
            guard let month = Month(name) else { continue }
            let statements =
                ((try? FileManager.default.contentsOfDirectory(atPath: "\(archive)/\(name)")) ?? []).filter {
                    $0.hasSuffix(".pdf")
                }
                .count
            months.append(StorageReport.ArchiveMonth(month: month, statements: statements, bytes: folder.bytes))
        }
        let recent = Array(months.suffix(3))
        let archiveGrowth = recent.isEmpty ? 0 : recent.reduce(0) { $0 + $1.bytes } / Int64(recent.count)
        let payments = engine.paymentsByMonth.values.reduce(0, +)
        var baseGrowth: Int64?
        if let base = engine.parts.first?.bytes, payments > 0 {
            let last = engine.paymentsByMonth.keys.sorted().suffix(3)
            let perMonth = Double(last.reduce(0) { $0 + engine.paymentsByMonth[$1]! }) / Double(max(1, last.count))
            baseGrowth = Int64(Double(base) * perMonth / Double(payments))
        }
        return StorageReport(
            engine: store.engineDescription, parts: engine.parts, archive: total, archiveMonths: months,
            printBatches: Self.measure(printBatches), exports: Self.measure(exports), growthMonths: recent.map(\.month),
            archiveGrowth: archiveGrowth, baseGrowth: baseGrowth, payments: payments)
    }

    /// The files under `path` (recursively): total size and number; a missing folder is empty.
    static func measure(_ path: String) -> StorageReport.Folder {
        var folder = StorageReport.Folder(path: path, bytes: 0, files: 0)
        guard let walker = FileManager.default.enumerator(atPath: path) else { return folder }
        while let name = walker.nextObject() as? String {
            var info = stat()
            guard lstat("\(path)/\(name)", &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { continue }
            folder.bytes += Int64(info.st_size)
            folder.files += 1
        }
        return folder
    }
}
