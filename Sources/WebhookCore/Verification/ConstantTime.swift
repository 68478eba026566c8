import Crypto

/// Comparisons whose duration does not depend on where the inputs differ.
public enum ConstantTime {
    /// Whether `a` and `b` are equal; time depends only on their lengths.
    public static func equal(_ a: some Collection<UInt8>, _ b: some Collection<UInt8>) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for (x, y) in zip(a, b) { difference |= x ^ y }
        return difference == 0
    }

    /// The SHA-256 of `text`: secrets of any length are compared as digests of equal length.
    public static func digest(_ text: some Sequence<UInt8>) -> [UInt8] {
        Array(SHA256.hash(data: Array(text)))
    }

    /// Whether any of `candidates` equals the MAC `code` computes under any of `keys`: one MAC per key,
    /// whatever the number of candidates, and every comparison made.
    public static func anyMatches<Key>(_ candidates: [[UInt8]], keys: [Key], code: (Key) -> [UInt8]) -> Bool {
        guard !candidates.isEmpty else { return false }
        var matched = false
        for key in keys {
            let expected = code(key)
            for candidate in candidates where equal(candidate, expected) { matched = true }
        }
        return matched
    }

    /// Whether `candidate` (a digest) equals any of `digests`; every entry is compared, match or not.
    public static func matchesAny(_ candidate: [UInt8], _ digests: [[UInt8]]) -> Bool {
        var matched = false
        for digest in digests where equal(candidate, digest) { matched = true }
        return matched
    }
}
