/// A calendar month (`2026-11`), the unit of statements and of the payments view.
public struct Month: Hashable, Comparable, Sendable, LosslessStringConvertible, Codable {
    public let year: Int
    public let month: Int

    public init(year: Int, month: Int) throws(DomainError) {
        guard (1...9999).contains(year), (1...12).contains(month) else {
            throw .invalid(field: "mois", reason: "\(year)-\(month) n'est pas un mois valide")
        }
        self.year = year
        self.month = month
    }

    init(validYear year: Int, month: Int) {
        self.year = year
        self.month = month
    }

    /// Parses `AAAA-MM` (or `MM/AAAA`), ASCII digits only.
    public init(parsing text: String) throws(DomainError) {
        let bytes = Array(text.utf8)
        if bytes.count == 7, bytes[4] == UInt8(ascii: "-"), let y = ASCII.number(bytes[0..<4]),
            let m = ASCII.number(bytes[5..<7])
        {
            try self.init(year: y, month: m)
        } else if bytes.count == 7, bytes[2] == UInt8(ascii: "/"), let m = ASCII.number(bytes[0..<2]),
            let y = ASCII.number(bytes[3..<7])
        {
            try self.init(year: y, month: m)
        } else {
            throw .invalid(field: "mois", reason: "« \(text.prefix(40)) » n'est pas un mois au format AAAA-MM")
        }
    }

    public init?(_ description: String) {
        guard let month = try? Month(parsing: description) else { return nil }
        self = month
    }

    public var firstDay: CivilDate {
        // A valid month always has a first day.
        CivilDate(daysSinceEpoch: (try? CivilDate(year: year, month: month, day: 1))?.daysSinceEpoch ?? 0)
    }

    public var lastDay: CivilDate {
        firstDay.adding(days: CivilDate.daysIn(month: month, year: year) - 1)
    }

    public func adding(months: Int) -> Month {
        let index = year * 12 + (month - 1) + months
        return Month(validYear: index / 12, month: index % 12 + 1)
    }

    public static func < (lhs: Month, rhs: Month) -> Bool {
        (lhs.year, lhs.month) < (rhs.year, rhs.month)
    }

    public var description: String {
        "\(CivilDate.pad(year, 4))-\(CivilDate.twoDigits(month))"
    }

    /// `novembre 2026`.
    /// "de novembre 2026", "d'octobre 2026": the month after the preposition, elided before a vowel.
    public var withDe: String {
        let text = formatted
        return (text.first.map { "aeiouéâ".contains($0) } ?? false) ? "d'" + text : "de " + text
    }

    public var formatted: String {
        "\(Self.frenchNames[month - 1]) \(year)"
    }

    static let frenchNames = [
        "janvier", "février", "mars", "avril", "mai", "juin",
        "juillet", "août", "septembre", "octobre", "novembre", "décembre",
    ]

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        self = try Month(parsing: text)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
