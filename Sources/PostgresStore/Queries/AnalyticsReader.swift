import WebhookCore

/// The read side: typed questions over rollups, raw rows and the ledger, so that `stats`, `report` and
/// other commands hold no SQL. Closed periods are read from the rollups, the hours since the last
/// maintenance pass from raw rows; the answer is the same either way (a test checks it).
public final class AnalyticsReader {
    private let connection: PostgresConnection
    /// When set, each question also runs under `EXPLAIN (ANALYZE, BUFFERS)` and its plan is kept in `plans`.
    public var explains = false
    /// The plans of the questions asked while `explains` was set, in order.
    public private(set) var plans: [String] = []

    /// Opens a connection to `conninfo`.
    public init(conninfo: String) throws(PostgresError) {
        connection = try PostgresConnection(conninfo: conninfo, statementTimeout: 300)
        // These queries are short: JIT compiling them (on by default when the plan looks costly) took
        // seconds here for answers that take milliseconds.
        try connection.execute("SET jit = off")
    }

    /// Metric totals for `query`, ordered by group, metric and currency.
    public func metricTotals(_ query: MetricQuery) throws(PostgresError) -> [MetricTotal] {
        let (rollupGroup, rawGroup) = AnalyticsReader.groupExpressions(query.grouping)
        let rollup =
            query.grouping == .hour
            ? """
            SELECT \(rollupGroup) AS g, r.metric, r.currency, r.samples, r.total, r.minimum, r.maximum
            FROM winkhook.rollup_hourly r
            WHERE r.bucket >= $1::timestamptz AND r.bucket < least($2::timestamptz, $6::timestamptz)
              AND ($3::text[] IS NULL OR r.metric = ANY($3::text[]) OR r.metric LIKE ANY($4::text[]))
              AND ($5::text IS NULL OR r.webhook = $5)
            """
            : """
            SELECT \(rollupGroup) AS g, r.metric, r.currency, r.samples, r.total, r.minimum, r.maximum
            FROM winkhook.rollup_daily r
            WHERE r.day >= ($1::timestamptz AT TIME ZONE 'UTC')::date AND r.day < ($2::timestamptz AT TIME ZONE 'UTC')::date
              AND ($3::text[] IS NULL OR r.metric = ANY($3::text[]) OR r.metric LIKE ANY($4::text[]))
              AND ($5::text IS NULL OR r.webhook = $5)
            """
        let sql = """
            WITH parts AS (
                \(rollup)
                UNION ALL
                SELECT \(rawGroup) AS g, m.metric, m.currency, 1, m.value, m.value, m.value
                FROM winkhook.events e,
                     unnest(e.metrics, e.metric_values, e.metric_currencies) AS m(metric, value, currency)
                WHERE e.time >= greatest($1::timestamptz, $6::timestamptz) AND e.time < $2::timestamptz
                  AND e.disposition = 'stored'
                  AND ($3::text[] IS NULL OR m.metric = ANY($3::text[]) OR m.metric LIKE ANY($4::text[]))
                  AND ($5::text IS NULL OR e.webhook = $5)
            )
            SELECT g, metric, currency, sum(samples)::bigint, sum(total)::text, min(minimum)::text, max(maximum)::text
            FROM parts GROUP BY 1, 2, 3 ORDER BY 1 NULLS LAST, 2, 3 NULLS FIRST
            """
        let exact = query.metrics.filter { !$0.hasSuffix(".") }
        let prefixes = query.metrics.filter { $0.hasSuffix(".") }.map { $0 + "%" }
        // Where the rollups end, as a value rather than a join: so the raw part's partitions are pruned
        // when the statement is planned (a join reads every partition).
        let closedBefore = try maintenanceState().closedBefore.map(\.iso8601) ?? "-infinity"
        let parameters = [
            query.since.iso8601, query.until.iso8601, query.metrics.isEmpty ? nil : ArrayLiteral.text(exact),
            ArrayLiteral.text(prefixes), query.webhook, closedBefore,
        ]
        try explain(sql, parameters)
        let result = try connection.execute(sql, parameters)
        return AnalyticsReader.totals(result)
    }

    /// The same totals computed from raw rows only (no rollups): what the rollups must equal.
    public func rawMetricTotals(_ query: MetricQuery) throws(PostgresError) -> [MetricTotal] {
        let (_, rawGroup) = AnalyticsReader.groupExpressions(query.grouping)
        let result = try connection.execute(
            """
            SELECT \(rawGroup) AS g, m.metric, m.currency, count(*), sum(m.value)::text, min(m.value)::text,
                   max(m.value)::text
            FROM winkhook.events e, unnest(e.metrics, e.metric_values, e.metric_currencies) AS m(metric, value, currency)
            WHERE e.time >= $1::timestamptz AND e.time < $2::timestamptz AND e.disposition = 'stored' AND ($3::text IS NULL OR e.webhook = $3)
            GROUP BY 1, 2, 3 ORDER BY 1 NULLS LAST, 2, 3 NULLS FIRST
            """, [query.since.iso8601, query.until.iso8601, query.webhook])
        return AnalyticsReader.totals(result)
    }

    /// Room nights on the books per stay night in `[from, to)`, grouped by `grouping` (property,
    /// channel, entity, currency or total), from the ledger.
    public func onTheBooks(from: CalendarDay, to: CalendarDay, grouping: Grouping, webhook: String? = nil)
        throws(PostgresError) -> [NightTotal]
    {
        let group: String
        switch grouping {
        case .property: group = "n.property"
        case .channel: group = "n.channel"
        case .entity: group = "n.entity"
        default: group = "NULL::text"
        }
        // The per-night rollup that maintenance keeps from the ledger (migration 6).
        let sql = """
            SELECT n.night::text, \(group), n.currency, sum(n.bookings), sum(n.rooms)::text,
                   CASE WHEN sum(n.priced) > 0 THEN round(sum(n.revenue), 2)::text END
            FROM winkhook.rollup_nights n
            WHERE n.night >= $1::date AND n.night < $2::date AND ($3::text IS NULL OR n.webhook = $3)
            GROUP BY 1, 2, 3 HAVING sum(n.bookings) > 0
            ORDER BY 1, 2 NULLS LAST, 3 NULLS FIRST
            """
        let parameters = [from.description, to.description, webhook]
        try explain(sql, parameters)
        let result = try connection.execute(sql, parameters)
        return (0..<result.rowCount).compactMap { row in
            guard let text = result.value(row: row, column: 0), let time = Timestamp(iso8601: text) else { return nil }
            return NightTotal(
                night: CalendarDay(time), group: result.value(row: row, column: 1),
                currency: result.value(row: row, column: 2),
                bookings: result.value(row: row, column: 3).flatMap { Int($0) } ?? 0,
                rooms: result.value(row: row, column: 4) ?? "0", revenue: result.value(row: row, column: 5))
        }
    }

    /// Display names of properties and sales channels (`hotel.name`, `customization.name`) as up to
    /// `recent` deliveries of the last three days say, keyed by id. Ids not seen lately have none.
    public func dimensionNames(recent: Int = 5000) throws(PostgresError) -> [String: String] {
        let result = try connection.execute(
            """
            WITH recent AS (
                -- One body per property and channel is parsed (bodies are kept as text): the smallest,
                -- compared as bytes. The last few days' partitions only: ordering the whole table by time
                -- would read it all.
                SELECT property, channel, min(body COLLATE "C")::jsonb AS body
                FROM (
                    SELECT property, channel, body FROM winkhook.events
                    WHERE time > now() - interval '3 days' AND (property IS NOT NULL OR channel IS NOT NULL)
                      AND disposition = 'stored'
                    LIMIT $1::integer
                ) r
                GROUP BY property, channel
            )
            SELECT DISTINCT ON (id) id, name FROM (
                SELECT property AS id, coalesce(body #>> '{data,hotel,name}', body #>> '{hotel,name}') AS name FROM recent
                UNION ALL
                SELECT channel, coalesce(body #>> '{data,customization,name}', body #>> '{customization,name}') FROM recent
            ) x WHERE id IS NOT NULL AND name IS NOT NULL AND length(name) <= 120
            ORDER BY id
            """, [String(recent)])
        var names: [String: String] = [:]
        for row in 0..<result.rowCount {
            if let id = result.value(row: row, column: 0), let name = result.value(row: row, column: 1) {
                names[id] = name
            }
        }
        return names
    }

    /// Rows of (group, metric, currency, samples, total, minimum, maximum) as totals.
    private static func totals(_ result: PostgresResult) -> [MetricTotal] {
        (0..<result.rowCount).compactMap { row in
            guard let metric = result.value(row: row, column: 1), let total = result.value(row: row, column: 4)
            else { return nil }
            return MetricTotal(
                group: result.value(row: row, column: 0), metric: metric, currency: result.value(row: row, column: 2),
                samples: result.value(row: row, column: 3).flatMap { Int($0) } ?? 0, total: total,
                minimum: result.value(row: row, column: 5) ?? total, maximum: result.value(row: row, column: 6) ?? total
            )
        }
    }

    private func explain(_ sql: String, _ parameters: [String?]) throws(PostgresError) {
        guard explains else { return }
        let plan = try connection.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, parameters)
        plans.append((0..<plan.rowCount).compactMap { plan.value(row: $0, column: 0) }.joined(separator: "\n"))
    }

    /// Where maintenance stands.
    public func maintenanceState() throws(PostgresError) -> MaintenanceState {
        let result = try connection.execute(
            """
            SELECT CASE WHEN closed_before = '-infinity' THEN NULL
                        ELSE (extract(epoch FROM closed_before) * 1000000)::bigint END,
                   (extract(epoch FROM ran_at) * 1000000)::bigint
            FROM winkhook.maintenance
            """)
        func time(_ column: Int) -> Timestamp? {
            result.value(row: 0, column: column).flatMap { Int64($0) }.map { Timestamp(microseconds: $0) }
        }
        return MaintenanceState(closedBefore: time(0), ranAt: time(1))
    }

    /// The rollup and raw expressions of a grouping (fixed SQL fragments: nothing a caller typed).
    static func groupExpressions(_ grouping: Grouping) -> (rollup: String, raw: String) {
        switch grouping {
        case .hour:
            return (
                "to_char(r.bucket AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:00:00\"Z\"')",
                "to_char(date_trunc('hour', e.time) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:00:00\"Z\"')"
            )
        case .day: return ("r.day::text", "(e.time AT TIME ZONE 'UTC')::date::text")
        case .week:
            return (
                "date_trunc('week', r.day)::date::text",
                "date_trunc('week', (e.time AT TIME ZONE 'UTC')::date)::date::text"
            )
        case .month: return ("to_char(r.day, 'YYYY-MM')", "to_char(e.time AT TIME ZONE 'UTC', 'YYYY-MM')")
        case .property: return ("r.property", "e.property")
        case .channel: return ("r.channel", "e.channel")
        case .entity: return ("r.entity", "e.entity")
        case .currency: return ("r.currency", "m.currency")
        case .event: return ("r.event_key", "e.event_key")
        case .total: return ("NULL::text", "NULL::text")
        }
    }
}
