import Foundation
import ReleveDomain

/// `releve echantillon`: writes a generated feed to disk, one assuré at a time.
public struct SampleFeed: Sendable {
    public enum Format: String, Sendable, CaseIterable {
        case jsonLines = "jsonl"
        case csv
    }

    public struct Summary: Sendable, Equatable {
        public var persons = 0
        public var payments = 0
        public var lines = 0
        /// The files written: the feed, and for CSV the assurés' JSON Lines beside it.
        public var files: [String] = []
    }

    public let generator: SampleGenerator

    public init(generator: SampleGenerator) {
        self.generator = generator
    }

    /// For CSV, the payments go to `path` and the assurés to `<path without extension>.assures.jsonl`,
    /// to be imported first.
    public static func personsPath(forCSV path: String) -> String {
        let url = URL(fileURLWithPath: path)
        return url.deletingPathExtension().path + ".assures.jsonl"
    }

    public func write(
        persons count: Int, to path: String, format: Format, progress: (@Sendable (Int) -> Void)? = nil
    ) throws -> Summary {
        let main = try OutputFile(path: path)
        let side = format == .csv ? try OutputFile(path: Self.personsPath(forCSV: path)) : nil
        if format == .csv { try main.write(PaymentCSV.header + "\n") }
        var summary = Summary()
        for index in 0..<count {
            let (person, payments) = generator.assure(index: index)
            summary.persons += 1
            summary.payments += payments.count
            switch format {
            case .jsonLines:
                try main.write(FeedWriter.json(person))
                for payment in payments { try main.write(FeedWriter.json(payment)) }
            case .csv:
                try side?.write(FeedWriter.json(person))
                for payment in payments { try main.write(FeedWriter.csvRows(payment)) }
            }
            for payment in payments { summary.lines += payment.lines.count }
            if index & 0x3FF == 0 { progress?(index) }
        }
        try side?.commit()
        try main.commit()
        progress?(count)
        summary.files = [side?.path, main.path].compactMap { $0 }
        return summary
    }
}
