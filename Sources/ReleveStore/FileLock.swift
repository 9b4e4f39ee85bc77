#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An exclusive advisory lock on `<database>.lock`, held around every write transaction and
/// every checkpoint, so that two processes (an import while the server runs) never write or
/// checkpoint at the same moment: Debian 12's SQLite 3.40.1 is inside the WAL-reset bug range
/// (SECURITY.md goal 23).
final class FileLock: Sendable {
    private let descriptor: Int32
    let path: String

    init(path: String) throws(StoreError) {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw .cannotOpen(path: path, reason: "fichier de verrou impossible à créer (\(PrivateFiles.french(errno)))")
        }
        self.descriptor = fd
        self.path = path
    }

    deinit {
        close(descriptor)
    }

    func withLock<T>(_ body: () throws -> T) throws -> T {
        try lock()
        defer { unlock() }
        return try body()
    }

    func lock() throws {
        while flock(descriptor, LOCK_EX) != 0 {
            guard errno == EINTR else {
                throw StoreError.database("verrou impossible (flock) : \(PrivateFiles.french(errno))")
            }
        }
    }

    func unlock() {
        _ = flock(descriptor, LOCK_UN)
    }
}
