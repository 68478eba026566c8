/// Sender timestamps: Unix seconds as plain digits, checked against a window in both directions.
public enum UnixTimestamp {
    /// Parses 1 to 12 ASCII digits; signs, decimals, exponents, `nan` → `nil`.
    public static func parse(_ text: some StringProtocol) -> Int64? {
        let utf8 = text.utf8
        guard (1...12).contains(utf8.count) else { return nil }
        var value: Int64 = 0
        for c in utf8 {
            guard c >= 48, c <= 57 else { return nil }
            value = value * 10 + Int64(c - 48)
        }
        return value > 0 ? value : nil
    }

    /// Throws unless `timestamp` is within `tolerance` seconds of `now`, either way.
    public static func checkWindow(_ timestamp: Int64, now: Timestamp, tolerance: Int64) throws(VerificationFailure) {
        let skew = now.seconds - timestamp
        guard skew <= tolerance, -skew <= tolerance else {
            throw VerificationFailure(
                .timestampOutsideWindow, "timestamp is \(skew) s from now (window ±\(tolerance) s)")
        }
    }
}
