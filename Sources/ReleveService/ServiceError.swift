import ReleveDomain
import ReleveStore

/// A problem found in an input file, with where it is: `feed.csv:12: montant remboursé : …`.
public struct FeedIssue: Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var message: String

    public init(file: String, line: Int, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    public var description: String { "\(file):\(line): \(message)" }
}

/// The errors of the service layer: what every front end shows. Each case has a French
/// message for people, a debug text for logs, and maps to exactly one CLI exit code here
/// (and later one HTTP status), so the mapping lives in one place (STYLE.md habit 4).
public enum ServiceError: Error, Sendable, CustomDebugStringConvertible {
    /// A value typed by the user or given as an argument is invalid.
    case invalidValue(DomainError)
    /// An input file was rejected: nothing from it was written. `total` counts every issue,
    /// `issues` keeps the first ones.
    case rejectedFile(path: String, issues: [FeedIssue], total: Int)
    /// An input file cannot be read.
    case inputUnreadable(path: String, reason: String)
    /// An output file cannot be written; nothing partial is left behind.
    case outputUnwritable(path: String, reason: String)
    /// The store failed.
    case store(StoreError)
    /// A bug or an unexpected state.
    case `internal`(String)

    public var message: String {
        switch self {
        case .invalidValue(let error):
            return error.message
        case .rejectedFile(let path, let issues, let total):
            var text = "Fichier « \(path) » refusé : \(total) erreur\(total > 1 ? "s" : ""), rien n'a été importé."
            for issue in issues { text += "\n  \(issue)" }
            if total > issues.count { text += "\n  … et \(total - issues.count) autre(s)." }
            return text
        case .inputUnreadable(let path, let reason):
            return "Impossible de lire « \(path) » : \(reason)"
        case .outputUnwritable(let path, let reason):
            return "Impossible d'écrire « \(path) » : \(reason) ; aucun fichier partiel n'a été laissé."
        case .store(let error):
            return error.message
        case .internal:
            return "Erreur interne ; rien n'a été modifié. Le détail est dans le journal."
        }
    }

    /// The process exit code (sysexits.h), documented in the README.
    public var exitCode: Int32 {
        switch self {
        case .invalidValue, .rejectedFile: 65  // EX_DATAERR
        case .inputUnreadable: 66  // EX_NOINPUT
        case .outputUnwritable: 73  // EX_CANTCREAT
        case .store(.unsafeSettings), .store(.cannotOpen), .store(.newerSchema): 74  // EX_IOERR
        case .store, .internal: 70  // EX_SOFTWARE
        }
    }

    public var debugDescription: String {
        switch self {
        case .invalidValue(let error): "invalidValue(\(error.debugDescription))"
        case .rejectedFile(let path, _, let total): "rejectedFile(\(path), \(total) issues)"
        case .inputUnreadable(let path, let reason): "inputUnreadable(\(path)): \(reason)"
        case .outputUnwritable(let path, let reason): "outputUnwritable(\(path)): \(reason)"
        case .store(let error): "store(\(error.debugDescription))"
        case .internal(let text): "internal: \(text)"
        }
    }

    /// Wraps any error into the service's vocabulary.
    public static func wrap(_ error: any Error) -> ServiceError {
        switch error {
        case let error as ServiceError: error
        case let error as StoreError: .store(error)
        case let error as DomainError: .invalidValue(error)
        default: .internal(String(describing: error))
        }
    }
}
