import Crypto
import CryptoExtras
import Foundation
import ReleveDomain
import ReleveStore

#if canImport(Glibc)
    import Glibc
#endif

/// Hashes personal codes, provisional codes and secret answers (SECURITY.md §1.1, goal 7):
/// PBKDF2-HMAC-SHA256 over HMAC-SHA256(pepper, secret), with a 16-byte random salt. The pepper
/// is a 32-byte key kept in a file outside the database: a stolen database alone cannot be
/// brute-forced, which an 8-digit space would otherwise allow in hours.
///
/// The stored form names its parameters (`pbkdf2-sha256$600000$salt$hash`, base64), so the
/// rounds can be raised later without invalidating existing hashes.
public struct CodeHasher: Sendable {
    private let pepper: SymmetricKey
    public let rounds: Int

    /// 600 000 rounds: the OWASP figure for PBKDF2-HMAC-SHA256 (about 60 ms here, release build).
    public static let productionRounds = 600_000

    public init(pepper: SymmetricKey, rounds: Int = CodeHasher.productionRounds) {
        self.pepper = pepper
        self.rounds = rounds
    }

    public func hash(_ secret: String) -> String {
        var salt = [UInt8](repeating: 0, count: 16)
        var generator = SystemRandomNumberGenerator()
        for index in salt.indices { salt[index] = UInt8.random(in: 0...255, using: &generator) }
        let derived = derive(secret, salt: salt, rounds: rounds)
        return "pbkdf2-sha256$\(rounds)$\(Data(salt).base64EncodedString())$\(Data(derived).base64EncodedString())"
    }

    /// Constant-time comparison of the derived key with the stored one.
    public func verify(_ secret: String, against stored: String) -> Bool {
        let parts = stored.split(separator: "$")
        guard parts.count == 4, parts[0] == "pbkdf2-sha256", let rounds = Int(parts[1]), rounds >= 1,
            let salt = Data(base64Encoded: String(parts[2])), let expected = Data(base64Encoded: String(parts[3]))
        else {
            // No hash (an account opened through FranceConnect has no personal code yet): the
            // same time as a real check, so timing does not tell such accounts apart.
            verifyNothing(secret)
            return false
        }
        let derived = derive(secret, salt: Array(salt), rounds: rounds)
        return SymmetricKey(data: derived) == SymmetricKey(data: expected)
    }

    /// Spends the same time as a verification, for unknown NIRs (no user enumeration by timing).
    public func verifyNothing(_ secret: String) {
        _ = derive(secret, salt: [UInt8](repeating: 0, count: 16), rounds: rounds)
    }

    private func derive(_ secret: String, salt: [UInt8], rounds: Int) -> [UInt8] {
        let peppered = HMAC<SHA256>.authenticationCode(for: Array(secret.utf8), using: pepper)
        let key = try! KDF.Insecure.PBKDF2.deriveKey(
            from: Array(peppered), salt: salt, using: .sha256, outputByteCount: 32, unsafeUncheckedRounds: rounds)
        return key.withUnsafeBytes { Array($0) }
    }

    /// Loads the pepper from `path`, creating it (32 random bytes, mode 0600) on first run.
    public static func loadPepper(at path: String) throws -> SymmetricKey {
        if let data = FileManager.default.contents(atPath: path) {
            guard data.count == 32 else {
                throw ServiceError.inputUnreadable(
                    path: path, reason: "la clé de poivre doit faire 32 octets (\(data.count) trouvés)")
            }
            return SymmetricKey(data: data)
        }
        let key = SymmetricKey(size: .bits256)
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw ServiceError.outputUnwritable(
                path: path, reason: "clé de poivre impossible à créer (\(PrivateFiles.french(errno)))")
        }
        defer { close(fd) }
        let written = key.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == 32, fsync(fd) == 0 else {
            unlink(path)
            throw ServiceError.outputUnwritable(path: path, reason: "clé de poivre impossible à écrire")
        }
        return key
    }
}

/// Opaque tokens (sessions, e-mail links): 256 bits from the system CSPRNG, shown as base64url,
/// stored as their SHA-256 only.
public enum Token {
    public static func generate() -> String {
        var bytes = [UInt8](repeating: 0, count: 32)
        var generator = SystemRandomNumberGenerator()
        for index in bytes.indices { bytes[index] = UInt8.random(in: 0...255, using: &generator) }
        return base64URL(Data(bytes))
    }

    /// Base64url without padding (RFC 4648 §5): tokens, and the insurers' feed cursors.
    public static func base64URL(_ data: Data) -> String { Base64URL.encode(data) }

    /// The stored form. A token that is not 43 base64url characters hashes all the same (and matches nothing).
    public static func hash(_ token: String) -> [UInt8] {
        Array(SHA256.hash(data: Array(token.utf8)))
    }

    public static func isWellFormed(_ token: String) -> Bool {
        token.utf8.count == 43
            && token.utf8.allSatisfy {
                ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x2D || $0 == 0x5F
            }
    }
}
