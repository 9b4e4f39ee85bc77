import Crypto
import ReleveDomain
import ReleveStore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads a file line by line through a fixed buffer, so memory stays flat whatever the file
/// size, and hashes every byte on the way (the import ledger is keyed by the file's SHA-256).
///
/// Lines end with LF or CRLF (the CR is dropped); a UTF-8 BOM at the start is skipped. A line
/// longer than `maxLineLength` is reported as such and skipped, never buffered whole.
final class LineReader {
    enum Line {
        case text(UnsafeBufferPointer<UInt8>, terminated: Bool)
        case tooLong
    }

    static let maxLineLength = 1 << 20

    private let descriptor: Int32
    private(set) var bytesRead: Int64 = 0
    private var hasher: SHA256?

    /// `hashing`: keep a SHA-256 of every byte read (see `sha256`).
    init(path: String, hashing: Bool = false) throws(ServiceError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw .inputUnreadable(path: path, reason: PrivateFiles.french(errno))
        }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            throw .inputUnreadable(path: path, reason: "ce n'est pas un fichier ordinaire")
        }
        self.descriptor = fd
        self.hasher = hashing ? SHA256() : nil
    }

    deinit {
        close(descriptor)
    }

    /// The SHA-256 of the bytes read so far, in lowercase hex (empty when not hashing).
    var sha256: String {
        guard let hasher else { return "" }
        return French.hex(hasher.finalize())
    }

    /// Calls `body` with each line and its 1-based number.
    func forEachLine(_ body: (Int, Line) throws -> Void) throws {
        let capacity = Self.maxLineLength + 1
        let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        defer { buffer.deallocate() }
        var start = 0
        var end = 0
        var lineNumber = 0
        var skippingLongLine = false
        var atFileStart = true
        while true {
            // Emit every complete line in the buffer.
            while start < end, let found = memchr(buffer + start, 0x0A, end - start) {
                let newline = buffer.distance(to: found.assumingMemoryBound(to: UInt8.self))
                lineNumber += 1
                if skippingLongLine {
                    skippingLongLine = false
                } else {
                    var lineEnd = newline
                    if lineEnd > start && buffer[lineEnd - 1] == 0x0D { lineEnd -= 1 }
                    var lineStart = start
                    if atFileStart { lineStart = Self.skipBOM(buffer, lineStart, lineEnd) }
                    try body(
                        lineNumber,
                        .text(UnsafeBufferPointer(start: buffer + lineStart, count: lineEnd - lineStart), terminated: true))
                }
                atFileStart = false
                start = newline + 1
            }
            if start > 0 {
                if end > start { memmove(buffer, buffer + start, end - start) }
                end -= start
                start = 0
            }
            if end == capacity {
                // No newline in a full buffer: the line is too long. Report it once, drop it.
                if !skippingLongLine { try body(lineNumber + 1, .tooLong) }
                skippingLongLine = true
                atFileStart = false
                end = 0
            }
            let count = read(descriptor, buffer + end, capacity - end)
            if count < 0 {
                if errno == EINTR { continue }
                throw ServiceError.inputUnreadable(path: "", reason: PrivateFiles.french(errno))
            }
            if count == 0 { break }
            hasher?.update(bufferPointer: UnsafeRawBufferPointer(start: buffer + end, count: count))
            bytesRead += Int64(count)
            end += count
        }
        if end > start && !skippingLongLine {
            lineNumber += 1
            var lineEnd = end
            if buffer[lineEnd - 1] == 0x0D { lineEnd -= 1 }
            let lineStart = atFileStart ? Self.skipBOM(buffer, start, lineEnd) : start
            try body(
                lineNumber, .text(UnsafeBufferPointer(start: buffer + lineStart, count: lineEnd - lineStart), terminated: false))
        }
    }

    private static func skipBOM(_ buffer: UnsafeMutablePointer<UInt8>, _ start: Int, _ end: Int) -> Int {
        if end - start >= 3 && buffer[start] == 0xEF && buffer[start + 1] == 0xBB && buffer[start + 2] == 0xBF {
            return start + 3
        }
        return start
    }

    /// The SHA-256 of a whole file, read in fixed chunks.
    static func sha256(ofFile path: String) throws -> String {
        let reader = try LineReader(path: path, hashing: true)
        let chunk = 1 << 20
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: chunk, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let count = read(reader.descriptor, buffer, chunk)
            if count < 0 {
                if errno == EINTR { continue }
                throw ServiceError.inputUnreadable(path: path, reason: PrivateFiles.french(errno))
            }
            if count == 0 { break }
            reader.hasher?.update(bufferPointer: UnsafeRawBufferPointer(start: buffer, count: count))
        }
        return reader.sha256
    }

    /// Size and modification time, to notice a file changed between its hashing and its import.
    func identity() -> FileIdentity {
        var info = stat()
        fstat(descriptor, &info)
        return FileIdentity(
            size: Int64(info.st_size), modifiedSeconds: info.st_mtim.tv_sec, modifiedNanoseconds: info.st_mtim.tv_nsec)
    }
}

struct FileIdentity: Equatable {
    var size: Int64
    var modifiedSeconds: Int
    var modifiedNanoseconds: Int
}
