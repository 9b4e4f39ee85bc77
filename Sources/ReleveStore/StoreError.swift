/// The errors of the store layer. `message` is French, for people; `debugDescription` for logs.
public enum StoreError: Error, Sendable, CustomDebugStringConvertible {
    /// The database cannot be opened or created at that path.
    case cannotOpen(path: String, reason: String)
    /// The database server does not answer (PostgreSQL unreachable, or gone mid-command).
    case unavailable(path: String, reason: String)
    /// The startup self-check found a setting that would risk committed data.
    case unsafeSettings(String)
    /// The database was written by a newer Releve (unknown migrations).
    case newerSchema([String])
    /// SQLite reported an error that is not the caller's fault.
    case database(String)
    /// The database file is damaged (SQLITE_CORRUPT, SQLITE_NOTADB, a failed quick check):
    /// nothing more is written until an operator restores it.
    case corrupt(String)
    /// The disk (or the quota, or the file size limit) is full: the transaction was rolled back.
    case diskFull(String)
    /// A stored row holds a value no valid input could have produced (for instance an amount
    /// beyond `Cents.maximumAmount`, written by an older Releve): this one read fails, the
    /// others go on.
    case invalidStoredData(String)
    /// A stored column holds a value this Releve does not know (written by a newer or altered
    /// Releve): an error, never a silent default.
    case unknownStoredValue(column: String, value: String)

    public var message: String {
        switch self {
        case .cannotOpen(let path, let reason):
            "Impossible d'ouvrir la base « \(path) » : \(reason)"
        case .unavailable(let path, let reason):
            "La base « \(path) » ne répond pas : \(reason). Rien n'a été modifié ; réessayez quand le serveur sera de nouveau joignable."
        case .unsafeSettings(let what):
            "La base refuse de démarrer avec un réglage dangereux pour les données : \(what)"
        case .newerSchema:
            "Cette base a été créée par une version plus récente de Releve ; mettez Releve à jour."
        case .database:
            "Erreur interne de la base de données ; rien n'a été modifié."
        case .corrupt:
            "La base de données est endommagée : rien n'a été écrit. Arrêtez les écritures, lancez « releve admin verifier » puis restaurez la dernière sauvegarde (« releve admin restaurer »)."
        case .diskFull:
            "Le disque est plein (ou le quota, ou la taille de fichier permise, est atteint) : rien n'a été écrit. Libérez de la place puis recommencez."
        case .unknownStoredValue:
            "La base contient une valeur que cette version de Releve ne connaît pas : l'opération est refusée, rien n'a été modifié. Mettez Releve à jour ; le détail est dans le journal."
        case .invalidStoredData:
            "Des données enregistrées pour ce dossier sont incohérentes : l'opération est refusée pour ce dossier seulement ; l'exploitant a été prévenu par le journal."
        }
    }

    public var debugDescription: String {
        switch self {
        case .cannotOpen(let path, let reason): "cannotOpen(\(path)): \(reason)"
        case .unavailable(let path, let reason): "unavailable(\(path)): \(reason)"
        case .unsafeSettings(let what): "unsafeSettings: \(what)"
        case .newerSchema(let ids): "newerSchema: unknown migrations \(ids)"
        case .database(let text): "database: \(text)"
        case .corrupt(let text): "corrupt: \(text)"
        case .diskFull(let text): "diskFull: \(text)"
        case .invalidStoredData(let text): "invalidStoredData: \(text)"
        case .unknownStoredValue(let column, let value): "unknownStoredValue: \(column) = \(value)"
        }
    }
}

extension StoreError {
    /// A stored enum value, or `unknownStoredValue` naming the column.
    public static func decode<E: RawRepresentable>(_ raw: E.RawValue, column: String) throws -> E {
        guard let value = E(rawValue: raw) else { throw StoreError.unknownStoredValue(column: column, value: "\(raw)") }
        return value
    }
}
