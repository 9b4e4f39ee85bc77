import ArgumentParser
import Foundation
import ReleveDomain
import ReleveService
import ReleveWeb

#if canImport(Glibc)
    import Glibc
#endif

/// The configuration file of the installation, read once before any command runs.
///
/// Found at `--configuration FICHIER` (anywhere on the command line), else `RELEVE_CONFIGURATION`,
/// else `./releve.toml` when it exists. Its values become the environment variables they stand
/// for, unless the environment already sets them: an option beats the environment, which beats
/// the file, which beats the default — one order for every setting.
enum Configuration {
    /// The file read at start, if any.
    nonisolated(unsafe) private(set) static var file: ConfigurationFile?
    /// The environment as the process received it (before the file's values were added).
    nonisolated(unsafe) private(set) static var received: [String: String] = [:]

    /// Removes `--configuration F` from `arguments`, reads the file and exports its values.
    /// A mistake in the file exits 78 with `fichier:ligne : raison`; a named file that is
    /// missing exits 66. Runs before any thread reads the environment.
    static func load(_ arguments: [String]) -> [String] {
        received = ProcessInfo.processInfo.environment
        var remaining: [String] = []
        var named: String?
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            if argument == "--" {
                remaining += arguments[index...]
                break
            }
            if argument == "--configuration" {
                guard index + 1 < arguments.count else {
                    fail("L'option --configuration attend le chemin d'un fichier.", code: 64)
                }
                named = arguments[index + 1]
                index += 2
                continue
            }
            if argument.hasPrefix("--configuration=") {
                named = String(argument.dropFirst("--configuration=".count))
                index += 1
                continue
            }
            remaining.append(argument)
            index += 1
        }
        let path: String?
        if let named {
            path = named
        } else if let variable = received["RELEVE_CONFIGURATION"], !variable.isEmpty {
            path = variable
        } else {
            path = FileManager.default.fileExists(atPath: "releve.toml") ? "releve.toml" : nil
        }
        guard let path else { return remaining }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            fail("Fichier de configuration introuvable : \(path)", code: 66)
        }
        do {
            let file = try ConfigurationFile.read(path)
            for (variable, value) in file.environment where received[variable] == nil {
                setenv(variable, value, 0)
            }
            Self.file = file
        } catch {
            fail("Configuration refusée : \(error.description)", code: 78)
        }
        return remaining
    }

    private static func fail(_ message: String, code: Int32) -> Never {
        FileHandle.standardError.write(Data((message + "\n").utf8))
        exit(code)
    }

    /// Where a variable's value comes from: `environnement`, `fichier:LIGNE`, or nil (default).
    static func source(of variable: String) -> String? {
        if received[variable] != nil { return "environnement" }
        if let file, let value = file.values.first(where: { $0.key.variable == variable }) {
            return "\(file.path):\(value.line)"
        }
        return nil
    }

    /// The value of a variable after the file was read (environment first).
    static func value(_ variable: String) -> String? {
        ProcessInfo.processInfo.environment[variable].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// An integer setting: the option if given, else the variable, else `fallback`. A variable
    /// that is not an integer is refused (exit 64), never replaced by the default in silence.
    static func integer(_ option: Int?, _ variable: String, default fallback: Int) throws -> Int {
        if let option { return option }
        guard let text = value(variable) else { return fallback }
        guard let number = Int(text) else {
            throw ValidationError("\(variable) : « \(text.prefix(40)) » n'est pas un nombre entier.")
        }
        return number
    }
}

/// The defaults of the settings the CLI resolves itself (option, variable, file, then these):
/// one place for `servir`, `demo`, the account options and `admin configuration`. Those the
/// domain or the web layer already define are read from there, not repeated.
enum Defaults {
    static let host = "127.0.0.1"
    static let port = 8080
    static let shutdownSeconds = 30
    static let failuresPerAddress = 50
    static var headSeconds: Int { Int(ConnectionLimits().headSeconds) }
    static var connectionsPerAddress: Int { ConnectionLimits().perAddress }
    static var softLock: Int { AccessPolicy.standard.softLockThreshold }
    static var hardLock: Int { AccessPolicy.standard.hardLockThreshold }
}
