/// Charts for a terminal: horizontal bars and sparklines of Unicode blocks.
public enum TerminalChart {
    static let ticks: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]

    /// `▁▃█▅`: one block per value, scaled between the smallest and largest.
    public static func sparkline(_ values: [Double]) -> String {
        guard let high = values.max(), let low = values.min() else { return "" }
        let span = high - low
        return String(
            values.map { value in
                span > 0 ? ticks[min(7, Int(((value - low) / span * 7).rounded()))] : (high > 0 ? ticks[3] : ticks[0])
            })
    }

    /// One line per item: label, a bar up to `width` cells (eighths of a cell for the tip), the value.
    public static func bars(_ items: [(label: String, value: Double, text: String)], width: Int = 40) -> [String] {
        let top = items.map(\.value).max() ?? 0
        let labelWidth = min(28, items.map(\.label.count).max() ?? 0)
        let partial: [String] = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"]
        return items.map { item in
            let eighths = top > 0 ? Int((max(0, item.value) / top * Double(width * 8)).rounded()) : 0
            let bar = String(repeating: "█", count: eighths / 8) + partial[eighths % 8]
            let label = String(item.label.prefix(labelWidth))
            return label + String(repeating: " ", count: labelWidth - label.count) + " │" + bar + " " + item.text
        }
    }
}
