/// `/metrics` in Prometheus's text exposition format (0.0.4), summed over every worker of the pool.
///
/// Not swift-prometheus: its registry lives in one process and its histograms can only be fed
/// observations, while here every worker counts into shared memory and any of them renders the
/// pool's totals, buckets included, at scrape time.
public struct MetricsPage: Sendable {
    public var page: StatusPage

    public init(_ page: StatusPage) { self.page = page }

    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    public var text: String {
        let s = page.snapshot
        var out = ""
        func family(_ name: String, _ type: String, _ help: String) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
        }
        func sample(_ name: String, _ labels: [(String, String)], _ value: String) {
            let rendered = "{" + labels.map { "\($0.0)=\(MetricsPage.label($0.1))" }.joined(separator: ",") + "}"
            out += "\(name)\(rendered) \(value)\n"
        }
        func plain(_ name: String, _ value: String) { out += "\(name) \(value)\n" }
        func single(_ name: String, _ type: String, _ help: String, _ value: String) {
            family(name, type, help)
            plain(name, value)
        }

        family(
            "winkhook_requests_total", "counter",
            "Requests answered, by webhook (empty: none matched), status and cause.")
        for count in s.counts {
            sample(
                "winkhook_requests_total",
                [
                    ("webhook", count.webhook ?? ""), ("status", count.cause.status.map(String.init) ?? "other"),
                    ("cause", count.cause.name),
                ], "\(count.value)")
        }
        family("winkhook_request_duration_seconds", "histogram", "Time from a request's acceptance to its answer.")
        var cumulative = 0
        for (index, bound) in ScoreboardSnapshot.bucketBounds.enumerated() {
            cumulative += s.buckets[index]
            sample("winkhook_request_duration_seconds_bucket", [("le", MetricsPage.number(bound))], "\(cumulative)")
        }
        cumulative += s.buckets[s.buckets.count - 1]
        sample("winkhook_request_duration_seconds_bucket", [("le", "+Inf")], "\(cumulative)")
        plain(
            "winkhook_request_duration_seconds_sum", MetricsPage.number(Double(s.durationSumMicroseconds) / 1_000_000))
        plain("winkhook_request_duration_seconds_count", "\(cumulative)")
        single(
            "winkhook_points_stored_total", "counter", "Time-series points written to PostgreSQL by the workers.",
            "\(s.pointsStored)")
        single(
            "winkhook_group_writes_total", "counter",
            "Writes that stored the deliveries of two or more queued requests together (one PostgreSQL transaction or spool flush; one by one when that failed).",
            "\(s.groupStores)")
        single(
            "winkhook_group_deliveries_total", "counter",
            "The deliveries of those groups (divided by the writes: deliveries per group).", "\(s.groupDeliveries)")
        single(
            "winkhook_slow_requests_total", "counter", "Requests that took longer than [status] slow_ms.", "\(s.slow)")
        family("winkhook_workers", "gauge", "Worker processes by state.")
        sample("winkhook_workers", [("state", "active")], "\(s.workersActive)")
        sample("winkhook_workers", [("state", "idle")], "\(s.workersIdle)")
        single("winkhook_worker_restarts_total", "counter", "Workers that died and were replaced.", "\(s.restarts)")
        single(
            "winkhook_postgres_errors_total", "counter", "Writes PostgreSQL failed (spooled or answered 503).",
            "\(s.storageErrors)")
        single(
            "winkhook_postgres_up", "gauge", "1 if the last write a worker tried was taken, 0 if it failed.",
            s.storageUp.map { $0 ? "1" : "0" } ?? "NaN")
        single("winkhook_spool_bytes", "gauge", "Bytes of deliveries waiting in the spool.", "\(page.spool.bytes)")
        single("winkhook_spool_segments", "gauge", "Spool segments waiting for the drainer.", "\(page.spool.segments)")
        single("winkhook_spool_lag_seconds", "gauge", "Age of the oldest spooled delivery.", "\(page.spool.lagSeconds)")
        single(
            "winkhook_start_time_seconds", "gauge", "When winkhook serve started (unix time).",
            "\(s.startedAt / 1_000_000)")
        return out
    }

    /// A label value, quoted and escaped as the format asks.
    static func label(_ value: String) -> String {
        var out = "\""
        for character in value {
            switch character {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(character)
            }
        }
        return out + "\""
    }

    /// `0.005`, `1`, `2.5`: the shortest spelling.
    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : "\(value)"
    }
}
