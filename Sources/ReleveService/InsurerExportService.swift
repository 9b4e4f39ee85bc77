import Crypto
import Foundation
import ReleveDomain
import ReleveStore

/// Exports to complementary insurers with an active NOEMIE link: one CSV file per insurer and
/// run, holding the payment lines transmitted to it since its previous export
/// (`docs/complementaire-export.md`).
///
/// Each run covers, per insurer, the payments after the last one its previous export covered,
/// up to the last payment in the store when the run starts: a line is exported once. A file
/// is written, fsynced and renamed before the row that moves the insurer's watermark commits,
/// so a crash leaves either a recorded export or one to redo, never a line lost or doubled.
public struct InsurerExportService: Sendable {
    let store: any Store
    /// `<directory>/<AAAA-MM-JJ>/<code>.csv`.
    public let directory: String

    public init(store: any Store, directory: String) {
        self.store = store
        self.directory = directory
    }

    public struct Outcome: Sendable, Equatable {
        public var insurer: LinkedInsurer
        public var export: InsurerExport
        /// False when that date's export already existed and was left as it was.
        public var new: Bool
    }

    public static let header = [
        "reference_paiement", "date_paiement", "nir", "rang_beneficiaire", "prenom_beneficiaire", "date_soins", "type",
        "code_acte", "libelle", "professionnel", "quantite", "montant_paye", "base", "taux", "rembourse",
    ]

    public func export(date: CivilDate, now: Date, progress: (@Sendable (String, Int) -> Void)? = nil) async throws -> [Outcome] {
        let at = Int64(now.timeIntervalSince1970)
        guard date <= CivilDate(unixSeconds: at) else {
            throw ServiceError.invalidValue(.invalid(field: "date", reason: "\(date.formattedLong) est dans le futur"))
        }
        let insurers = try await store.linkedInsurers()
        let existing = Dictionary(
            try await store.insurerExports(date: date).map { ($0.code, $0) }, uniquingKeysWith: { a, _ in a })
        // Payment ids start at 1: id 0 stands for "before every payment".
        let through = try await store.lastPaymentID() ?? Payment.ID(0)
        var outcomes: [Outcome] = []
        for insurer in insurers {
            if let export = existing[insurer.code] {
                outcomes.append(Outcome(insurer: insurer, export: export, new: false))
                continue
            }
            let after = try await store.lastExportedPaymentID(insurer: insurer.code) ?? Payment.ID(0)
            let relative = "\(date)/\(Self.fileName(insurer.code))"
            try PrivateFiles.makeDirectory("\(directory)/\(date)")
            let file = try OutputFile(path: "\(directory)/\(relative)", mode: 0o600)
            var hasher = SHA256()
            func write(_ row: [String]) throws {
                let bytes = Array((row.joined(separator: ",") + "\r\n").utf8)
                hasher.update(data: bytes)
                try file.write(bytes)
            }
            try write(Self.header)
            var cursor: Payment.ID? = after
            var count = 0
            while let position = cursor, position < through {
                let page = try await store.exportLines(insurer: insurer.code, after: cursor, through: through, limit: 2_000)
                guard let last = page.lastPaymentID else { break }
                for line in page.lines { try write(Self.row(line)) }
                count += page.lines.count
                cursor = last
                progress?(insurer.code, count)
            }
            try file.commit()
            let export = InsurerExport(
                code: insurer.code, date: date, file: relative,
                sha256: French.hex(hasher.finalize()), lines: count,
                firstPaymentID: Payment.ID(after.rawValue + 1), lastPaymentID: max(after, through), createdAt: at)
            try await store.recordInsurerExport(
                export,
                audit: AuditEvent(
                    at: at, kind: "insurer_export", outcome: "written", channel: AccountService.Channel.operator.rawValue,
                    detail: "\(insurer.code) \(date): \(count) lignes"))
            outcomes.append(Outcome(insurer: insurer, export: export, new: true))
        }
        return outcomes
    }

    /// A file name from the insurer's code: letters, digits, `-` and `_` only.
    static func fileName(_ code: String) -> String {
        String(code.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") ? $0 : "_" }) + ".csv"
    }

    static func row(_ export: ExportLine) -> [String] {
        let text = PaymentsExport.text
        let line = export.line
        return [
            text(export.paymentReference), export.paymentDate.description, export.nir, String(line.beneficiaryRank),
            text(export.beneficiaryFirstName), line.careDate.description, line.kind.rawValue, text(line.actCode),
            text(line.label), text(line.professional ?? ""), String(line.quantity), PaymentsExport.euros(line.paid),
            PaymentsExport.euros(line.base), PaymentsExport.rate(line.rate), PaymentsExport.euros(line.reimbursed),
        ]
    }
}
