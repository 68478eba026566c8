import ArgumentParser
import FastCGITransport
import Glibc
import PostgresStore
import Reporting
import WebhookCore

/// `winkhook report --out report.html`: the period's revenue, bookings, channels, properties,
/// cancellations, payments and what is on the books, as one self-contained HTML file.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write an HTML report (inline SVG charts, nothing loaded from elsewhere).")

    @OptionGroup var options: ConfigOption
    @OptionGroup var database: DatabaseOption

    @Option(help: "Where to write it.")
    var out: String = "winkhook-report.html"
    @Option(help: "Length of the period ending today: 30d, 12w, 6m (default 90d).")
    var last: String = "90d"
    @Option(help: "Nights on the books shown from today (default 60).")
    var nights: Int = 60
    @Option(help: "Only deliveries of this webhook.")
    var webhook: String?

    func run() throws {
        let environment = ProcessEnvironment.current()
        let url = try database.url(environment: environment) { try options.load(environment: environment).databaseURL }
        let now = RequestProcessor.now()
        let period = try Period.parse(last: last, since: nil, until: nil, grouping: .day, now: now)
        let data: ReportData
        do {
            data = try ReportCommand.load(url: url, period: period, nights: nights, webhook: webhook, now: now)
        } catch {
            throw StatsCommand.failure(error)
        }
        let html = Array(HTMLReport.render(data).utf8)
        guard let file = fopen(out, "wb") else {
            throw ValidationError("cannot write \(out): \(String(cString: strerror(errno)))")
        }
        let written = fwrite(html, 1, html.count, file)
        guard fclose(file) == 0, written == html.count else { throw ValidationError("could not write all of \(out)") }
        print("wrote \(out) (\(html.count / 1024) KiB): \(period.label)")
    }

    /// Everything the report shows.
    static func load(url: String, period: Period, nights: Int, webhook: String?, now: Timestamp)
        throws(PostgresError) -> ReportData
    {
        let reader = try AnalyticsReader(conninfo: url)
        func rows(_ grouping: Grouping) throws(PostgresError) -> [Indicators] {
            Indicators.rows(
                from: try reader.metricTotals(
                    MetricQuery(
                        since: period.since, until: period.until, grouping: grouping, metrics: Indicators.metrics,
                        webhook: webhook)))
        }
        let today = CalendarDay(now)
        var data = ReportData(
            period: period, daily: try rows(.day), byChannel: try rows(.channel), byProperty: try rows(.property),
            onTheBooks: try reader.onTheBooks(
                from: today, to: CalendarDay(number: today.number + max(1, nights)), grouping: .total, webhook: webhook),
            generatedAt: now, maintenance: try reader.maintenanceState())
        data.names = try reader.dimensionNames()
        return data
    }
}
