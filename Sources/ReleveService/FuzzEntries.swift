import Foundation
import ReleveDomain

/// The entry points of the libFuzzer targets (Tests/Fuzz, `make fuzz`), public so that
/// `swift test` replays every committed crash input (Tests/Fuzz/FailCases) through the same code.
/// Each one feeds arbitrary bytes to a parser and checks what it promises: refuse with a
/// `DomainError`, or accept a value that holds its invariants; never trap.
public enum FuzzEntries {
    public static let targets: [(name: String, run: @Sendable ([UInt8]) -> Void)] = [
        ("nir", nir), ("code", code), ("csv", csvFeed), ("json", jsonFeed), ("nom-telechargement", downloadName),
    ]

    /// NIR parsing: accepted NIRs are 13 characters of digits (2A/2B in Corsica), round-trip
    /// through their printed forms, and mask the person's identity.
    public static func nir(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        guard let nir = try? NIR(parsing: text) else { return }
        precondition(nir.body.utf8.count == 13, "a NIR body is 13 characters")
        precondition((try? NIR(parsing: nir.body)) == nir, "the body parses back to the same NIR")
        precondition((try? NIR(parsing: nir.formatted)) == nir, "the formatted NIR parses back")
        precondition(!nir.masked.contains(String(nir.body.suffix(6))), "the mask hides the end of the NIR")
    }

    /// Personal codes and their policy: accepted codes are 8 to 13 ASCII digits.
    public static func code(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        _ = try? ProvisionalCode(text)
        guard let code = try? PersonalCode(text) else { return }
        precondition((8...13).contains(code.digits.utf8.count) && code.digits.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 })
        let nir = try! NIR(parsing: "1701275112034")
        _ = try? CodePolicy.check(code, nir: nir, birthDate: try! CivilDate(parsing: "1970-12-03"))
    }

    /// One CSV feed row: parsed, then read as a payment's header and line.
    public static func csvFeed(_ bytes: [UInt8]) {
        var row = CSVRow()
        guard bytes.withUnsafeBufferPointer({ row.parse($0) }) == nil else { return }
        if PaymentCSV.checkHeader(row) == nil { return }
        guard row.count == PaymentCSV.columns.count else { return }
        _ = try? PaymentCSV.paymentHeader(row)
        if let line = try? PaymentCSV.line(row) { checkLine(line) }
    }

    /// One JSON Lines record, decoded strictly.
    public static func jsonFeed(_ bytes: [UInt8]) {
        guard let record = try? JSONDecoder().decode(FeedJSONRecord.self, from: Data(bytes)).record else { return }
        switch record {
        case .person(let person):
            precondition(!person.beneficiaries.isEmpty)
        case .payment(let payment):
            for line in payment.lines { checkLine(line) }
            precondition(payment.totalPaid.isWithinMaximum && payment.totalReimbursed.isWithinMaximum)
        }
    }

    /// The `Content-Disposition` built for any name: one line of visible ASCII.
    public static func downloadName(_ bytes: [UInt8]) {
        let header = DownloadName.contentDisposition(fileName: String(decoding: bytes, as: UTF8.self))
        precondition(header.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F }, "visible ASCII only")
        let fallback = DownloadName.asciiFallback(String(decoding: bytes, as: UTF8.self))
        precondition(!fallback.contains("\"") && !fallback.contains("/") && !fallback.hasPrefix("."))
    }

    static func checkLine(_ line: PaymentLine) {
        precondition(line.paid.isWithinMaximum && line.base.isWithinMaximum && line.reimbursed.isWithinMaximum)
        _ = line.remainingCost.formatted
    }
}
