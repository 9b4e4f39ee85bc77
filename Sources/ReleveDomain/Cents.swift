/// An amount of money in euro cents. Money is never floating point, from the feed to the last
/// moment of display (STYLE.md habit 2).
public struct Cents: Hashable, Comparable, Sendable, AdditiveArithmetic, CustomStringConvertible {
    public var rawValue: Int64

    public init(_ rawValue: Int64) {
        self.rawValue = rawValue
    }

    /// `Cents(euros: 23, cents: 50)` is 23,50 €.
    public init(euros: Int64, cents: Int64 = 0) {
        self.rawValue = euros * 100 + (euros < 0 ? -cents : cents)
    }

    public static let zero = Cents(0)

    /// The largest amount, in magnitude, that one feed line or one payment may carry:
    /// 10 000 000,00 €, far above any real act or daily allowance. A payment's totals are held to
    /// the same bound (the sum of its at most 10 000 lines cannot overflow on the way), so the
    /// sum of a billion payments stays below `Int64.max`: bounding amounts where they enter
    /// (feed import, and again when stored rows are read back) is what keeps every later sum
    /// from overflowing.
    public static let maximumAmount = Cents(1_000_000_000)

    /// Whether `|self| ≤ maximumAmount`.
    public var isWithinMaximum: Bool { rawValue.magnitude <= Cents.maximumAmount.rawValue.magnitude }

    public static func + (lhs: Cents, rhs: Cents) -> Cents { Cents(lhs.rawValue + rhs.rawValue) }
    public static func - (lhs: Cents, rhs: Cents) -> Cents { Cents(lhs.rawValue - rhs.rawValue) }
    public static prefix func - (value: Cents) -> Cents { Cents(-value.rawValue) }
    public static func * (lhs: Cents, rhs: Int64) -> Cents { Cents(lhs.rawValue * rhs) }
    public static func < (lhs: Cents, rhs: Cents) -> Bool { lhs.rawValue < rhs.rawValue }

    /// `self × rate`, rounded half away from zero to the cent: the rule for a reimbursed
    /// amount (base × taux). 23,00 € at 70 % is 16,10 €; 0,05 € at 50 % is 0,03 €.
    /// Computed on 128 bits: never traps, whatever the amount (the rate is at most 100 %, so the
    /// result is never larger in magnitude than `self`).
    public func applying(_ rate: Rate) -> Cents {
        let product = Int128(rawValue) * Int128(rate.basisPoints)
        return Cents(Int64(Self.divideRoundingHalfAwayFromZero(product, by: 10_000)))
    }

    /// `numerator / denominator` rounded half away from zero ("half-up" on magnitudes).
    public static func divideRoundingHalfAwayFromZero(_ numerator: Int64, by denominator: Int64) -> Int64 {
        precondition(denominator > 0, "denominator must be positive")
        return Int64(divideRoundingHalfAwayFromZero(Int128(numerator), by: Int128(denominator)))
    }

    static func divideRoundingHalfAwayFromZero(_ numerator: Int128, by denominator: Int128) -> Int128 {
        let magnitude = (numerator.magnitude * 2 + denominator.magnitude) / (2 * denominator.magnitude)
        return numerator < 0 ? -Int128(magnitude) : Int128(magnitude)
    }

    /// The French form, identical bytes on every platform: `1 234,56 €` with a narrow
    /// no-break space (U+202F) between thousands and a no-break space (U+00A0) before the
    /// sign, `-1,00 €` for negatives.
    public var formatted: String {
        formatted(currency: true)
    }

    /// The number alone (`1 234,56`), for tables whose header already says "€".
    public var formattedNumber: String {
        formatted(currency: false)
    }

    private func formatted(currency: Bool) -> String {
        let negative = rawValue < 0
        let magnitude = rawValue.magnitude
        let euros = String(magnitude / 100)
        let cents = magnitude % 100
        var grouped = ""
        for (index, character) in euros.enumerated() {
            if index > 0 && (euros.count - index) % 3 == 0 {
                grouped.append("\u{202F}")
            }
            grouped.append(character)
        }
        let fraction = cents < 10 ? "0\(cents)" : "\(cents)"
        return (negative ? "-" : "") + grouped + "," + fraction + (currency ? "\u{00A0}€" : "")
    }

    public var description: String { formatted }
}

/// A reimbursement rate in basis points: 7 000 is 70 %. Between 0 and 100 %.
public struct Rate: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let basisPoints: Int

    public init(basisPoints: Int) throws(DomainError) {
        guard (0...10_000).contains(basisPoints) else {
            throw .invalid(field: "taux", reason: "doit être compris entre 0 et 100 % (reçu \(basisPoints) points de base)")
        }
        self.basisPoints = basisPoints
    }

    /// For literal rates known to be valid.
    public init(percent: Int) {
        precondition((0...100).contains(percent))
        self.basisPoints = percent * 100
    }

    public static let zero = Rate(percent: 0)

    public static func < (lhs: Rate, rhs: Rate) -> Bool { lhs.basisPoints < rhs.basisPoints }

    /// `70 %`, `100 %`, `12,5 %` (no-break space before the sign).
    public var formatted: String {
        let whole = basisPoints / 100
        let fraction = basisPoints % 100
        if fraction == 0 { return "\(whole)\u{00A0}%" }
        let decimals = fraction % 10 == 0 ? "\(fraction / 10)" : (fraction < 10 ? "0\(fraction)" : "\(fraction)")
        return "\(whole),\(decimals)\u{00A0}%"
    }

    public var description: String { formatted }
}
