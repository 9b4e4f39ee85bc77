/// The errors of the domain layer: a value refused at construction.
///
/// `message` is the French sentence shown to people; `debugDescription` is for logs.
public enum DomainError: Error, Equatable, Sendable, CustomDebugStringConvertible {
    /// `field` names what was wrong in the user's words ("NIR", "date de soins", …).
    case invalid(field: String, reason: String)

    public var field: String {
        switch self {
        case .invalid(let field, _): field
        }
    }

    public var message: String {
        switch self {
        case .invalid(let field, let reason): "\(field) : \(reason)"
        }
    }

    public var debugDescription: String {
        switch self {
        case .invalid(let field, let reason): "DomainError.invalid(\(field)): \(reason)"
        }
    }
}
