/// A calendar date without time or time zone (a date of care, of birth, of payment).
///
/// Validated at construction: 31/02 does not exist. Its `description` is ISO 8601
/// (`2026-11-28`), which also sorts correctly as text in the store.
public struct CivilDate: Hashable, Comparable, Sendable, LosslessStringConvertible, Codable {
    public let year: Int
    public let month: Int
    public let day: Int

    public init(year: Int, month: Int, day: Int) throws(DomainError) {
        guard (1...9999).contains(year) else {
            throw .invalid(field: "date", reason: "l'année \(year) est hors limites")
        }
        guard (1...12).contains(month) else {
            throw .invalid(field: "date", reason: "le mois \(month) n'existe pas")
        }
        guard (1...Self.daysIn(month: month, year: year)).contains(day) else {
            throw .invalid(
                field: "date",
                reason: "le \(Self.twoDigits(day))/\(Self.twoDigits(month))/\(year) n'existe pas"
            )
        }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses `AAAA-MM-JJ` (feeds, API) or `JJ/MM/AAAA` (what people type), ASCII digits only.
    public init(parsing text: String) throws(DomainError) {
        var text = text
        let parts = text.withUTF8 { Self.components($0) }
        guard let (y, m, d) = parts else {
            throw .invalid(field: "date", reason: "« \(text.prefix(40)) » n'est pas une date au format JJ/MM/AAAA ou AAAA-MM-JJ")
        }
        try self.init(year: y, month: m, day: d)
    }

    /// The same, straight from UTF-8 bytes (the import's hot path).
    public init(parsingUTF8 bytes: UnsafeBufferPointer<UInt8>) throws(DomainError) {
        guard let (y, m, d) = Self.components(bytes) else {
            throw .invalid(
                field: "date",
                reason:
                    "« \(String(decoding: bytes.prefix(40), as: UTF8.self)) » n'est pas une date au format JJ/MM/AAAA ou AAAA-MM-JJ"
            )
        }
        try self.init(year: y, month: m, day: d)
    }

    private static func components(_ b: UnsafeBufferPointer<UInt8>) -> (Int, Int, Int)? {
        guard b.count == 10 else { return nil }
        if b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"), let y = ASCII.number(b[0..<4]), let m = ASCII.number(b[5..<7]),
            let d = ASCII.number(b[8..<10])
        {
            return (y, m, d)
        }
        if b[2] == UInt8(ascii: "/"), b[5] == UInt8(ascii: "/"), let d = ASCII.number(b[0..<2]), let m = ASCII.number(b[3..<5]),
            let y = ASCII.number(b[6..<10])
        {
            return (y, m, d)
        }
        return nil
    }

    public init?(_ description: String) {
        guard let date = try? CivilDate(parsing: description) else { return nil }
        self = date
    }

    /// Days since 1970-01-01 (negative before), by H. Hinnant's civil-from-days algorithm.
    public var daysSinceEpoch: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    public init(daysSinceEpoch days: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        self.year = yoe + era * 400 + (m <= 2 ? 1 : 0)
        self.month = m
        self.day = d
    }

    /// The UTC calendar day of a Unix timestamp (the store's timestamps are Unix seconds).
    public init(unixSeconds: Int64) {
        self.init(daysSinceEpoch: Int((Double(unixSeconds) / 86_400).rounded(.down)))
    }

    public func adding(days: Int) -> CivilDate {
        CivilDate(daysSinceEpoch: daysSinceEpoch + days)
    }

    public var calendarMonth: Month {
        // Safe: a valid date has a valid month.
        Month(validYear: year, month: month)
    }

    /// Age in whole years on `date`.
    public func age(on date: CivilDate) -> Int {
        var age = date.year - year
        if (date.month, date.day) < (month, day) { age -= 1 }
        return age
    }

    public static func < (lhs: CivilDate, rhs: CivilDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    /// ISO 8601: `2026-11-28`.
    public var description: String {
        guard year < 10_000 else { return "\(year)-\(Self.twoDigits(month))-\(Self.twoDigits(day))" }
        // Built byte by byte: this is on the import's hot path.
        return String(unsafeUninitializedCapacity: 10) { buffer in
            func digit(_ value: Int) -> UInt8 { UInt8(truncatingIfNeeded: 0x30 + value) }
            buffer[0] = digit(year / 1000)
            buffer[1] = digit(year / 100 % 10)
            buffer[2] = digit(year / 10 % 10)
            buffer[3] = digit(year % 10)
            buffer[4] = UInt8(ascii: "-")
            buffer[5] = digit(month / 10)
            buffer[6] = digit(month % 10)
            buffer[7] = UInt8(ascii: "-")
            buffer[8] = digit(day / 10)
            buffer[9] = digit(day % 10)
            return 10
        }
    }

    /// French numeric form: `28/11/2026`.
    public var formatted: String {
        "\(Self.twoDigits(day))/\(Self.twoDigits(month))/\(Self.pad(year, 4))"
    }

    /// French long form: `28 novembre 2026`, `1er mai 2017`.
    public var formattedLong: String {
        "\(day == 1 ? "1er" : String(day)) \(Month.frenchNames[month - 1]) \(year)"
    }

    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    public static func isLeap(_ year: Int) -> Bool {
        (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
    }

    static func twoDigits(_ value: Int) -> String { pad(value, 2) }

    static func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        self = try CivilDate(parsing: text)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
