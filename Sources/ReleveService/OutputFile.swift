import Foundation
import ReleveStore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A file written through a buffer into a temporary name beside its destination, then fsynced
/// and renamed into place: readers see the whole file or none, and a crash or an error leaves
/// nothing partial under the real name (SECURITY.md §4).
final class OutputFile {
    let path: String
    private let temporaryPath: String
    private let descriptor: Int32
    private var buffer: [UInt8] = []
    private var committed = false
    private let syncDirectory: Bool

    init(path: String, syncDirectory: Bool = true, mode: mode_t = 0o600) throws(ServiceError) {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw .outputUnwritable(path: path, reason: "c'est un dossier")
        }
        self.path = path
        self.syncDirectory = syncDirectory
        self.temporaryPath = path + ".partiel-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temporaryPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard fd >= 0 else {
            throw .outputUnwritable(path: path, reason: PrivateFiles.french(errno))
        }
        descriptor = fd
        buffer.reserveCapacity(1 << 20)
    }

    deinit {
        if !committed {
            close(descriptor)
            unlink(temporaryPath)
        }
    }

    func write(_ text: String) throws {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= 1 << 20 { try flush() }
    }

    func write(_ bytes: [UInt8]) throws {
        buffer.append(contentsOf: bytes)
        if buffer.count >= 1 << 20 { try flush() }
    }

    private func flush() throws {
        var offset = 0
        while offset < buffer.count {
            let written = buffer.withUnsafeBytes { raw in
                Glibc.write(descriptor, raw.baseAddress! + offset, raw.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                throw ServiceError.outputUnwritable(path: path, reason: PrivateFiles.french(errno))
            }
            offset += written
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Flushes, syncs and renames into place. `sync: false` leaves the sync to the caller, who
    /// must make the file durable (`FileSystemSync`) before anything points to it.
    func commit(sync: Bool = true) throws {
        try flush()
        guard !sync || fsync(descriptor) == 0 else {
            throw ServiceError.outputUnwritable(path: path, reason: PrivateFiles.french(errno))
        }
        close(descriptor)
        guard rename(temporaryPath, path) == 0 else {
            let reason = PrivateFiles.french(errno)
            unlink(temporaryPath)
            committed = true
            throw ServiceError.outputUnwritable(path: path, reason: reason)
        }
        committed = true
        guard syncDirectory else { return }
        let directory = open(URL(fileURLWithPath: path).deletingLastPathComponent().path, O_RDONLY | O_CLOEXEC)
        if directory >= 0 {
            _ = fsync(directory)
            close(directory)
        }
    }
}

/// Private folders and the check of a shared folder, for the faces (the CLI's session folder):
/// the same rules as the store's own files (`PrivateFiles`).
public enum LocalFolder {
    /// `mkdir -p`, each folder created 0700.
    public static func makePrivate(_ path: String) throws { try PrivateFiles.makeDirectory(path) }

    /// Why a folder that other users may write to is refused (French), or nil.
    public static func sharedWriteProblem(_ path: String) -> String? { PrivateFiles.sharedWriteProblem(path) }
}

/// Writes a whole file all or nothing (temporary name, fsync, rename): for the front ends'
/// outputs (downloaded statements, the CLI session file).
public enum AtomicFile {
    public static func write(_ bytes: [UInt8], to path: String, mode: UInt32 = 0o600) throws {
        let file = try OutputFile(path: path, mode: mode_t(mode))
        try file.write(bytes)
        try file.commit()
    }
}

/// Makes many files written without their own fsync durable at once, before a commit points to
/// them. Linux's `syncfs` writes back the whole file system in one pass and one journal commit,
/// where an fsync per file costs a journal commit each (282 µs per statement on the issuing
/// threads, docs/BENCHMARKS.md); elsewhere, or if it fails, each file is fsynced.
enum FileSystemSync {
    private typealias SyncFS = @convention(c) (Int32) -> Int32
    private static let syncfs: SyncFS? = {
        #if os(Linux)
            guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "syncfs") else { return nil }
            return unsafeBitCast(symbol, to: SyncFS.self)
        #else
            return nil
        #endif
    }()

    /// `files` and `directory` durable: syncfs on the directory's file system, else an fsync
    /// of each file, then the directory's own fsync (its new names).
    static func sync(files: [String], directory: String) throws {
        let folder = open(directory, O_RDONLY | O_CLOEXEC)
        guard folder >= 0 else { throw ServiceError.outputUnwritable(path: directory, reason: PrivateFiles.french(errno)) }
        defer { close(folder) }
        if let syncfs, syncfs(folder) == 0 {
        } else {
            for file in files {
                let fd = open(file, O_RDONLY | O_CLOEXEC)
                guard fd >= 0 else { throw ServiceError.outputUnwritable(path: file, reason: PrivateFiles.french(errno)) }
                defer { close(fd) }
                guard fsync(fd) == 0 else { throw ServiceError.outputUnwritable(path: file, reason: PrivateFiles.french(errno)) }
            }
        }
        guard fsync(folder) == 0 else {
            throw ServiceError.outputUnwritable(path: directory, reason: PrivateFiles.french(errno))
        }
    }
}
