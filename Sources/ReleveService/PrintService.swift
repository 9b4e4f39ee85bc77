import Crypto
import Foundation
import ReleveDomain
import RelevePDF
import ReleveStore

/// The print shop's side of the postal outbox: print batches (one PDF plus a manifest per
/// date) and their posting.
///
/// Crash safety: the PDF and the manifest are written under temporary names, fsynced and
/// renamed before the one transaction that records the batch and marks its letters printed.
/// A crash before that commit leaves every letter pending (the next run prints them); after
/// it, rerunning the same date finds the recorded batch and reproduces nothing new.
public struct PrintService: Sendable {
    let store: any Store
    /// The statements' archive (monthly statements and duplicatas are printed from it).
    public let archive: String
    /// Where batches are written: `<directory>/LOT-AAAAMMJJ-001.pdf` (one file per volume of
    /// `volumeSize` letters) and `LOT-AAAAMMJJ.csv`.
    public let directory: String

    /// Letters per PDF file.
    public let volumeSize: Int

    public init(store: any Store, archive: String, directory: String, volumeSize: Int = 500) {
        self.store = store
        self.archive = archive
        self.directory = directory
        self.volumeSize = max(1, volumeSize)
    }

    /// A letter left in the outbox, and why.
    public struct Skipped: Sendable, Equatable {
        public var letter: Letter.ID
        public var reason: String
    }

    public enum BatchResult: Sendable, Equatable {
        case created(PrintBatch, skipped: [Skipped], abridged: [Skipped])
        /// A batch already exists for that date: it is returned as recorded (file checked).
        case existing(PrintBatch)
        /// Nothing to print (the skipped letters, if any, stay in the outbox).
        case empty(skipped: [Skipped])
    }

    public static func reference(_ date: CivilDate) -> String {
        "LOT-" + date.description.replacingOccurrences(of: "-", with: "")
    }

    /// Prints every letter that was waiting in the outbox at the end of `date`.
    public func makeBatch(date: CivilDate, now: Date, progress: (@Sendable (Int, Int) -> Void)? = nil) async throws
        -> BatchResult
    {
        try await store.truncatingLog { try await makeBatchNow(date: date, now: now, progress: progress) }
    }

    private func makeBatchNow(date: CivilDate, now: Date, progress: (@Sendable (Int, Int) -> Void)?) async throws
        -> BatchResult
    {
        let at = Int64(now.timeIntervalSince1970)
        if let batch = try await store.printBatch(date: date) {
            guard try Self.combinedHash(batch.volumeFiles.map { "\(directory)/\($0)" }) == batch.sha256 else {
                throw ServiceError.internal("print batch \(batch.reference) is missing or altered")
            }
            return .existing(batch)
        }
        guard date <= CivilDate(unixSeconds: at) else {
            throw ServiceError.invalidValue(.invalid(field: "date", reason: "\(date.formattedLong) est dans le futur"))
        }
        let candidates = try await store.lettersToPrint(createdBefore: Int64(date.adding(days: 1).daysSinceEpoch) * 86_400)
        var skipped: [Skipped] = []
        var notices: [Skipped] = []
        var chosen: [(PrintableLetter, [String])] = []
        for candidate in candidates {
            do {
                let (lines, abridged) = try WindowAddress.fit(candidate.letter.recipient)
                if let abridged { notices.append(Skipped(letter: candidate.letter.id, reason: abridged)) }
                if candidate.letter.kind == .monthlyStatement || candidate.letter.kind == .duplicata {
                    _ = try statementBytes(candidate)
                }
                chosen.append((candidate, lines))
            } catch let error as DomainError {
                skipped.append(Skipped(letter: candidate.letter.id, reason: error.message + " — à corriger dans le registre"))
            } catch {
                skipped.append(Skipped(letter: candidate.letter.id, reason: "\(error)"))
            }
        }
        guard !chosen.isEmpty else { return .empty(skipped: skipped) }

        let reference = Self.reference(date)
        try PrivateFiles.makeDirectory(directory)
        // Temporary files of an interrupted run are never referenced: clear them.
        for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] where name.contains(".partiel-") {
            try? FileManager.default.removeItem(atPath: "\(directory)/\(name)")
        }
        let csvName = "\(reference).csv"
        let total = chosen.count
        var done = 0
        var manifest = "lettre,type,nir,fichier,premiere_page,pages\r\n"
        var volumes: [String] = []
        var pages = 0
        // Volumes of at most `volumeSize` letters: memory stays bounded (cairo keeps every
        // font it embeds until a file is finished), and the print shop gets files of a sane size.
        for start in stride(from: 0, to: total, by: volumeSize) {
            let part = chosen[start..<min(start + volumeSize, total)]
            let name = "\(reference)-\(String(format: "%03d", volumes.count + 1)).pdf"
            let layout = try renderVolume(
                part.lazy.map { (candidate, lines) -> PrintLetter in
                    done += 1
                    progress?(done, total)
                    return self.printLetter(candidate, address: lines, reference: reference)
                }, to: "\(directory)/\(name)", title: "Lot d'impression \(reference), volume \(volumes.count + 1)", date: date)
            for (index, (candidate, _)) in part.enumerated() {
                let letter = candidate.letter
                manifest +=
                    "\(letter.id),\(letter.kind.rawValue),\(letter.nir?.masked ?? ""),\(name),\(layout.firstPage[index]),\(layout.pages[index])\r\n"
            }
            volumes.append(name)
            pages += layout.totalPages
        }
        try AtomicFile.write(Array(manifest.utf8), to: "\(directory)/\(csvName)", mode: 0o600)
        try StatementService.syncDirectory(directory)
        let sha = try Self.combinedHash(volumes.map { "\(directory)/\($0)" })
        let batch = try await store.recordPrintBatch(
            reference: reference, date: date, file: volumes[0], volumes: volumes.count, manifest: csvName, sha256: sha,
            letterIDs: chosen.map(\.0.letter.id), pages: pages, at: at,
            audit: AuditEvent(
                at: at, kind: "print_batch", outcome: "printed", channel: AccountService.Channel.operator.rawValue,
                detail:
                    "\(reference): \(French.count(chosen.count, "courrier")), \(French.count(pages, "page")), \(French.count(volumes.count, "fichier"))"
            ))
        ServiceMetrics.printed(batch.letters)
        return .created(batch, skipped: skipped, abridged: notices)
    }

    /// One volume of the batch, written under a temporary name, fsynced and renamed.
    func renderVolume(_ letters: some Sequence<PrintLetter>, to path: String, title: String, date: CivilDate) throws
        -> PrintBatchRenderer.Layout
    {
        // The batch carries provisional codes in clear: readable by the operator only.
        let file = try OutputFile(path: path, syncDirectory: false, mode: 0o600)
        let failure = WriteFailure()
        let layout: PrintBatchRenderer.Layout
        do {
            layout = try PrintBatchRenderer.render(letters, title: title, creationDate: "\(date)T00:00:00Z") { bytes in
                do { try file.write(bytes) } catch {
                    failure.error = error
                    return false
                }
                return true
            }
        } catch {
            if let error = failure.error { throw error }
            throw ServiceError.internal("print batch rendering failed: \(error)")
        }
        try file.commit()
        return layout
    }

    final class WriteFailure: @unchecked Sendable {
        var error: (any Error)?
    }

    /// The SHA-256 of the volumes' SHA-256s, in order: one fingerprint for the whole batch.
    static func combinedHash(_ paths: [String]) throws -> String {
        var lines = ""
        for path in paths {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw ServiceError.internal("print batch volume \(path) is missing")
            }
            lines += StatementService.sha256(Array(data)) + "\n"
        }
        return StatementService.sha256(Array(lines.utf8))
    }

    func statementBytes(_ letter: PrintableLetter) throws -> [UInt8] {
        guard let path = letter.statementFile, let data = FileManager.default.contents(atPath: "\(archive)/\(path)"),
            StatementService.sha256(Array(data)) == letter.statementSHA256
        else {
            throw ServiceError.internal(
                "relevé archivé \(letter.statementReference ?? "?") absent ou altéré : courrier laissé en attente")
        }
        return Array(data)
    }

    func printLetter(_ candidate: PrintableLetter, address: [String], reference: String) -> PrintLetter {
        let letter = candidate.letter
        let note = "\(reference) · courrier n°\(letter.id) · \(letter.kind.french)"
        let date = "Le \(Letters.date(letter.createdAt))"
        switch letter.kind {
        case .provisionalCode, .cancellation:
            return PrintLetter(address: address, date: date, content: .text(body: letter.body), marginNote: note)
        case .monthlyStatement:
            let bytes = (try? statementBytes(candidate)) ?? []
            return PrintLetter(
                address: address, date: date, content: .statement(pdf: bytes, cover: nil, band: nil), marginNote: note)
        case .duplicata:
            let bytes = (try? statementBytes(candidate)) ?? []
            return PrintLetter(
                address: address, date: date,
                content: .statement(
                    pdf: bytes, cover: letter.body,
                    band: "DUPLICATA — demandé le \(Letters.date(letter.createdAt)) — \(candidate.statementReference ?? "")"),
                marginNote: note)
        }
    }

    /// Marks a batch handed to the post: its letters become "posté".
    public func markPosted(reference: String, now: Date) async throws -> (batch: PrintBatch, alreadyPosted: Bool) {
        let at = Int64(now.timeIntervalSince1970)
        guard let before = try await store.printBatch(reference: reference) else {
            throw ServiceError.invalidValue(.invalid(field: "lot", reason: "\(reference) introuvable"))
        }
        guard
            let batch = try await store.markBatchPosted(
                reference: reference, at: at,
                audit: AuditEvent(
                    at: at, kind: "print_batch", outcome: "posted", channel: AccountService.Channel.operator.rawValue,
                    detail: reference))
        else { throw ServiceError.invalidValue(.invalid(field: "lot", reason: "\(reference) introuvable")) }
        return (batch, before.postedAt != nil)
    }
}

extension PrintService {
    /// The postal outbox: letters waiting to be printed, or all of them.
    public func letters(all: Bool = false) async throws -> [Letter] {
        try await store.letters(all: all)
    }

    public func letter(id: Letter.ID) async throws -> Letter {
        guard let letter = try await store.letter(id: id) else {
            throw ServiceError.invalidValue(.invalid(field: "courrier", reason: "n°\(id) introuvable"))
        }
        return letter
    }
}
