import Foundation
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
    /// Assuré operations are suspended; operator commands keep working.
    case maintenance(String)
    /// NIR or code wrong (the same answer whether the NIR exists or not), with the lock it caused.
    case authenticationFailed(lock: LockNotice?)
    /// Too many failures: locked for a while, or until a new provisional code is used.
    case locked(LockNotice)
    /// The provisional code is wrong, expired, used, or tried too often (one answer for all).
    /// `validity`: how long a provisional code serves, as the policy in force says (`15 jours`).
    case provisionalCodeRejected(validity: String)
    /// Re-authentication before a sensitive change: the current personal code is wrong (the
    /// failure is counted like a failed login).
    case wrongCurrentCode
    /// Recovery: the secret answer does not match.
    case secretAnswerMismatch
    /// The terms of use were refused: nothing was created.
    case termsRefused
    /// The account was cancelled (résilié): the code was right, access is closed.
    case accountClosed
    /// No session, or an expired, revoked or forged one.
    case notAuthenticated(SessionProblem)
    /// Too many requests of this kind for now.
    case rateLimited(String)
    /// Too many code checks waiting at once (the key-derivation gate is full): try again in a
    /// few seconds. Nothing was checked, nothing counted.
    case overloaded
    /// An e-mail link that is unknown, used or expired.
    case emailLinkRejected(String)
    /// A federated login (FranceConnect) did not give a session.
    case federation(FederationProblem)
    /// The store failed.
    case store(StoreError)
    /// A bug or an unexpected state.
    case `internal`(String)

    public var message: String {
        switch self {
        case .invalidValue(let error):
            // Shown on its own (a CLI error, a form's message): a sentence, capitalised.
            return French.sentence(error.message)
        case .rejectedFile(let path, let issues, let total):
            var text = "Fichier « \(path) » refusé : \(total) erreur\(total > 1 ? "s" : ""), rien n'a été importé."
            for issue in issues { text += "\n  \(issue)" }
            if total > issues.count { text += "\n  … et \(French.count(total - issues.count, "autre"))." }
            return text
        case .inputUnreadable(let path, let reason):
            return "Impossible de lire « \(path) » : \(reason)"
        case .outputUnwritable(let path, let reason):
            return "Impossible d'écrire « \(path) » : \(reason) ; aucun fichier partiel n'a été laissé."
        case .maintenance(let text):
            return "Service momentanément indisponible : \(text)"
        case .authenticationFailed(let lock):
            var text = "NIR ou code personnel incorrect."
            if let lock {
                text += " " + lock.message
            } else {
                text += " Vérifiez votre saisie. Code oublié ? Commandez un code provisoire (Problème d'accès)."
            }
            return text
        case .locked(let lock):
            return lock.message
        case .provisionalCodeRejected(let validity):
            return
                "Code provisoire incorrect, expiré ou déjà utilisé. Un code provisoire est valable \(validity) et ne sert qu'une fois : si besoin, commandez-en un nouveau (releve compte code-provisoire)."
        case .wrongCurrentCode:
            return "Code personnel actuel : incorrect. Rien n'a été modifié."
        case .secretAnswerMismatch:
            return
                "La question ou la réponse secrète ne correspond pas à celle de votre compte. Si vous ne vous en souvenez plus, contactez votre caisse d'assurance maladie."
        case .termsRefused:
            return
                "Vous avez refusé les conditions d'utilisation : aucun compte n'a été créé. Vous pourrez recommencer quand vous le souhaitez."
        case .accountClosed:
            return
                "Votre compte a été résilié : vos relevés vous sont envoyés par courrier. Pour le rouvrir, commandez un code provisoire (releve compte code-provisoire)."
        case .notAuthenticated(let problem):
            return problem.message
        case .rateLimited(let text):
            return text
        case .overloaded:
            return "Le service est très sollicité : rien n'a été vérifié ni compté. Réessayez dans quelques secondes."
        case .emailLinkRejected(let text):
            return text
        case .federation(let problem):
            return problem.message
        case .store(let error):
            return error.message
        case .internal:
            return
                "Erreur interne ; rien n'a été modifié. Le détail technique suit sur la sortie d'erreur (pour le site : dans le journal de « releve servir ») ; transmettez-le à l'exploitant."
        }
    }

    /// The message for the web view and the API: the same words without the command-line hints
    /// (« releve … »), which mean nothing on a page.
    public var webMessage: String {
        message.replacingOccurrences(of: #" \(releve [^)]*\)"#, with: "", options: .regularExpression)
            .replacingOccurrences(of: #" avec « releve [^»]*»"#, with: "", options: .regularExpression)
    }

    /// The process exit code (sysexits.h), documented in the README.
    public var exitCode: Int32 {
        switch self {
        case .invalidValue, .rejectedFile, .termsRefused, .emailLinkRejected, .wrongCurrentCode: 65  // EX_DATAERR
        case .maintenance, .store(.unavailable): 69  // EX_UNAVAILABLE
        case .rateLimited, .overloaded: 75  // EX_TEMPFAIL
        case .authenticationFailed, .locked, .provisionalCodeRejected, .secretAnswerMismatch, .accountClosed, .notAuthenticated:
            77  // EX_NOPERM
        case .federation(let problem): problem.exitCode
        case .inputUnreadable: 66  // EX_NOINPUT
        case .outputUnwritable: 73  // EX_CANTCREAT
        case .store(.unsafeSettings), .store(.cannotOpen), .store(.newerSchema), .store(.corrupt), .store(.diskFull),
            .store(.unknownStoredValue):
            74  // EX_IOERR
        case .store, .internal: 70  // EX_SOFTWARE
        }
    }

    public var debugDescription: String {
        switch self {
        case .invalidValue(let error): "invalidValue(\(error.debugDescription))"
        case .rejectedFile(let path, _, let total): "rejectedFile(\(path), \(total) issues)"
        case .inputUnreadable(let path, let reason): "inputUnreadable(\(path)): \(reason)"
        case .outputUnwritable(let path, let reason): "outputUnwritable(\(path)): \(reason)"
        case .maintenance: "maintenance"
        case .authenticationFailed(let lock): "authenticationFailed(\(String(describing: lock)))"
        case .locked(let lock): "locked(\(lock))"
        case .provisionalCodeRejected: "provisionalCodeRejected"
        case .secretAnswerMismatch: "secretAnswerMismatch"
        case .wrongCurrentCode: "wrongCurrentCode"
        case .termsRefused: "termsRefused"
        case .accountClosed: "accountClosed"
        case .notAuthenticated(let problem): "notAuthenticated(\(problem))"
        case .rateLimited: "rateLimited"
        case .overloaded: "overloaded"
        case .emailLinkRejected: "emailLinkRejected"
        case .federation(let problem): "federation(\(problem))"
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
        default: .internal(systemReason(error) ?? String(describing: error))
        }
    }
}

extension ServiceError {
    /// A system error (errno, or Foundation's file errors around one) in French, with its path.
    static func systemReason(_ error: any Error) -> String? {
        if let error = error as? POSIXError { return PrivateFiles.french(error.code.rawValue) }
        let nsError = error as NSError
        if nsError.domain == NSPOSIXErrorDomain { return PrivateFiles.french(Int32(nsError.code)) }
        guard let underlying = (nsError.userInfo[NSUnderlyingErrorKey] as? any Error).map({ $0 as NSError }),
            underlying.domain == NSPOSIXErrorDomain
        else { return nil }
        let path = (nsError.userInfo[NSFilePathErrorKey] as? String).map { " (\($0))" } ?? ""
        return PrivateFiles.french(Int32(underlying.code)) + path
    }
}

/// A lock caused by failed logins, said in words that tell what to do next.
public enum LockNotice: Sendable, Equatable {
    case temporary(seconds: Int64)
    case untilRecovery

    public var message: String {
        switch self {
        case .temporary(let seconds):
            "Par sécurité, après plusieurs essais infructueux, l'accès à ce compte est bloqué pendant \(French.clockDuration(seconds: seconds)). Réessayez ensuite, ou commandez un code provisoire si vous avez oublié votre code (Problème d'accès)."
        case .untilRecovery:
            "Par sécurité, après trop d'essais infructueux, ce compte est verrouillé. Pour le débloquer, commandez un nouveau code provisoire (releve compte code-provisoire) : il vous permettra de choisir un nouveau code personnel."
        }
    }
}

public enum SessionProblem: Sendable, Equatable {
    /// `limits`: the session's limits as the policy in force states them.
    case none
    case expired(limits: String)
    case revoked

    public var message: String {
        switch self {
        case .none: "Aucune session ouverte. Connectez-vous avec « releve connexion »."
        case .expired(let limits):
            "Votre session a expiré (\(limits)). Reconnectez-vous avec « releve connexion »."
        case .revoked:
            "Votre session a été fermée (déconnexion, changement de code ou résiliation). Reconnectez-vous avec « releve connexion »."
        }
    }
}
