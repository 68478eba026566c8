/// Inline SVG charts for the HTML report: no script, no font or file from elsewhere. Every label is
/// escaped (property and channel ids come from delivery bodies).
enum SVGChart {
    static let palette = ["#2f6fdf", "#e8843a", "#3aa675", "#c4455a", "#8a63c9", "#6b7a8f"]

    /// Vertical bars over time (one series per entry of `series`, stacked).
    static func columns(
        id: String, title: String, labels: [String], series: [(name: String, values: [Double])],
        width: Int = 860, height: Int = 240
    ) -> String {
        let left = 56.0
        let bottom = 28.0
        let top = 12.0
        let plotWidth = Double(width) - left - 12
        let plotHeight = Double(height) - bottom - top
        let stacks = labels.indices.map { index in
            series.reduce(0.0) { $0 + (index < $1.values.count ? max(0, $1.values[index]) : 0) }
        }
        let high = niceCeiling(stacks.max() ?? 0)
        let slot = labels.isEmpty ? plotWidth : plotWidth / Double(labels.count)
        var parts = axes(left: left, top: top, plotWidth: plotWidth, plotHeight: plotHeight, high: high)
        for (index, label) in labels.enumerated() {
            var base = top + plotHeight
            for (s, entry) in series.enumerated() where index < entry.values.count {
                let h = high > 0 ? max(0, entry.values[index]) / high * plotHeight : 0
                base -= h
                parts.append(
                    "<rect class=\"bar\" x=\(q(left + Double(index) * slot + slot * 0.12)) y=\(q(base)) width=\(q(max(1, slot * 0.76))) height=\(q(h)) fill=\"\(palette[s % palette.count])\"><title>\(escape(label)) \(escape(entry.name)): \(Figures.format(entry.values[index]))</title></rect>"
                )
            }
            if labels.count <= 16 || index % max(1, labels.count / 8) == 0 {
                parts.append(
                    "<text x=\(q(left + Double(index) * slot + slot / 2)) y=\(q(Double(height) - 8)) text-anchor=\"middle\" class=\"tick\">\(escape(shortLabel(label)))</text>"
                )
            }
        }
        let legend =
            series.enumerated().map { s, entry in (entry.name, palette[s % palette.count]) }
        return wrap(id: id, title: title, width: width, height: height, body: parts, legend: legend)
    }

    /// Horizontal bars, one per item, longest first as given.
    static func bars(id: String, title: String, items: [(label: String, value: Double, text: String)], width: Int = 860)
        -> String
    {
        let rowHeight = 24.0
        let height = Int(Double(max(1, items.count)) * rowHeight + 16)
        let left = 290.0
        let plotWidth = Double(width) - left - 200
        let high = items.map(\.value).max() ?? 0
        var parts: [String] = []
        for (index, item) in items.enumerated() {
            let y = 8 + Double(index) * rowHeight
            let w = high > 0 ? max(0, item.value) / high * plotWidth : 0
            parts.append(
                "<text x=\(q(left - 8)) y=\(q(y + 16)) text-anchor=\"end\" class=\"tick\">\(escape(String(item.label.prefix(44))))</text>"
            )
            parts.append(
                "<rect class=\"bar\" x=\(q(left)) y=\(q(y + 3)) width=\(q(max(1, w))) height=\(q(rowHeight - 6)) fill=\"\(palette[0])\"><title>\(escape(item.label)): \(escape(item.text))</title></rect>"
            )
            parts.append("<text x=\(q(left + w + 6)) y=\(q(y + 16)) class=\"value\">\(escape(item.text))</text>")
        }
        return wrap(id: id, title: title, width: width, height: height, body: parts, legend: [])
    }

    static func axes(left: Double, top: Double, plotWidth: Double, plotHeight: Double, high: Double) -> [String] {
        var parts: [String] = []
        for step in 0...4 {
            let y = top + plotHeight - Double(step) / 4 * plotHeight
            parts.append("<line x1=\(q(left)) x2=\(q(left + plotWidth)) y1=\(q(y)) y2=\(q(y)) class=\"grid\"/>")
            parts.append(
                "<text x=\(q(left - 6)) y=\(q(y + 4)) text-anchor=\"end\" class=\"tick\">\(Figures.count(high * Double(step) / 4))</text>"
            )
        }
        return parts
    }

    static func wrap(id: String, title: String, width: Int, height: Int, body: [String], legend: [(String, String)])
        -> String
    {
        let keys = legend.map { name, color in
            "<span class=\"key\"><i style=\"background:\(color)\"></i>\(escape(name))</span>"
        }
        return """
            <figure id="\(escape(id))"><figcaption>\(escape(title))\(keys.isEmpty ? "" : " <span class=\"legend\">" + keys.joined() + "</span>")</figcaption>
            <svg class="chart" viewBox="0 0 \(width) \(height)" width="100%" role="img" aria-label="\(escape(title))" xmlns="http://www.w3.org/2000/svg">
            \(body.joined(separator: "\n"))
            </svg></figure>
            """
    }

    /// A round number at or above `value` for the axis top.
    static func niceCeiling(_ value: Double) -> Double {
        guard value > 0 else { return 0 }
        var magnitude = 1.0
        while magnitude * 10 <= value { magnitude *= 10 }
        while magnitude > value { magnitude /= 10 }
        for factor in [1.0, 2, 2.5, 5, 10] where factor * magnitude >= value { return factor * magnitude }
        return value
    }

    /// `2026-08-10` → `08-10` on the axis.
    static func shortLabel(_ label: String) -> String {
        label.count == 10 && label.dropFirst(4).first == "-" ? String(label.dropFirst(5)) : label
    }

    static func q(_ value: Double, quoted: Bool = true) -> String {
        let text = Figures.format(value, decimals: 1, grouped: false)
        return quoted ? "\"\(text)\"" : text
    }

    /// Text safe inside HTML and SVG elements and attributes.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for c in text {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }
}
