import Crypto
import Foundation
import ReleveDomain
import RelevePDF
import ReleveStore

/// Documents an assuré can hand to anyone (a period of payments, a payment's décompte, a
/// yearly summary), archived like the monthly statements, and the public check that any
/// Releve document — statement or document — is genuine, which says nothing about whose it is.
public struct DocumentService: Sendable {
    let store: any Store
    let payments: PaymentsService
    let archive: String
    let publicURL: String

    public init(store: any Store, archive: String, publicURL: String) {
        self.store = store
        payments = PaymentsService(store: store)
        self.archive = archive
        self.publicURL = publicURL
    }

    /// A generated document: its archive record and its bytes.
    public struct Generated: Sendable {
        public let record: IssuedDocument
        public let bytes: [UInt8]
    }

    // MARK: Generating

    /// The payments view of `filter` (same rules: ≤ 27 months, not reversed) as a PDF.
    public func period(
        _ user: AccountService.Authenticated, filter: PaymentsService.Filter, detailed: Bool, today: CivilDate, now: Date
    ) async throws -> Generated {
        let report = try await payments.report(for: user.person.person, filter: filter, today: today)
        var notes: [String] = []
        if let wanted = filter.beneficiary, let rank = PaymentsService.rank(of: wanted, in: user.person.person) {
            notes.append(report.beneficiaryName(rank))
        }
        if let nature = filter.nature { notes.append(nature.french) }
        let document = DocumentBuilder.period(
            report, detailed: detailed, filterNote: notes.isEmpty ? nil : notes.joined(separator: ", "), issuedOn: today,
            publicURL: publicURL)
        return try await keep(document, kind: .period, user: user, from: report.from, to: report.to, today: today, now: now)
    }

    /// One of the assuré's payments (of the last 27 months) as a décompte; nil when the
    /// reference is not one of theirs (unknown or someone else's: the same answer).
    public func payment(_ user: AccountService.Authenticated, reference: String, today: CivilDate, now: Date) async throws
        -> Generated?
    {
        let report = try await payments.report(
            for: user.person.person, filter: .init(months: PaymentsService.maxMonths), today: today)
        guard let payment = report.payments.first(where: { $0.reference == reference }) else { return nil }
        let document = DocumentBuilder.payment(payment, person: user.person.person, issuedOn: today, publicURL: publicURL)
        return try await keep(document, kind: .payment, user: user, from: payment.date, to: payment.date, today: today, now: now)
    }

    /// The summary of a closed calendar year still (at least partly) within the 27 months kept.
    public func yearly(_ user: AccountService.Authenticated, year: Int, today: CivilDate, now: Date) async throws -> Generated {
        let earliest = today.calendarMonth.adding(months: -(PaymentsService.maxMonths - 1)).firstDay
        guard year < today.year else {
            throw ServiceError.invalidValue(
                .invalid(
                    field: "année", reason: "\(year) n'est pas terminée : son récapitulatif sera possible en janvier \(year + 1)")
            )
        }
        guard let first = try? CivilDate(year: year, month: 1, day: 1), let last = try? CivilDate(year: year, month: 12, day: 31),
            last >= earliest
        else {
            throw ServiceError.invalidValue(
                .invalid(
                    field: "année",
                    reason:
                        "les paiements sont consultables sur \(PaymentsService.maxMonths) mois : pas d'année avant \(earliest.year) (reçu : \(year))"
                ))
        }
        let from = max(first, earliest)
        let report = try await payments.report(
            for: user.person.person, filter: .init(from: from, to: last, months: PaymentsService.maxMonths), today: today)
        let document = DocumentBuilder.yearly(
            year: year, payments: report.payments, from: from, person: user.person.person, issuedOn: today,
            publicURL: publicURL)
        return try await keep(document, kind: .yearly, user: user, from: first, to: last, today: today, now: now)
    }

    /// Renders, archives (file durable and read-only before its row) and records the document.
    /// The same reference again (same data, same day) keeps the first file and row.
    func keep(
        _ document: StatementDocument, kind: IssuedDocument.Kind, user: AccountService.Authenticated, from: CivilDate,
        to: CivilDate, today: CivilDate, now: Date
    ) async throws -> Generated {
        let (bytes, pages) = StatementRenderer.renderCountingPages(document)
        let sha256 = French.hex(SHA256.hash(data: bytes))
        let folder = "documents/\(today.year)"
        let file = "\(folder)/\(document.reference).pdf"
        let path = "\(archive)/\(file)"
        let existing = FileManager.default.contents(atPath: path)
        if existing.map({ French.hex(SHA256.hash(data: $0)) }) != sha256 {
            if existing != nil {
                // Same reference, other bytes: only a renderer change could do it; keep the
                // archived file (it is what was handed out) and say so in the operator's log.
                throw ServiceError.internal("document \(document.reference): archived bytes differ from a new rendering")
            }
            try FileManager.default.createDirectory(
                atPath: "\(archive)/\(folder)", withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            try StatementService.writeDurably(bytes, to: path)
            try StatementService.syncDirectory("\(archive)/\(folder)")
        }
        let record = try await store.recordDocument(
            IssuedDocument(
                kind: kind, personID: user.person.id, reference: document.reference, from: from, to: to, issuedOn: today,
                file: file, sha256: sha256, fingerprint: document.fingerprint, size: bytes.count, pages: pages),
            at: Int64(now.timeIntervalSince1970))
        return Generated(record: record, bytes: bytes)
    }

    public func documents(of user: AccountService.Authenticated) async throws -> [IssuedDocument] {
        try await store.documents(of: user.person.id)
    }

    // MARK: The public check

    /// What the check answers: genuine (with what it is, when and by whom it was issued), or
    /// unknown or altered — one answer for both, in the same time.
    public enum CheckAnswer: Sendable, Equatable {
        case authentic(VerifiableRecord)
        case unknownOrAltered

        /// The one sentence the check says.
        public var french: String {
            switch self {
            case .authentic(let record):
                "Document authentique : \(record.french), émis le \(record.issuedOn.formatted) par \(record.caisse) (référence \(record.reference))."
            case .unknownOrAltered:
                "Document inconnu ou modifié : il ne correspond à aucun document émis par Releve. Un document modifié, même d'un seul caractère, n'est plus reconnu."
            }
        }
    }

    /// The largest file the check reads.
    public static let maxUpload = 2 * 1024 * 1024

    /// Checks a whole PDF file (by the SHA-256 of its bytes; it is never parsed, run or kept).
    public func check(pdf bytes: [UInt8], channel: String, now: Date) async throws -> CheckAnswer {
        guard bytes.count <= Self.maxUpload else {
            throw ServiceError.invalidValue(
                .invalid(field: "fichier", reason: "plus de \(Self.maxUpload / 1024 / 1024) Mo : ce n'est pas un document Releve")
            )
        }
        guard bytes.starts(with: Array("%PDF-".utf8)) else {
            throw ServiceError.invalidValue(.invalid(field: "fichier", reason: "ce n'est pas un fichier PDF"))
        }
        let record = try await store.verifiableRecord(sha256: French.hex(SHA256.hash(data: bytes)))
        return try await answer(record, channel: channel, now: now)
    }

    /// Checks a reference and a fingerprint as printed on a document (the fingerprint may be
    /// typed with spaces or in capitals).
    public func check(reference: String, fingerprint: String, channel: String, now: Date) async throws -> CheckAnswer {
        let reference = reference.trimmingCharacters(in: .whitespaces).uppercased()
        let typed = fingerprint.lowercased().filter { $0.isHexDigit }
        guard reference.count <= 64, reference.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) else {
            throw ServiceError.invalidValue(.invalid(field: "référence", reason: "lettres, chiffres et tirets seulement"))
        }
        guard typed.count == 64 else {
            throw ServiceError.invalidValue(
                .invalid(field: "empreinte", reason: "64 caractères hexadécimaux attendus (\(typed.count) reçus)"))
        }
        let record = try await store.verifiableRecord(reference: reference)
        // Compared in constant time, against a dummy when the reference is unknown, so that an
        // unknown reference and a wrong fingerprint take the same time.
        let expected = SymmetricKey(data: Array((record?.fingerprint ?? String(repeating: "0", count: 64)).utf8))
        let matches = expected == SymmetricKey(data: Array(typed.utf8))
        return try await answer(matches ? record : nil, channel: channel, now: now)
    }

    private func answer(_ record: VerifiableRecord?, channel: String, now: Date) async throws -> CheckAnswer {
        try await store.appendAudit(
            AuditEvent(
                at: Int64(now.timeIntervalSince1970), kind: "document_check", outcome: record == nil ? "unknown" : "authentic",
                subject: nil, channel: channel, detail: record?.reference))
        return record.map { .authentic($0) } ?? .unknownOrAltered
    }
}
