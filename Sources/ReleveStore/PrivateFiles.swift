import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Files that hold health data, secrets or both (the base and its -wal/-shm/lock, the pepper,
/// spooled e-mails, the archive, print batches, exports): created readable by their owner only
/// (0600, folders 0700), whatever the process umask (SECURITY.md goal 28).
public enum PrivateFiles {
    /// `mkdir -p` where every folder created is 0700 (existing folders are left as they are).
    public static func makeDirectory(_ path: String) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw CocoaError(.fileWriteFileExists, userInfo: [NSFilePathErrorKey: path])
            }
            return
        }
        let parent = (path as NSString).deletingLastPathComponent
        if !parent.isEmpty && parent != path { try makeDirectory(parent) }
        if mkdir(path, 0o700) != 0 && errno != EEXIST {
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
        }
        _ = chmod(path, 0o700)
    }

    /// Refuses a folder that other users may write to (as ssh refuses such a ~/.ssh): one of
    /// them could replace a file Releve trusts there. nil if acceptable, else the French reason.
    public static func sharedWriteProblem(_ path: String) -> String? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        if (info.st_mode & S_IFMT) == S_IFLNK {
            return "« \(path) » est un lien symbolique ; utilisez un vrai dossier"
        }
        guard info.st_mode & 0o022 != 0 else { return nil }
        let mode = String(info.st_mode & 0o777, radix: 8)
        return
            "le dossier « \(path) » est modifiable par d'autres utilisateurs (droits \(mode)) : corrigez-le avec « chmod 700 \(path) » puis recommencez"
    }

    /// A system error (errno) in French, for people: the disk is full, the folder is missing…
    public static func french(_ code: Int32) -> String {
        switch code {
        case ENOENT: "fichier ou dossier introuvable"
        case EACCES, EPERM: "permission refusée"
        case ENOSPC: "disque plein"
        case EDQUOT: "disque plein (quota dépassé)"
        case EFBIG: "disque plein (taille de fichier permise dépassée)"
        case EROFS: "système de fichiers en lecture seule"
        case EISDIR: "c'est un dossier"
        case ENOTDIR: "un élément du chemin n'est pas un dossier"
        case EEXIST: "le fichier existe déjà"
        case EMFILE, ENFILE: "trop de fichiers ouverts"
        case EIO: "erreur d'entrée-sortie sur le disque"
        case ENAMETOOLONG: "nom de fichier trop long"
        case ELOOP: "trop de liens symboliques"
        default: "erreur système \(code)"
        }
    }

    /// Whether `code` means the disk (or a quota, or the file size limit) is full.
    public static func isDiskFull(_ code: Int32) -> Bool {
        code == ENOSPC || code == EDQUOT || code == EFBIG
    }
}
