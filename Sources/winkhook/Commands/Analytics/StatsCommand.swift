import ArgumentParser
import FastCGITransport
import Glibc
import PostgresStore
import Reporting
import WebhookCore

/// `winkhook stats`: bookings, room nights, revenue, ADR, cancellations, refunds and payments for a
/// period, grouped, as a table with charts, CSV or JSON; or rooms on the books per stay night.
struct StatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Bookings, revenue, ADR, cancellations, refunds and payments for a period (or what is on the books).",
        discussion: """
            Days and hours are UTC. Closed hours come from the rollups `winkhook maintain` keeps, the hours since \
            the last pass from raw rows. Amounts are per currency, never summed across currencies.
            Examples: `winkhook stats --last 30d --by day`, `winkhook stats --by channel --compare`, \
            `winkhook stats --on-the-books --month 2027-01 --by channel`.
            """)

    @OptionGroup var options: ConfigOption
    @OptionGroup var database: DatabaseOption

    @Option(help: "Length of the period ending now: 48h, 30d, 12w, 6m (default 30d).")
    var last: String?
    @Option(help: "First day (YYYY-MM-DD, UTC).")
    var since: String?
    @Option(help: "Day after the last (YYYY-MM-DD, exclusive).")
    var until: String?
    @Option(help: "Group by hour, day, week, month, property, channel, entity, currency, event or total.")
    var by: String = "day"
    @Flag(help: "Compare the period's totals with the period of the same length before it.")
    var compare = false
    @Option(help: "table, csv or json.")
    var format: String = "table"
    @Flag(help: "Charts under the table even when the output is not a terminal.")
    var charts = false
    @Flag(help: "Never draw charts.")
    var noCharts = false
    @Flag(help: "Rooms on the books per stay night, from the booking ledger.")
    var onTheBooks = false
    @Option(help: "With --on-the-books: the month of stay nights (YYYY-MM; default: this month).")
    var month: String?
    @Option(help: "Only deliveries of this webhook.")
    var webhook: String?
    @Flag(help: "Also print PostgreSQL's plan of each query (EXPLAIN ANALYZE) to stderr.")
    var explain = false

    func validate() throws {
        guard Grouping(rawValue: by) != nil else {
            throw ValidationError("--by must be one of \(Grouping.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard StatsFormat(rawValue: format) != nil else { throw ValidationError("--format must be table, csv or json") }
        if onTheBooks, ![.total, .property, .channel, .entity, .day].contains(Grouping(rawValue: by)) {
            throw ValidationError("--on-the-books groups by property, channel, entity or total")
        }
    }

    func run() throws {
        let environment = ProcessEnvironment.current()
        let url = try database.url(environment: environment) { try options.load(environment: environment).databaseURL }
        let grouping = Grouping(rawValue: by) ?? .day
        var renderer = StatsRenderer(
            format: StatsFormat(rawValue: format) ?? .table, charts: !noCharts && (charts || isatty(1) == 1))
        let now = RequestProcessor.now()
        do {
            let reader = try AnalyticsReader(conninfo: url)
            reader.explains = explain
            defer { for plan in reader.plans { StandardError.write(plan + "\n\n") } }
            if renderer.format == .table, [.property, .channel].contains(grouping) {
                renderer.names = try reader.dimensionNames()
            }
            if onTheBooks {
                let (from, to) = try StatsCommand.monthRange(month, now: now)
                let nights = try reader.onTheBooks(
                    from: from, to: to, grouping: grouping == .day ? .total : grouping, webhook: webhook)
                print(
                    renderer.renderNights(nights, from: from, to: to, grouping: grouping == .day ? .total : grouping),
                    terminator: "")
                return
            }
            let period = try Period.parse(last: last, since: since, until: until, grouping: grouping, now: now)
            let rows = Indicators.rows(
                from: try reader.metricTotals(
                    MetricQuery(
                        since: period.since, until: period.until, grouping: grouping, metrics: Indicators.metrics,
                        webhook: webhook)))
            let previous =
                compare
                ? Indicators.rows(
                    from: try reader.metricTotals(
                        MetricQuery(
                            since: period.previous.since, until: period.previous.until, grouping: .total,
                            metrics: Indicators.metrics, webhook: webhook))) : nil
            print(renderer.render(rows, period: period, grouping: grouping, previous: previous), terminator: "")
        } catch let error as PostgresError {
            throw StatsCommand.failure(error)
        }
    }

    /// The nights of `month` (`YYYY-MM`), or of the current month.
    static func monthRange(_ month: String?, now: Timestamp) throws -> (CalendarDay, CalendarDay) {
        let text = month ?? String(now.iso8601.prefix(7))
        guard text.count == 7, let first = Timestamp(iso8601: text + "-01") else {
            throw ValidationError("--month must be YYYY-MM, not \(text)")
        }
        let parts = text.split(separator: "-").compactMap { Int($0) }
        let next = parts[1] == 12 ? "\(parts[0] + 1)-01-01" : "\(parts[0])-\(parts[1] < 9 ? "0" : "")\(parts[1] + 1)-01"
        guard let end = Timestamp(iso8601: next) else { throw ValidationError("--month \(text) is no month") }
        return (CalendarDay(first), CalendarDay(end))
    }

    /// A database error as the command line shows it.
    static func failure(_ error: PostgresError) -> Error {
        let hint = error.isMissingSchema ? " (has `winkhook migrate` been run on this database?)" : ""
        return ValidationError("PostgreSQL: \(error.debugDescription)\(hint)")
    }
}
