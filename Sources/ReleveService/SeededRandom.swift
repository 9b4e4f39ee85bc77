/// SplitMix64: a small, fast, deterministic generator. The sample data must come out byte for
/// byte the same for the same seed on every machine, which `SystemRandomNumberGenerator` and
/// Foundation's generators do not promise. Never used for secrets.
struct SeededRandom: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    /// A generator for one stream of a seed (e.g. one assuré): independent of the order in which
    /// streams are drawn.
    init(seed: UInt64, stream: UInt64) {
        state = seed &+ stream &* 0x9E37_79B9_7F4A_7C15
        _ = next()
        _ = next()
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// An integer in `range`, without the modulo bias mattering for sample data.
    mutating func int(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.count))
    }

    mutating func chance(_ probability: Double) -> Bool {
        Double(next() >> 11) / Double(1 << 53) < probability
    }

    mutating func pick<T>(_ items: [T]) -> T {
        items[int(0...(items.count - 1))]
    }
}
