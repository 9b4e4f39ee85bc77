import Crypto
import Foundation
import ReleveDomain
import RelevePDF
import ReleveStore
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Monthly statements: issuing a closed month for every assuré with payments, once, into an
/// immutable archive; listing, downloading and verifying them.
///
/// Crash safety (SECURITY.md §4): each PDF is written to a temporary file, fsynced, renamed
/// into place and its directory fsynced before the database row that points to it commits.
/// A rerun skips what is recorded and rewrites, byte for byte, what was written but not
/// recorded (rendering is deterministic).
public struct StatementService: Sendable {
    let store: any Store
    /// Where PDFs and thumbnails live: `<archive>/<AAAA-MM>/<reference>.pdf` and `.png`.
    public let archive: String
    /// Where "your statement is online" e-mails go, and the site address they link to.
    public let notices: (mail: MailOutbox, publicURL: String)?

    public init(store: any Store, archive: String, notices: (mail: MailOutbox, publicURL: String)? = nil) {
        self.store = store
        self.archive = archive
        self.notices = notices
    }

    public struct IssueProgress: Sendable {
        public var done: Int
        public var total: Int
    }

    public struct IssueSummary: Sendable, Equatable {
        public var issued: Int
        public var alreadyIssued: Int
        public var pages: Int
        /// Of the statements issued now: how many went to the postal outbox, and how many
        /// e-mail notices were sent.
        public var byPost: Int = 0
        public var notices: Int = 0
        /// Assurés whose stored data cannot make a statement (masked NIR or id, and the
        /// reason): skipped and reported; the rest of the month is issued, and a rerun tries
        /// them again.
        public var skipped: [Skipped] = []
        /// Stopped early by a request to stop (SIGTERM): what is counted is recorded, the
        /// month is not marked complete, and the next run issues the rest.
        public var interrupted = false
    }

    public struct Skipped: Sendable, Equatable {
        public var person: String
        public var reason: String
    }

    /// Issues `month` (which must be over on `today`). `workers` render in parallel. Each
    /// statement is routed by `DeliveryRule` as of `today`: archive (always), postal outbox
    /// and/or e-mail notice; the outbox letter commits with the statement row.
    /// `stopRequested` is asked between chunks (the CLI's SIGTERM): when it says yes, the run
    /// ends there with `interrupted`, everything recorded kept.
    public func issue(
        month: Month, today: CivilDate, now: Date, workers: Int = 2, thumbnails: Bool = false, lease: Int64 = 120,
        stopRequested: @escaping @Sendable () -> Bool = { false }, progress: (@Sendable (IssueProgress) -> Void)? = nil
    ) async throws -> IssueSummary {
        try await store.truncatingLog {
            try await issueMonth(
                month: month, today: today, now: now, workers: workers, thumbnails: thumbnails, lease: lease,
                stopRequested: stopRequested, progress: progress)
        }
    }

    private func issueMonth(
        month: Month, today: CivilDate, now: Date, workers: Int, thumbnails: Bool, lease: Int64,
        stopRequested: @Sendable () -> Bool, progress: (@Sendable (IssueProgress) -> Void)?
    ) async throws -> IssueSummary {
        guard month < today.calendarMonth else {
            throw ServiceError.invalidValue(
                .invalid(field: "mois", reason: "\(month.formatted) n'est pas terminé : un relevé s'émet une fois le mois clos"))
        }
        let directory = "\(archive)/\(month)"
        try PrivateFiles.makeDirectory(directory)
        // Temporary files of an interrupted run are never referenced: clear them.
        for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] where name.contains(".partiel-") {
            try? FileManager.default.removeItem(atPath: "\(directory)/\(name)")
        }
        let at = Int64(now.timeIntervalSince1970)
        try await store.beginStatementRun(month: month, at: at)
        let before = try await store.statements(month: month).count
        var summary = IssueSummary(issued: 0, alreadyIssued: before, pages: 0)
        let issuedOn = month.lastDay.adding(days: 1)
        let chunk = 64
        // Several machines may run this at once: each leases chunks of the month's work list
        // and, when nothing is free but leases are still held, waits for them to be recorded or
        // to run out (a worker killed mid-chunk), then takes them over.
        let owner = Self.workerName()
        var done = 0
        let total = try await store.statementWorkRemaining(month: month)
        progress?(IssueProgress(done: 0, total: total))
        // A chunk rendered and not yet recorded: its files are synced and its rows committed
        // while the next chunk renders (the two cores stay busy instead of waiting on the disk
        // and the database between chunks). Each chunk is still durable before its commit.
        var pending: RenderedChunk?
        func count(_ result: ChunkResult?) {
            guard let result else { return }
            summary.byPost += result.byPost
            summary.notices += result.notices
            summary.issued += result.issued
            summary.pages += result.pages
            done += result.claimed
            progress?(IssueProgress(done: min(done, max(total, done)), total: max(total, done)))
        }
        func record(_ chunk: RenderedChunk?) async throws {
            count(try await commit(chunk, month: month, today: today, at: at, now: now, thumbnails: thumbnails))
        }
        while true {
            // A stop asked for (SIGTERM in the CLI): between chunks, everything recorded so far
            // kept (and the chunk already rendered); the next run takes the rest.
            if stopRequested() {
                summary.interrupted = true
                break
            }
            let leaseStart = Int64(Date().timeIntervalSince1970)
            let slice = try await store.claimStatementWork(
                month: month, owner: owner, limit: chunk, now: leaseStart, lease: lease)
            if slice.isEmpty {
                // This run's own chunk first: its work rows are still leased to it.
                try await record(pending)
                pending = nil
                guard try await store.statementWorkRemaining(month: month) > 0 else { break }
                // A worker of this machine that is gone (killed, crashed) gives its leases back
                // at once; one on another machine is waited for until its lease runs out.
                for holder in try await store.statementLeaseOwners(month: month, now: leaseStart)
                where Self.isDeadLocalWorker(holder) {
                    try await store.expireStatementLeases(month: month, owner: holder)
                }
                try await Task.sleep(for: .milliseconds(500))
                continue
            }
            let (inputs, unusable) = try await store.statementInputs(month: month, persons: slice)
            summary.skipped += unusable.map { Skipped(person: "assuré n° \($0.0.rawValue)", reason: $0.1) }
            let previous = pending
            async let recorded = commit(previous, month: month, today: today, at: at, now: now, thumbnails: thumbnails)
            let rendered = try await render(inputs, month: month, issuedOn: issuedOn, workers: workers, thumbnails: thumbnails)
            count(try await recorded)
            pending = RenderedChunk(slice: slice, inputs: inputs, rendered: rendered)
        }
        try await record(pending)
        summary.notices += try await sendNotices(now: now)
        if !summary.interrupted { try await store.completeStatementRun(month: month, at: at) }
        return summary
    }

    /// A chunk of the work list, rendered (files written, not yet synced) and not yet recorded.
    struct RenderedChunk: Sendable {
        var slice: [InsuredPerson.ID]
        var inputs: [StatementInput]
        var rendered: [IssuedStatement]
    }

    /// What recording a chunk did.
    struct ChunkResult: Sendable {
        var claimed: Int
        var issued: Int
        var byPost: Int
        var notices: Int
        var pages: Int
    }

    /// Renders a chunk's statements on `workers` tasks and writes their files (not synced).
    func render(_ inputs: [StatementInput], month: Month, issuedOn: CivilDate, workers: Int, thumbnails: Bool) async throws
        -> [IssuedStatement]
    {
        try await withThrowingTaskGroup(of: [IssuedStatement].self) { group in
            // Each worker takes the next statement when it is free (not a fixed share): a worker
            // that drew the long statements does not leave the other idle at the end of a chunk.
            let next = NextIndex()
            let archive = self.archive
            let publicURL = self.notices?.publicURL
            for _ in 0..<min(max(workers, 1), inputs.count) {
                group.addTask {
                    var done: [IssuedStatement] = []
                    while true {
                        let index = next.take()
                        guard index < inputs.count else { return done }
                        done.append(
                            try Self.render(
                                inputs[index], month: month, issuedOn: issuedOn, archive: archive, thumbnails: thumbnails,
                                publicURL: publicURL))
                    }
                }
            }
            var all: [IssuedStatement] = []
            for try await part in group { all += part }
            return all.sorted { $0.personID < $1.personID }
        }
    }

    /// Routes a rendered chunk, makes its files durable in one pass, then commits its rows (a
    /// crash before the commit leaves files no row names; the next run writes them again).
    /// Nothing to do for no chunk.
    func commit(_ chunk: RenderedChunk?, month: Month, today: CivilDate, at: Int64, now: Date, thumbnails: Bool)
        async throws -> ChunkResult?
    {
        guard let chunk else { return nil }
        let rendered = chunk.rendered
        let byPerson = Dictionary(chunk.inputs.map { ($0.person.id, $0) }, uniquingKeysWith: { a, _ in a })
        let routed = rendered.map { statement -> IssuedStatement in
            guard let input = byPerson[statement.personID] else { return statement }
            var statement = statement
            let mode = DeliveryRule.mode(
                for: input.person.person, accountPeriods: input.accountPeriods, month: month, issuedOn: today)
            statement.delivery = mode
            statement.notice = mode.online && input.noticeEmail != nil
            if mode.byPost {
                statement.postalLetter = Letters.postalStatement(
                    person: input.person.person, month: month, reference: statement.reference)
            }
            return statement
        }
        try FileSystemSync.sync(
            files: rendered.flatMap { issued -> [String] in
                let pdf = "\(archive)/\(issued.statement.file)"
                let png = String(pdf.dropLast(4)) + ".png"
                return thumbnails && FileManager.default.fileExists(atPath: png) ? [pdf, png] : [pdf]
            }, directory: "\(archive)/\(month)")
        // Only what this worker recorded counts as issued by it (a worker whose lease ran
        // out may find its chunk recorded by another: the constraint keeps one).
        let recorded = try await store.recordStatements(routed, at: at)
        let kept = Set(rendered.map(\.personID))
        let leftOut = chunk.slice.filter { !kept.contains($0) }
        if !leftOut.isEmpty { try await store.dropStatementWork(month: month, persons: leftOut) }
        ServiceMetrics.issued(recorded)
        return ChunkResult(
            claimed: chunk.slice.count, issued: recorded, byPost: routed.filter { $0.postalLetter != nil }.count,
            notices: try await sendNotices(now: now), pages: rendered.reduce(0) { $0 + $1.pages })
    }

    /// Who holds a lease, for the operator reading `statement_work`: host, process, and a random
    /// part (two runs in one process are two workers).
    static func workerName() -> String {
        "\(ProcessInfo.processInfo.hostName):\(getpid()):\(UInt32.random(in: 0...UInt32.max))"
    }

    /// Whether `owner` (a `workerName`) names a process of this machine that no longer exists.
    static func isDeadLocalWorker(_ owner: String) -> Bool {
        let parts = owner.split(separator: ":")
        guard parts.count == 3, String(parts[0]) == ProcessInfo.processInfo.hostName, let pid = Int32(parts[1]),
            pid != getpid()
        else { return false }
        return kill(pid, 0) != 0 && errno == ESRCH
    }

    /// Sends the e-mail notices still due (including those of an interrupted run), then marks
    /// them sent. A crash between the two may send a notice twice, never lose one; a service
    /// built without a mailer (`notices` nil) leaves them due for the next one that has one.
    func sendNotices(now: Date) async throws -> Int {
        guard let (mail, url) = notices else { return 0 }
        var sent = 0
        while true {
            let due = try await store.pendingNotices(limit: 256)
            if due.isEmpty { return sent }
            for notice in due {
                guard let email = notice.email.flatMap({ try? EmailAddress($0) }) else { continue }
                let message = Letters.statementNotice(
                    firstNames: notice.firstNames, lastName: notice.lastName, month: notice.month, link: "\(url)/releves")
                _ = try mail.send(to: email, subject: message.subject, body: message.body, now: now)
                sent += 1
            }
            try await store.markNoticesSent(due.map(\.statementID))
        }
    }

    static func reference(_ person: StoredPerson, _ month: Month) -> String {
        let id = String(person.id.rawValue)
        return "REL-\(person.person.caisse.code)-\(month.year)\(month.month < 10 ? "0" : "")\(month.month)-"
            + String(repeating: "0", count: max(0, 8 - id.count)) + id
    }

    static func render(
        _ input: StatementInput, month: Month, issuedOn: CivilDate, archive: String, thumbnails: Bool,
        publicURL: String? = nil
    ) throws -> IssuedStatement {
        let reference = reference(input.person, month)
        var document = StatementBuilder.document(
            person: input.person.person, month: month, payments: input.payments.map(\.payment), history: input.history,
            reference: reference, issuedOn: issuedOn)
        // Whoever receives the statement can check it (the public check covers statements).
        document.verification = publicURL.map {
            DocumentBuilder.verificationSentence(reference: reference, publicURL: $0)
        }
        let (bytes, pages) = StatementRenderer.renderCountingPages(document)
        let file = "\(month)/\(reference).pdf"
        try writeDurably(bytes, to: "\(archive)/\(file)", sync: false)
        // Read back with poppler only to make the thumbnail (by default made on first view).
        if thumbnails, let reader = try? PDFReader(bytes: bytes) {
            try writeDurably(reader.thumbnailPNG(width: 300), to: "\(archive)/\(month)/\(reference).png", sync: false)
        }
        return IssuedStatement(
            StatementFile(
                personID: input.person.id, month: month, reference: reference, issuedOn: issuedOn, file: file,
                sha256: sha256(bytes), fingerprint: document.fingerprint, size: bytes.count, pages: pages,
                reimbursed: input.payments.reduce(.zero) { $0 + $1.payment.totalReimbursed }),
            paymentIDs: input.payments.map(\.id))
    }

    static func sha256(_ bytes: [UInt8]) -> String {
        French.hex(SHA256.hash(data: bytes))
    }

    /// Temporary file, fsync, rename (the directory is synced per batch, before the commit).
    /// `sync: false`: no fsync here; the caller syncs the batch (`FileSystemSync`) before its commit.
    static func writeDurably(_ bytes: [UInt8], to path: String, sync: Bool = true) throws {
        let file = try OutputFile(path: path, syncDirectory: false)
        try file.write(bytes)
        try file.commit(sync: sync)
        // Private and immutable: the archive is never written twice (SECURITY.md goal 28).
        chmod(path, 0o400)
    }

    static func syncDirectory(_ path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ServiceError.outputUnwritable(path: path, reason: PrivateFiles.french(errno)) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw ServiceError.outputUnwritable(path: path, reason: PrivateFiles.french(errno)) }
    }

    /// What `verifyArchive` found: statements checked, and each one missing or altered.
    public struct ArchiveCheck: Sendable {
        public var checked: Int
        public var problems: [String]
    }

    /// Reads every archived statement and document back and compares it with the SHA-256
    /// recorded when it was issued (`releve admin verifier`).
    public func verifyArchive(progress: (@Sendable (Int) -> Void)? = nil) async throws -> ArchiveCheck {
        var check = ArchiveCheck(checked: 0, problems: [])
        func read(_ reference: String, _ file: String, _ sha256: String) {
            check.checked += 1
            guard let data = FileManager.default.contents(atPath: "\(archive)/\(file)") else {
                check.problems.append("\(reference) : fichier absent (\(file))")
                return
            }
            if Self.sha256(Array(data)) != sha256 {
                check.problems.append("\(reference) : fichier modifié depuis son émission (\(file))")
            }
        }
        var last: ArchivedStatement.ID?
        while true {
            let batch = try await store.archivedFiles(after: last, limit: 512)
            if batch.isEmpty { break }
            for entry in batch { read(entry.reference, entry.file, entry.sha256) }
            last = batch.last!.id
            progress?(check.checked)
        }
        // The documents issued on request, under the same discipline.
        var lastReference: String?
        while true {
            let batch = try await store.documentFiles(after: lastReference, limit: 512)
            if batch.isEmpty { return check }
            for entry in batch { read(entry.reference, entry.file, entry.sha256) }
            lastReference = batch.last!.reference
            progress?(check.checked)
        }
    }

    // MARK: The assuré's archive

    public func statements(of user: AccountService.Authenticated) async throws -> [ArchivedStatement] {
        try await store.statements(of: user.person.id)
    }

    /// The bytes of the assuré's statement for `month`, checked against the archive's SHA-256.
    public func download(_ user: AccountService.Authenticated, month: Month, today: CivilDate) async throws -> (
        ArchivedStatement, [UInt8]
    ) {
        guard month < today.calendarMonth else {
            throw ServiceError.invalidValue(
                .invalid(
                    field: "mois", reason: "\(month.formatted) n'est pas terminé : son relevé sera émis au début du mois suivant")
            )
        }
        guard let statement = try await store.statements(of: user.person.id).first(where: { $0.month == month }) else {
            throw ServiceError.invalidValue(
                .invalid(
                    field: "mois",
                    reason: "aucun relevé pour \(month.formatted) (pas de paiement ce mois-là, ou relevé pas encore émis)"))
        }
        guard let data = FileManager.default.contents(atPath: "\(archive)/\(statement.file)"),
            Self.sha256(Array(data)) == statement.sha256
        else {
            throw ServiceError.internal("archived statement \(statement.reference) is missing or altered")
        }
        return (statement, Array(data))
    }

    /// The PNG of page 1 of the assuré's statement for `month`: the archived thumbnail, or one
    /// rendered from the archived PDF on first view (the batch makes none by default) and kept
    /// beside it for the next views. A thumbnail that cannot be kept (a read-only archive, a
    /// full disk) is still shown.
    public func thumbnail(_ user: AccountService.Authenticated, month: Month, today: CivilDate) async throws -> [UInt8] {
        let (statement, bytes) = try await download(user, month: month, today: today)
        let png = "\(archive)/\(statement.file.dropLast(4)).png"
        if let data = FileManager.default.contents(atPath: png) { return Array(data) }
        let image = try PDFReader(bytes: bytes).thumbnailPNG(width: 300)
        try? Self.writeDurably(image, to: png)
        return image
    }

    /// Which of the assuré's statements `bytes` is, if any (by SHA-256 of the whole file).
    public func verify(_ user: AccountService.Authenticated, bytes: [UInt8]) async throws -> ArchivedStatement? {
        let hash = Self.sha256(bytes)
        return try await store.statements(of: user.person.id).first { $0.sha256 == hash }
    }
}

extension StatementService {
    /// The latest month before `month` with a payment (the demo issues the last three).
    public func lastPaymentMonth(before month: Month) async throws -> Month? {
        try await store.lastPaymentMonth(before: month)
    }
}

/// Hands out 0, 1, 2… to concurrent workers.
final class NextIndex: Sendable {
    private let value = Mutex(0)

    func take() -> Int {
        value.withLock { value in
            defer { value += 1 }
            return value
        }
    }
}
