import WebhookCore

/// `winkhook report`: one self-contained HTML file (inline CSS and SVG, no script, nothing fetched).
public enum HTMLReport {
    /// The report for `data`. Amount charts use the currency with the most revenue; the tiles list every
    /// currency.
    public static func render(_ data: ReportData) -> String {
        let totals = StatsRenderer.totals(data.daily)
        let main = totals.max { $0.revenue < $1.revenue }?.currency
        let days = dayLabels(data.period)
        func series(_ rows: [Indicators], _ value: (Indicators) -> Double, currency: String?) -> [Double] {
            var byDay: [String: Double] = [:]
            for row in rows where currency == nil || row.currency == currency {
                byDay[row.group ?? "", default: 0] += value(row)
            }
            return days.map { byDay[$0] ?? 0 }
        }
        let cur = main ?? ""
        var sections: [String] = []
        sections.append(tiles(totals))
        sections.append(
            SVGChart.columns(
                id: "revenue", title: "Revenue (\(cur), gross) per day", labels: days,
                series: [("revenue \(cur)", series(data.daily, \.revenue, currency: main))]))
        sections.append(
            SVGChart.columns(
                id: "bookings", title: "Bookings and cancellations per day", labels: days,
                series: [
                    ("bookings", series(data.daily, \.bookings, currency: nil)),
                    ("cancellations", series(data.daily, \.cancellations, currency: nil)),
                ]))
        sections.append(
            SVGChart.bars(
                id: "channels", title: "Revenue (\(cur)) by sales channel",
                items: ranked(data.byChannel, currency: main, names: data.names)))
        sections.append(
            SVGChart.bars(
                id: "properties", title: "Revenue (\(cur)) by property",
                items: ranked(data.byProperty, currency: main, names: data.names)))
        sections.append(
            SVGChart.columns(
                id: "cancellations", title: "Lost revenue (\(cur)) from cancellations per day", labels: days,
                series: [("lost \(cur)", series(data.daily, \.lostRevenue, currency: main))]))
        sections.append(
            SVGChart.columns(
                id: "payments", title: "Payments per day: succeeded and failed", labels: days,
                series: [
                    ("succeeded", series(data.daily, \.paymentsSucceeded, currency: nil)),
                    ("failed", series(data.daily, \.paymentsFailed, currency: nil)),
                ]))
        var rooms: [Int: Double] = [:]
        for night in data.onTheBooks { rooms[night.night.number, default: 0] += Double(night.rooms) ?? 0 }
        let nights = rooms.keys.sorted()
        sections.append(
            SVGChart.columns(
                id: "on-the-books", title: "Rooms on the books per stay night (from the booking ledger)",
                labels: nights.map { CalendarDay(number: $0).description },
                series: [("rooms", nights.map { rooms[$0] ?? 0 })]))
        let note =
            data.maintenance.closedBefore.map {
                "rollups through \($0.iso8601.prefix(16))Z; later hours read from raw rows"
            }
            ?? "no maintenance pass yet: everything read from raw rows"
        return """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>winkhook report \(SVGChart.escape(data.period.label))</title>
            <style>
            body{font:14px/1.4 system-ui,sans-serif;margin:24px auto;max-width:920px;color:#1d2733;background:#fff}
            h1{font-size:22px;margin:0 0 4px} p.meta{color:#5b6b7d;margin:0 0 18px}
            .tiles{display:grid;grid-template-columns:repeat(auto-fill,minmax(170px,1fr));gap:10px;margin-bottom:18px}
            .tile{border:1px solid #dde3ea;border-radius:8px;padding:10px} .tile b{display:block;font-size:19px;white-space:nowrap}
            .tile span{color:#5b6b7d;font-size:12px}
            figure{margin:0 0 22px;border:1px solid #dde3ea;border-radius:8px;padding:12px}
            figcaption{font-weight:600;margin-bottom:6px} .legend{font-weight:400;color:#5b6b7d;margin-left:8px}
            .key{margin-right:10px} .key i{display:inline-block;width:10px;height:10px;margin-right:4px;border-radius:2px}
            .grid{stroke:#e8edf2} .tick{font-size:11px;fill:#5b6b7d} .value{font-size:11px;fill:#1d2733}
            </style></head><body>
            <h1>Bookings and payments, \(SVGChart.escape(data.period.label))</h1>
            <p class="meta">winkhook · generated \(data.generatedAt.iso8601.prefix(19))Z · UTC days · \(SVGChart.escape(note))</p>
            \(sections.joined(separator: "\n"))
            </body></html>

            """
    }

    static func tiles(_ totals: [Indicators]) -> String {
        var tiles: [(String, String)] = []
        let bookings = totals.reduce(0) { $0 + $1.bookings }
        let cancellations = totals.reduce(0) { $0 + $1.cancellations }
        let nights = totals.reduce(0) { $0 + $1.roomNights }
        let succeeded = totals.reduce(0) { $0 + $1.paymentsSucceeded }
        let failed = totals.reduce(0) { $0 + $1.paymentsFailed }
        tiles.append((Figures.count(bookings), "bookings"))
        tiles.append((Figures.count(nights), "room nights"))
        for row in totals where row.revenue > 0 {
            tiles.append((Figures.format(row.revenue), "revenue \(row.currency ?? "")"))
            if let adr = row.adr { tiles.append((Figures.format(adr), "ADR \(row.currency ?? "")")) }
        }
        tiles.append((Figures.percent(bookings > 0 ? cancellations / bookings : nil), "cancellation rate"))
        tiles.append(
            (Figures.percent(succeeded + failed > 0 ? succeeded / (succeeded + failed) : nil), "payment success"))
        return "<div class=\"tiles\">"
            + tiles.map {
                "<div class=\"tile\"><b>\(SVGChart.escape($0.0))</b><span>\(SVGChart.escape($0.1))</span></div>"
            }
            .joined() + "</div>"
    }

    static func ranked(_ rows: [Indicators], currency: String?, names: [String: String])
        -> [(label: String, value: Double, text: String)]
    {
        rows.filter { $0.currency == currency && $0.revenue > 0 }.sorted { $0.revenue > $1.revenue }.prefix(15).map {
            let id = $0.group ?? "(none)"
            return (
                names[id].map { "\($0) (\(id.prefix(8)))" } ?? id, $0.revenue,
                Figures.format($0.revenue) + " · " + Figures.count($0.bookings) + " bookings"
            )
        }
    }

    /// Every day of the period, `YYYY-MM-DD`.
    static func dayLabels(_ period: Period) -> [String] {
        let first = Int(period.since.seconds / 86_400)
        return (0..<max(0, period.days)).map { CalendarDay(number: first + $0).description }
    }
}
