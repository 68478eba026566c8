import PostgresStore
import Testing
import WebhookCore

@testable import Reporting

@Suite struct PeriodTests {
    let now = testTime("2026-12-02T10:24:00Z")

    @Test func lastDaysEndWithToday() throws {
        let period = try Period.parse(last: "30d", since: nil, until: nil, grouping: .day, now: now)
        #expect(period.since == Timestamp(iso8601: "2026-11-03"))
        #expect(period.until == Timestamp(iso8601: "2026-12-03"))
        #expect(period.days == 30 && period.label == "2026-11-03 – 2026-12-02")
        #expect(period.previous == Period(since: testTime("2026-10-04"), until: period.since))
    }

    @Test func hoursAlignToHours() throws {
        let period = try Period.parse(last: "48h", since: nil, until: nil, grouping: .hour, now: now)
        #expect(period.since == Timestamp(iso8601: "2026-11-30T11:00:00Z"))
        #expect(period.until == Timestamp(iso8601: "2026-12-02T11:00:00Z"))
    }

    @Test func datesAreInclusiveExclusive() throws {
        let period = try Period.parse(last: nil, since: "2026-08-01", until: "2026-09-01", grouping: .week, now: now)
        #expect(period.since == Timestamp(iso8601: "2026-08-01") && period.until == Timestamp(iso8601: "2026-09-01"))
    }

    @Test(arguments: ["30", "d", "0d", "-3d", "3y", "1e3d"]) func badLengthsAreRefused(text: String) {
        #expect(throws: PeriodError.self) {
            try Period.parse(last: text, since: nil, until: nil, grouping: .day, now: now)
        }
    }

    @Test func anEmptyOrUndatedPeriodIsRefused() {
        #expect(throws: PeriodError.self) {
            try Period.parse(last: nil, since: "2026-09-01", until: "2026-08-01", grouping: .day, now: now)
        }
        #expect(throws: PeriodError.self) {
            try Period.parse(last: nil, since: "yesterday", until: nil, grouping: .day, now: now)
        }
    }
}

@Suite struct IndicatorTests {
    func total(_ group: String?, _ metric: String, _ currency: String?, _ value: String, samples: Int = 1)
        -> MetricTotal
    {
        MetricTotal(
            group: group, metric: metric, currency: currency, samples: samples, total: value, minimum: value,
            maximum: value)
    }

    @Test func figuresAreComputedPerGroupAndCurrency() {
        let rows = Indicators.rows(from: [
            total("2026-08-10", "booking.count", "EUR", "4", samples: 4),
            total("2026-08-10", "booking.room_nights", "EUR", "10"),
            total("2026-08-10", "booking.gross_amount", "EUR", "1500.00"),
            total("2026-08-10", "booking.cancelled.count", "EUR", "1"),
            total("2026-08-10", "booking.lead_days", "EUR", "60", samples: 4),
            total("2026-08-10", "payment.succeeded.count", "EUR", "3"),
            total("2026-08-10", "payment.failed.count", "EUR", "1"),
            total("2026-08-10", "booking.count", "USD", "1"),
            total("2026-08-10", "event.count", nil, "7"),  // not a figure: ignored
            total("2026-08-09", "booking.count", "EUR", "2"),
        ])
        #expect(rows.map(\.group) == ["2026-08-09", "2026-08-10", "2026-08-10"])
        let eur = rows[1]
        #expect(eur.currency == "EUR" && eur.bookings == 4 && eur.adr == 150 && eur.cancellationRate == 0.25)
        #expect(eur.paymentSuccessRate == 0.75 && eur.averageLeadDays == 15)
        #expect(rows[2].currency == "USD" && rows[2].adr == nil)
        let totals = StatsRenderer.totals(rows)
        #expect(totals.map(\.currency) == ["EUR", "USD"] && totals[0].bookings == 6)
    }

    @Test func csvAndJsonCarryEveryColumn() throws {
        var row = Indicators(group: "web, \"direct\"", currency: "EUR")
        row.bookings = 2
        row.revenue = 1234.5
        row.roomNights = 5
        let period = Period(since: testTime("2026-08-01"), until: testTime("2026-08-02"))
        let csv = StatsRenderer(format: .csv, charts: false).render([row], period: period, grouping: .channel)
        let lines = csv.split(separator: "\n")
        #expect(lines.first == Substring(StatsRenderer.columns.joined(separator: ",")))
        #expect(lines.last?.hasPrefix("\"web, \"\"direct\"\"\",EUR,2,5,1234.50,246.90,") == true)
        let json = StatsRenderer(format: .json, charts: false).render(
            [row], period: period, grouping: .channel, previous: [])
        let parsed = try JSONParser.parse(Array(json.utf8))
        guard case .array(let rows)? = parsed["rows"] else {
            Issue.record("no rows in \(json)")
            return
        }
        #expect(rows.first?["adr"] == JSONValue.number("246.90"))
        #expect(rows.first?["cancellation_rate"] == JSONValue.number("0.0"))
        #expect(rows.first?["payment_success_rate"] == JSONValue.null)
        #expect(parsed["by"] == .string("channel") && parsed["previous"] != nil)
    }

    @Test func onTheBooksByChannelShowsTheChannelsNameWithItsId() {
        let nights = [
            NightTotal(
                night: CalendarDay(number: 20_700), group: "1a2b3c4d-5e6f", currency: "EUR", bookings: 2, rooms: "3",
                revenue: "300")
        ]
        let renderer = StatsRenderer(format: .table, charts: false, names: ["1a2b3c4d-5e6f": "Hotel website"])
        let text = renderer.renderNights(
            nights, from: CalendarDay(number: 20_700), to: CalendarDay(number: 20_701), grouping: .channel)
        #expect(text.contains("Hotel website (1a2b3c4d)"))
        let csv = StatsRenderer(format: .csv, charts: false, names: ["1a2b3c4d-5e6f": "Hotel website"])
            .renderNights(
                nights, from: CalendarDay(number: 20_700), to: CalendarDay(number: 20_701), grouping: .channel)
        #expect(csv.contains(",1a2b3c4d-5e6f,") && !csv.contains("Hotel website"))
    }

    @Test func theTableHasChartsWhenAsked() {
        var a = Indicators(group: "2026-08-01", currency: "EUR")
        a.bookings = 1
        a.revenue = 100
        var b = Indicators(group: "2026-08-02", currency: "EUR")
        b.bookings = 3
        b.revenue = 400
        let period = Period(since: testTime("2026-08-01"), until: testTime("2026-08-03"))
        let text = StatsRenderer(format: .table, charts: true).render([a, b], period: period, grouping: .day)
        #expect(text.contains("2026-08-01 – 2026-08-02, by day (UTC)"))
        #expect(text.contains("│██████████████████████████████████████████ 400.00") == false)
        #expect(text.contains("2026-08-02 │" + String(repeating: "█", count: 40) + " 400.00"))
        #expect(text.contains("bookings   ▁█"))
        let plain = StatsRenderer(format: .table, charts: false).render([a, b], period: period, grouping: .day)
        #expect(!plain.contains("│"))
    }

    @Test func sparklinesAndBarsScale() {
        #expect(TerminalChart.sparkline([0, 1, 2, 3, 4, 5, 6, 7]) == "▁▂▃▄▅▆▇█")
        #expect(TerminalChart.sparkline([2, 2]) == "▄▄")
        #expect(TerminalChart.bars([("a", 1, "1"), ("bb", 2, "2")], width: 4) == ["a  │██ 1", "bb │████ 2"])
        #expect(Figures.format(1_234_567.891) == "1 234 567.89" && Figures.format(-0.004) == "0.00")
        #expect(Figures.format(-12.5, grouped: false) == "-12.50")
    }
}

@Suite struct HTMLReportTests {
    func data(label: String = "hotel-a") -> ReportData {
        var day = Indicators(group: "2026-08-10", currency: "EUR")
        day.bookings = 3
        day.revenue = 900
        day.roomNights = 6
        day.cancellations = 1
        day.lostRevenue = 300
        day.paymentsSucceeded = 3
        day.paymentsFailed = 1
        var property = day
        property.group = label
        let period = Period(since: testTime("2026-08-01"), until: testTime("2026-08-31"))
        return ReportData(
            period: period, daily: [day], byChannel: [property], byProperty: [property],
            onTheBooks: [
                NightTotal(
                    night: CalendarDay(number: 20_700), group: nil, currency: "EUR", bookings: 2, rooms: "3",
                    revenue: "300")
            ], generatedAt: testTime("2026-08-31T12:00:00Z"),
            maintenance: MaintenanceState(closedBefore: nil, ranAt: nil))
    }

    @Test func theReportIsOneSelfContainedFileWithEveryChart() {
        let html = HTMLReport.render(data())
        #expect(html.hasPrefix("<!doctype html>"))
        for id in ["revenue", "bookings", "channels", "properties", "cancellations", "payments", "on-the-books"] {
            #expect(html.contains("<figure id=\"\(id)\">"), "\(id)")
        }
        #expect(html.components(separatedBy: "<svg class=\"chart\"").count - 1 == 7)
        #expect(
            !html.contains("<script") && !html.contains("src=") && !html.contains("href=") && !html.contains("@import"))
        #expect(!html.replacing("http://www.w3.org/2000/svg", with: "").contains("http"))
        #expect(html.contains("900.00") && html.contains("75.0%"))
    }

    @Test func labelsFromDeliveriesAreEscaped() {
        let html = HTMLReport.render(data(label: "<script>alert(1)</script>\"&'"))
        #expect(!html.contains("<script>alert"))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;&quot;&amp;&#39;"))
    }
}

extension String {
    func components(separatedBy separator: String) -> [Substring] {
        var parts: [Substring] = []
        var rest = self[...]
        while let range = rest.firstRange(of: separator) {
            parts.append(rest[..<range.lowerBound])
            rest = rest[range.upperBound...]
        }
        parts.append(rest)
        return parts
    }
}

/// A constant test time (the epoch if the text were no time, which fails the test that uses it).
func testTime(_ text: String) -> Timestamp { Timestamp(iso8601: text) ?? Timestamp(seconds: 0) }
