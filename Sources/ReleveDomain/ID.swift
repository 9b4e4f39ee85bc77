/// A typed identifier: `ID<Payment>` and `ID<InsuredPerson>` are distinct types, so one can
/// never be handed where the other is expected (STYLE.md habit 1).
public struct ID<Tag>: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: Int64

    public init(_ rawValue: Int64) {
        self.rawValue = rawValue
    }

    public static func < (lhs: ID, rhs: ID) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String { String(rawValue) }
}
