import GRDB
import ReleveDomain

// Typed ids bind to and read from INTEGER columns as their raw value.
extension ID: DatabaseValueConvertible, SQLExpressible, StatementBinding {
    public var databaseValue: DatabaseValue { rawValue.databaseValue }

    public static func fromDatabaseValue(_ dbValue: DatabaseValue) -> ID? {
        Int64.fromDatabaseValue(dbValue).map(ID.init)
    }
}
