/// The errors of the store layer. `message` is French, for people; `debugDescription` for logs.
public enum StoreError: Error, Sendable, CustomDebugStringConvertible {
    /// The database cannot be opened or created at that path.
    case cannotOpen(path: String, reason: String)
    /// The startup self-check found a setting that would risk committed data.
    case unsafeSettings(String)
    /// The database was written by a newer Releve (unknown migrations).
    case newerSchema([String])
    /// SQLite reported an error that is not the caller's fault.
    case database(String)

    public var message: String {
        switch self {
        case .cannotOpen(let path, let reason):
            "Impossible d'ouvrir la base « \(path) » : \(reason)"
        case .unsafeSettings(let what):
            "La base refuse de démarrer avec un réglage dangereux pour les données : \(what)"
        case .newerSchema:
            "Cette base a été créée par une version plus récente de Releve ; mettez Releve à jour."
        case .database:
            "Erreur interne de la base de données ; rien n'a été modifié."
        }
    }

    public var debugDescription: String {
        switch self {
        case .cannotOpen(let path, let reason): "cannotOpen(\(path)): \(reason)"
        case .unsafeSettings(let what): "unsafeSettings: \(what)"
        case .newerSchema(let ids): "newerSchema: unknown migrations \(ids)"
        case .database(let text): "database: \(text)"
        }
    }
}
