import Foundation
import ReleveDomain
import ReleveStore

#if canImport(Glibc)
    import Glibc
#endif

/// How long the base keeps payments and the archive keeps statements (operator settings, in
/// the base so every node and batch reads the same).
public struct RetentionPolicy: Sendable, Equatable, Codable {
    /// Months of payments online: the service promises 27 (`PaymentsService.maxMonths`).
    public var paymentMonths: Int
    /// Months a statement stays in the archive: never fewer than the payments' (a statement
    /// goes only once no payment it covers is left), 60 by default — five years, the limit on
    /// recovering a payment obtained by fraud, the longest a statement may be needed.
    public var statementMonths: Int

    public static let standard = RetentionPolicy(paymentMonths: 27, statementMonths: 60)

    enum CodingKeys: String, CodingKey {
        case paymentMonths = "paiements_mois"
        case statementMonths = "releves_mois"
    }
    public static let maximumMonths = 1200

    public init(paymentMonths: Int, statementMonths: Int) {
        self.paymentMonths = paymentMonths
        self.statementMonths = statementMonths
    }

    /// Refuses a policy that would break a promise (French, for the operator).
    public func validate() throws(ServiceError) {
        let promised = PaymentsService.maxMonths
        guard (promised...Self.maximumMonths).contains(paymentMonths) else {
            throw .invalidValue(
                .invalid(
                    field: "paiements-mois",
                    reason: "entre \(promised) (les mois promis en ligne) et \(Self.maximumMonths) ; \(paymentMonths) donné"))
        }
        guard (paymentMonths...Self.maximumMonths).contains(statementMonths) else {
            throw .invalidValue(
                .invalid(
                    field: "releves-mois",
                    reason:
                        "entre \(paymentMonths) (les mois de paiements en ligne : un relevé reste tant que ses paiements restent) et \(Self.maximumMonths) ; \(statementMonths) donné"
                ))
        }
    }

    /// The first month each kind keeps on `today`: what is strictly before goes.
    public func limits(today: CivilDate) -> (payments: Month, statements: Month) {
        let current = today.calendarMonth
        return (current.adding(months: -paymentMonths), current.adding(months: -statementMonths))
    }
}

/// Removes what is past the retention policy: payments and their lines from the base, then
/// statements from the base and the archive, month by month, in short steps (a login waits at
/// most one), with an audit row per month and a manifest of everything removed. Idempotent: a
/// rerun removes only what is left; a pass killed at any point leaves the base consistent and
/// the next one finishes (statement files are recorded before they are deleted).
public struct RetentionService: Sendable {
    let store: any Store
    let archive: String

    public init(store: any Store, archive: String) {
        self.store = store
        self.archive = archive
    }

    static let paymentKey = "retention_paiements_mois"
    static let statementKey = "retention_releves_mois"

    public func policy() async throws -> RetentionPolicy {
        let standard = RetentionPolicy.standard
        return RetentionPolicy(
            paymentMonths: try await store.setting(Self.paymentKey).flatMap(Int.init) ?? standard.paymentMonths,
            statementMonths: try await store.setting(Self.statementKey).flatMap(Int.init) ?? standard.statementMonths)
    }

    public func setPolicy(paymentMonths: Int?, statementMonths: Int?, now: Date) async throws -> RetentionPolicy {
        var policy = try await policy()
        if let paymentMonths { policy.paymentMonths = paymentMonths }
        if let statementMonths { policy.statementMonths = statementMonths }
        try policy.validate()
        let at = AccountService.seconds(now)
        for (key, value, changed) in [
            (Self.paymentKey, policy.paymentMonths, paymentMonths != nil),
            (Self.statementKey, policy.statementMonths, statementMonths != nil),
        ] where changed {
            try await store.setSetting(
                key, String(value),
                audit: AuditEvent(
                    at: at, kind: "setting", outcome: key, channel: AccountService.Channel.operator.rawValue,
                    detail: String(value)))
        }
        return policy
    }

    /// What a pass on `today` would remove and what it would keep.
    public struct Plan: Sendable, Equatable {
        public var policy: RetentionPolicy
        public var paymentsBefore: Month
        public var statementsBefore: Month
        public var candidates: RetentionCandidates

        public var removablePayments: Int { candidates.payments.reduce(0) { $0 + $1.payments - $1.unstated } }
        public var removableLines: Int { candidates.payments.reduce(0) { $0 + $1.lines } }
        public var keptUnstated: Int { candidates.payments.reduce(0) { $0 + $1.unstated } }
        public var removableStatements: Int { candidates.statements.reduce(0) { $0 + $1.statements } }
        public var removableBytes: Int64 { candidates.statements.reduce(0) { $0 + $1.bytes } }
        public var isEmpty: Bool {
            removablePayments == 0 && removableStatements == 0 && candidates.unfinishedFiles == 0
        }
    }

    public func plan(today: CivilDate) async throws -> Plan {
        let policy = try await policy()
        try policy.validate()
        let limits = policy.limits(today: today)
        let candidates = try await store.retentionCandidates(
            paymentsBefore: limits.payments, statementsBefore: limits.statements)
        return Plan(policy: policy, paymentsBefore: limits.payments, statementsBefore: limits.statements, candidates: candidates)
    }

    /// What a pass removed, per month.
    public struct Report: Sendable {
        public var plan: Plan
        public var payments: RemovedPayments
        public var statements: [Month: (count: Int, bytes: Int64)]
        /// Files of an earlier, interrupted pass finished by this one.
        public var finishedFiles: Int
        /// The manifest, relative to the archive (none when there was nothing to remove).
        public var manifest: String?
    }

    public struct Progress: Sendable {
        public var stage: Stage
        public var done: Int
        public var total: Int

        public enum Stage: String, Sendable {
            case payments = "paiements"
            case statements = "relevés"
        }
    }

    /// Removes what `plan(today:)` lists, `step` payments or statements per transaction.
    public func apply(
        today: CivilDate, now: Date, step: Int = 1000, progress: (@Sendable (Progress) -> Void)? = nil
    ) async throws -> Report {
        try await store.truncatingLog { try await applyPlan(today: today, now: now, step: max(1, step), progress: progress) }
    }

    private func applyPlan(today: CivilDate, now: Date, step: Int, progress: (@Sendable (Progress) -> Void)?) async throws
        -> Report
    {
        guard today <= CivilDate(unixSeconds: Int64(now.timeIntervalSince1970)) else {
            throw ServiceError.invalidValue(
                .invalid(
                    field: "date", reason: "\(today.formattedLong) est dans le futur : les durées se comptent jusqu'à aujourd'hui"
                ))
        }
        let plan = try await plan(today: today)
        let at = AccountService.seconds(now)
        let audit = AuditEvent(at: at, kind: "retention", outcome: "", channel: AccountService.Channel.operator.rawValue)
        guard !plan.isEmpty else {
            var event = audit
            event.outcome = "rien"
            event.detail = "paiements avant \(plan.paymentsBefore), relevés avant \(plan.statementsBefore) : rien à retirer"
            try await store.appendAudit(event)
            return Report(plan: plan, payments: RemovedPayments(), statements: [:], finishedFiles: 0, manifest: nil)
        }
        let manifest = try Manifest(archive: archive, now: now)
        try manifest.append([
            Manifest.Line(
                type: "debut", at: at, policy: plan.policy, paymentsBefore: plan.paymentsBefore.description,
                statementsBefore: plan.statementsBefore.description)
        ])
        var start = audit
        start.outcome = "debut"
        start.detail =
            "paiements avant \(plan.paymentsBefore) (\(plan.removablePayments)), relevés avant \(plan.statementsBefore) (\(plan.removableStatements)), manifeste \(manifest.relativePath)"
        try await store.appendAudit(start)

        // 1. What an interrupted pass left: statements gone from the base, files still there.
        var finished = 0
        while true {
            let files = try await store.retiredFiles(limit: step)
            if files.isEmpty { break }
            try removeFiles(files, manifest: manifest)
            try await store.forgetRetiredFiles(files.map(\.id))
            finished += files.count
        }

        // 2. Payments: whole months where the engine can, then steps over the ids.
        var removed = RemovedPayments()
        let months = plan.candidates.payments.filter { $0.payments > $0.unstated }
        if !months.isEmpty {
            let whole = months.filter { $0.unstated == 0 }.map(\.month)
            var event = audit
            event.outcome = "paiements_mois"
            let dropped = try await store.dropPaymentMonths(whole, audit: event)
            removed.add(RemovedPayments(byMonth: dropped.mapValues { (0, $0) }))
            let wanted = Set(months.map(\.month))
            let last = try await store.lastPaymentID()?.rawValue ?? 0
            let total = plan.removablePayments
            var first: Int64 = 1
            while first <= last {
                let range = first...min(last, first + Int64(step) - 1)
                removed.add(try await store.removePayments(ids: range, months: wanted))
                progress?(Progress(stage: .payments, done: removed.payments, total: total))
                first = range.upperBound + 1
            }
            var lines: [Manifest.Line] = []
            var events: [AuditEvent] = []
            for month in months.map(\.month) {
                let counts = removed.byMonth[month] ?? (0, 0)
                let kept = plan.candidates.payments.first { $0.month == month }?.unstated ?? 0
                lines.append(
                    Manifest.Line(
                        type: "paiements", month: month.description, payments: counts.payments, lines: counts.lines, kept: kept))
                var event = audit
                event.outcome = "paiements_mois"
                event.detail =
                    "\(month) : \(counts.payments) paiements, \(counts.lines) lignes retirés ; \(kept) sans relevé conservés"
                events.append(event)
            }
            try manifest.append(lines)
            try await store.appendAudit(events)
        }

        // 3. Statements, month by month: rows out of the base (files recorded), then files.
        var statements: [Month: (count: Int, bytes: Int64)] = [:]
        let totalStatements = plan.removableStatements
        var doneStatements = 0
        for month in plan.candidates.statements.map(\.month) {
            var count = 0
            var bytes: Int64 = 0
            while true {
                let files = try await store.retireStatements(month: month, limit: step, at: at)
                if files.isEmpty { break }
                try removeFiles(files, manifest: manifest)
                try await store.forgetRetiredFiles(files.map(\.id))
                count += files.count
                bytes += files.reduce(0) { $0 + $1.size }
                doneStatements += files.count
                progress?(Progress(stage: .statements, done: doneStatements, total: totalStatements))
            }
            // The month's folder goes once empty (a held statement keeps it).
            rmdir("\(archive)/\(month)")
            statements[month] = (count, bytes)
            var event = audit
            event.outcome = "releves_mois"
            event.detail = "\(month) : \(count) relevés retirés de l'archive (\(bytes) octets)"
            try await store.appendAudit(event)
        }

        try manifest.append([
            Manifest.Line(
                type: "fin", at: AccountService.seconds(Date()), payments: removed.payments, lines: removed.lines,
                statements: statements.values.reduce(0) { $0 + $1.count }, finishedFiles: finished)
        ])
        try manifest.close()
        var end = audit
        end.outcome = "fin"
        end.detail =
            "\(removed.payments) paiements, \(removed.lines) lignes, \(statements.values.reduce(0) { $0 + $1.count }) relevés retirés"
        try await store.appendAudit(end)
        return Report(
            plan: plan, payments: removed, statements: statements, finishedFiles: finished, manifest: manifest.relativePath)
    }

    /// Lists the files in the manifest (durably), then removes each statement's PDF and its
    /// thumbnail and syncs their folders: a crash after the listing only lists them again.
    private func removeFiles(_ files: [RetiredFile], manifest: Manifest) throws {
        try manifest.append(
            files.map {
                Manifest.Line(
                    type: "releve", month: $0.month.description, reference: $0.reference, sha256: $0.sha256, bytes: $0.size)
            })
        var folders = Set<String>()
        for file in files {
            let pdf = "\(archive)/\(file.file)"
            for path in [pdf, String(pdf.dropLast(4)) + ".png"] where unlink(path) != 0 && errno != ENOENT {
                throw ServiceError.outputUnwritable(path: path, reason: PrivateFiles.french(errno))
            }
            folders.insert((pdf as NSString).deletingLastPathComponent)
        }
        for folder in folders where FileManager.default.fileExists(atPath: folder) {
            try StatementService.syncDirectory(folder)
        }
    }

    /// `<archive>/retention/AAAAMMJJ-HHMMSS-PID.jsonl`: one JSON object per line, appended and
    /// synced as the pass goes, made read-only when it ends.
    final class Manifest {
        let path: String
        let relativePath: String
        private let descriptor: Int32

        struct Line: Encodable {
            var type: String
            var at: Int64? = nil
            var policy: RetentionPolicy? = nil
            var paymentsBefore: String? = nil
            var statementsBefore: String? = nil
            var month: String? = nil
            var payments: Int? = nil
            var lines: Int? = nil
            var kept: Int? = nil
            var reference: String? = nil
            var sha256: String? = nil
            var bytes: Int64? = nil
            var statements: Int? = nil
            var finishedFiles: Int? = nil

            enum CodingKeys: String, CodingKey {
                case type, reference, sha256
                case at = "le"
                case policy = "duree"
                case month = "mois"
                case payments = "paiements"
                case lines = "lignes"
                case kept = "conserves"
                case bytes = "octets"
                case statements = "releves"
                case paymentsBefore = "paiements_avant"
                case statementsBefore = "releves_avant"
                case finishedFiles = "fichiers_termines"
            }
        }

        init(archive: String, now: Date) throws {
            let folder = "\(archive)/retention"
            try PrivateFiles.makeDirectory(folder)
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "UTC")
            formatter.dateFormat = "yyyyMMdd-HHmmss"
            relativePath = "retention/\(formatter.string(from: now))-\(getpid()).jsonl"
            path = "\(archive)/\(relativePath)"
            descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
            guard descriptor >= 0 else { throw ServiceError.outputUnwritable(path: path, reason: PrivateFiles.french(errno)) }
            try StatementService.syncDirectory(folder)
        }

        deinit { Glibc.close(descriptor) }

        func append(_ lines: [Line]) throws {
            guard !lines.isEmpty else { return }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            var bytes: [UInt8] = []
            for line in lines {
                bytes += try encoder.encode(line)
                bytes.append(0x0A)
            }
            var offset = 0
            while offset < bytes.count {
                let written = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
                guard written > 0 else { throw ServiceError.outputUnwritable(path: path, reason: PrivateFiles.french(errno)) }
                offset += written
            }
            guard fsync(descriptor) == 0 else {
                throw ServiceError.outputUnwritable(path: path, reason: PrivateFiles.french(errno))
            }
        }

        func close() throws {
            chmod(path, 0o400)
        }
    }
}
