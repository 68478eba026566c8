import PostgresStore
import WebhookCore

/// How `stats` prints.
public enum StatsFormat: String, Sendable, CaseIterable {
    case table, csv, json
}

/// Renders indicator rows (and on-the-books nights) as a table with charts, CSV or JSON.
public struct StatsRenderer {
    public var format: StatsFormat
    /// Bars and sparklines under the table (on a terminal).
    public var charts: Bool
    /// Display names of property and channel ids (the table shows `name (id…)`; CSV and JSON keep ids).
    public var names: [String: String]

    public init(format: StatsFormat, charts: Bool, names: [String: String] = [:]) {
        self.format = format
        self.charts = charts
        self.names = names
    }

    /// A group as the table shows it.
    func label(_ group: String?) -> String? {
        guard let group, let name = names[group] else { return group }
        return "\(name) (\(group.prefix(8)))"
    }

    static let columns = [
        "group", "currency", "bookings", "room_nights", "revenue", "adr", "avg_lead_days", "cancellations",
        "cancellation_rate", "lost_revenue", "refunds", "refunded", "payments_ok", "payments_failed",
        "payment_success_rate",
    ]

    static func cells(_ row: Indicators, grouped: Bool) -> [String] {
        [
            row.group ?? "-", row.currency ?? "-", Figures.count(row.bookings, grouped: grouped),
            Figures.count(row.roomNights, grouped: grouped), Figures.format(row.revenue, grouped: grouped),
            row.adr.map { Figures.format($0, grouped: grouped) } ?? "-",
            row.averageLeadDays.map { Figures.format($0, decimals: 1, grouped: grouped) } ?? "-",
            Figures.count(row.cancellations, grouped: grouped), Figures.percent(row.cancellationRate),
            Figures.format(row.lostRevenue, grouped: grouped), Figures.count(row.refunds, grouped: grouped),
            Figures.format(row.refunded, grouped: grouped), Figures.count(row.paymentsSucceeded, grouped: grouped),
            Figures.count(row.paymentsFailed, grouped: grouped), Figures.percent(row.paymentSuccessRate),
        ]
    }

    /// The whole output for `rows` over `period` grouped by `grouping`; `previous` adds a comparison.
    public func render(
        _ rows: [Indicators], period: Period, grouping: Grouping, previous: [Indicators]? = nil
    ) -> String {
        switch format {
        case .csv:
            var lines = [StatsRenderer.columns.joined(separator: ",")]
            lines += rows.map {
                StatsRenderer.cells($0, grouped: false).map(StatsRenderer.csvField).joined(separator: ",")
            }
            return lines.joined(separator: "\n") + "\n"
        case .json:
            func object(_ row: Indicators) -> JSONValue {
                var members: JSONObject = [:]
                for (name, cell) in zip(StatsRenderer.columns, StatsRenderer.cells(row, grouped: false)) {
                    if cell == "-" {
                        members[name] = .null
                    } else if name == "group" || name == "currency" {
                        members[name] = .string(cell)
                    } else if cell.hasSuffix("%") {
                        members[name] = .number(String((Double(cell.dropLast()) ?? 0) / 100))
                    } else {
                        members[name] = .number(cell)
                    }
                }
                return .object(members)
            }
            var document: JSONObject = [
                "since": .string(period.since.iso8601), "until": .string(period.until.iso8601),
                "by": .string(grouping.rawValue), "rows": .array(rows.map(object)),
            ]
            if let previous {
                document["previous"] = .object([
                    "since": .string(period.previous.since.iso8601), "until": .string(period.previous.until.iso8601),
                    "rows": .array(StatsRenderer.totals(previous).map(object)),
                ])
                document["totals"] = .array(StatsRenderer.totals(rows).map(object))
            }
            return JSONValue.object(document).jsonText + "\n"
        case .table:
            return table(rows, period: period, grouping: grouping, previous: previous)
        }
    }

    private func table(_ rows: [Indicators], period: Period, grouping: Grouping, previous: [Indicators]?) -> String {
        var out = ["\(period.label), by \(grouping.rawValue) (UTC)", ""]
        guard !rows.isEmpty else {
            return (out + ["no bookings, cancellations, refunds or payments in this period"]).joined(separator: "\n")
                + "\n"
        }
        let headers = [
            grouping.rawValue, "cur", "bookings", "nights", "revenue", "ADR", "lead", "cancel", "cancel%", "lost",
            "refunds", "refunded", "paid ok", "failed", "pay ok%",
        ]
        let body = rows.map { row -> [String] in
            var labelled = row
            labelled.group = label(row.group)
            return StatsRenderer.cells(labelled, grouped: true)
        }
        out += StatsRenderer.aligned([headers] + body)
        if let previous {
            out += ["", "compared with \(period.previous.label):"]
            let now = StatsRenderer.totals(rows)
            let before = StatsRenderer.totals(previous)
            var lines = [["", "cur", "bookings", "nights", "revenue", "ADR", "cancel%", "pay ok%"]]
            for row in now {
                let old = before.first { $0.currency == row.currency } ?? Indicators(group: nil, currency: row.currency)
                func change(_ a: Double, _ b: Double) -> String {
                    b == 0
                        ? (a == 0 ? "±0" : "new")
                        : (a >= b ? "+" : "") + Figures.format((a - b) / b * 100, decimals: 1) + "%"
                }
                func rateChange(_ a: Double?, _ b: Double?) -> String {
                    guard let a, let b else { return "-" }
                    return (a >= b ? "+" : "") + Figures.format((a - b) * 100, decimals: 1) + " pt"
                }
                lines.append([
                    "this period", row.currency ?? "-", Figures.count(row.bookings), Figures.count(row.roomNights),
                    Figures.format(row.revenue), row.adr.map { Figures.format($0) } ?? "-",
                    Figures.percent(row.cancellationRate), Figures.percent(row.paymentSuccessRate),
                ])
                lines.append([
                    "previous", old.currency ?? "-", Figures.count(old.bookings), Figures.count(old.roomNights),
                    Figures.format(old.revenue), old.adr.map { Figures.format($0) } ?? "-",
                    Figures.percent(old.cancellationRate), Figures.percent(old.paymentSuccessRate),
                ])
                lines.append([
                    "change", "", change(row.bookings, old.bookings), change(row.roomNights, old.roomNights),
                    change(row.revenue, old.revenue), row.adr.flatMap { a in old.adr.map { change(a, $0) } } ?? "-",
                    rateChange(row.cancellationRate, old.cancellationRate),
                    rateChange(row.paymentSuccessRate, old.paymentSuccessRate),
                ])
            }
            out += StatsRenderer.aligned(lines)
        }
        if charts {
            for currency in Set(rows.map { $0.currency ?? "-" }).sorted() {
                let mine = rows.filter { ($0.currency ?? "-") == currency }
                out += ["", "revenue \(currency) by \(grouping.rawValue):"]
                out += TerminalChart.bars(mine.map { (label($0.group) ?? "-", $0.revenue, Figures.format($0.revenue)) })
                if grouping.isTime, mine.count > 1 {
                    out += [
                        "", "bookings   \(TerminalChart.sparkline(mine.map(\.bookings)))",
                        "nights     \(TerminalChart.sparkline(mine.map(\.roomNights)))",
                        "revenue    \(TerminalChart.sparkline(mine.map(\.revenue)))",
                        "cancelled  \(TerminalChart.sparkline(mine.map(\.cancellations)))",
                    ]
                }
            }
        }
        return out.joined(separator: "\n") + "\n"
    }

    /// The rows summed per currency (the period as a whole).
    public static func totals(_ rows: [Indicators]) -> [Indicators] {
        var sums: [String: Indicators] = [:]
        for row in rows {
            let key = row.currency ?? ""
            var sum = sums[key] ?? Indicators(group: "total", currency: row.currency)
            sum.bookings += row.bookings
            sum.roomNights += row.roomNights
            sum.revenue += row.revenue
            sum.netRevenue += row.netRevenue
            sum.cancellations += row.cancellations
            sum.lostRevenue += row.lostRevenue
            sum.refunds += row.refunds
            sum.refunded += row.refunded
            sum.paymentsSucceeded += row.paymentsSucceeded
            sum.paymentsFailed += row.paymentsFailed
            sum.paid += row.paid
            sum.leadDays += row.leadDays
            sum.leadSamples += row.leadSamples
            sums[key] = sum
        }
        return sums.keys.sorted().compactMap { sums[$0] }
    }

    /// On-the-books nights: a table (and bars) per night, or CSV/JSON rows.
    public func renderNights(_ nights: [NightTotal], from: CalendarDay, to: CalendarDay, grouping: Grouping) -> String {
        let grouped = grouping != .total
        switch format {
        case .csv:
            var lines = ["night,group,currency,bookings,rooms,revenue"]
            lines += nights.map {
                [
                    $0.night.description, $0.group ?? "", $0.currency ?? "", String($0.bookings), $0.rooms,
                    $0.revenue ?? "",
                ]
                .map(StatsRenderer.csvField).joined(separator: ",")
            }
            return lines.joined(separator: "\n") + "\n"
        case .json:
            let rows = nights.map { night -> JSONValue in
                .object([
                    "night": .string(night.night.description), "group": night.group.map(JSONValue.string) ?? .null,
                    "currency": night.currency.map(JSONValue.string) ?? .null,
                    "bookings": .number(String(night.bookings)),
                    "rooms": .number(night.rooms), "revenue": night.revenue.map(JSONValue.number) ?? .null,
                ])
            }
            return JSONValue.object([
                "from": .string(from.description), "until": .string(to.description), "nights": .array(rows),
            ]).jsonText + "\n"
        case .table:
            var out = [
                "rooms on the books per stay night, \(from) – \(CalendarDay(number: to.number - 1)) (booking ledger, cancelled bookings excluded)",
                "",
            ]
            guard !nights.isEmpty else {
                return (out + ["nothing on the books for these nights"]).joined(separator: "\n") + "\n"
            }
            var lines = [["night"] + (grouped ? [grouping.rawValue] : []) + ["cur", "bookings", "rooms", "revenue"]]
            for night in nights {
                lines.append(
                    [night.night.description] + (grouped ? [label(night.group) ?? "-"] : [])
                        + [
                            night.currency ?? "-", String(night.bookings), night.rooms,
                            night.revenue.flatMap { Double($0) }.map { Figures.format($0) } ?? "-",
                        ])
            }
            out += StatsRenderer.aligned(lines)
            if charts {
                var perNight: [Int: Double] = [:]
                for night in nights { perNight[night.night.number, default: 0] += Double(night.rooms) ?? 0 }
                out += ["", "rooms per night:"]
                out += TerminalChart.bars(
                    perNight.keys.sorted().map { day in
                        (CalendarDay(number: day).description, perNight[day] ?? 0, Figures.count(perNight[day] ?? 0))
                    })
            }
            return out.joined(separator: "\n") + "\n"
        }
    }

    /// Columns padded to their widest cell: text left, numbers right.
    public static func aligned(_ rows: [[String]]) -> [String] {
        let width = rows.map(\.count).max() ?? 0
        var widths = [Int](repeating: 0, count: width)
        for row in rows { for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) } }
        return rows.map { row in
            row.enumerated().map { index, cell in
                let pad = String(repeating: " ", count: widths[index] - cell.count)
                let numeric = cell.first.map { $0.isNumber || $0 == "-" || $0 == "+" } ?? false
                return index > 1 && numeric ? pad + cell : cell + pad
            }.joined(separator: "  ")
        }
    }

    static func csvField(_ text: String) -> String {
        let text = text == "-" ? "" : text
        guard text.contains(",") || text.contains("\"") || text.contains("\n") else { return text }
        return "\"" + text.replacing("\"", with: "\"\"") + "\""
    }
}
