/// Number text for people: fixed decimals, thousands separated by a thin space in tables, plain in CSV
/// and JSON. No Foundation formatter: the output is the same on every machine and locale.
public enum Figures {
    /// `1234567.891` → `1 234 567.89` (grouped) or `1234567.89`.
    public static func format(_ value: Double, decimals: Int = 2, grouped: Bool = true) -> String {
        guard value.isFinite else { return "-" }
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let scaled = (abs(value) * scale).rounded()
        let whole = (scaled / scale).rounded(.down)
        var fraction = Int64(scaled - whole * scale)
        var digits = String(Int64(whole))
        if grouped, digits.count > 3 {
            var out: [Character] = []
            for (index, c) in digits.reversed().enumerated() {
                if index > 0, index % 3 == 0 { out.append(" ") }
                out.append(c)
            }
            digits = String(out.reversed())
        }
        var text = (value < 0 && scaled > 0 ? "-" : "") + digits
        if decimals > 0 {
            var tail = ""
            for _ in 0..<decimals {
                tail = String(fraction % 10) + tail
                fraction /= 10
            }
            text += "." + tail
        }
        return text
    }

    /// A rate as a percentage with one decimal, `-` when there is none.
    static func percent(_ rate: Double?) -> String {
        rate.map { format($0 * 100, decimals: 1, grouped: false) + "%" } ?? "-"
    }

    /// A count: no decimals when whole.
    static func count(_ value: Double, grouped: Bool = true) -> String {
        value == value.rounded() ? format(value, decimals: 0, grouped: grouped) : format(value, grouped: grouped)
    }
}
