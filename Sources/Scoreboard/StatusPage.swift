import WebhookCore

/// The pool's status as PHP-FPM shows it (`status`, and `status?json`), and its `ping` answer.
public struct StatusPage: Sendable {
    /// What the spool holds, looked at when the page is asked for.
    public struct Spool: Sendable {
        public var segments: Int
        public var bytes: Int
        /// Age of the oldest spooled delivery in seconds (how far the drainer is behind), 0 if empty.
        public var lagSeconds: Int
        public init(segments: Int, bytes: Int, lagSeconds: Int) {
            self.segments = segments
            self.bytes = bytes
            self.lagSeconds = lagSeconds
        }
    }

    public var snapshot: ScoreboardSnapshot
    public var spool: Spool
    /// Unix microseconds.
    public var now: Int64

    public init(snapshot: ScoreboardSnapshot, spool: Spool, now: Int64) {
        self.snapshot = snapshot
        self.spool = spool
        self.now = now
    }

    var uptimeSeconds: Int64 { max(0, (now - snapshot.startedAt) / 1_000_000) }

    var storage: String {
        switch snapshot.storageUp {
        case nil: "unknown (no write yet)"
        case true?: "up (last write taken \((now - snapshot.storageLastOK) / 1_000_000) s ago)"
        case false?: "down (last write failed \((now - snapshot.storageLastFailed) / 1_000_000) s ago)"
        }
    }

    /// `key: value` lines.
    public var text: String {
        let s = snapshot
        let lines: [(String, String)] = [
            ("pool", "winkhook"),
            ("start time", StatusPage.utc(s.startedAt)),
            ("start since", "\(uptimeSeconds)"),
            ("supervisor pid", "\(s.supervisor)"),
            ("accepted conn", "\(s.accepted)"),
            ("workers total", "\(s.workersTotal)"),
            ("active workers", "\(s.workersActive)"),
            ("idle workers", "\(s.workersIdle)"),
            ("max active workers", "\(s.maxActive)"),
            ("worker restarts", "\(s.restarts)"),
            ("slow requests", "\(s.slow)"),
            ("points stored", "\(s.pointsStored)"),
            ("postgresql", storage),
            ("postgresql errors", "\(s.storageErrors)"),
            ("spool segments", "\(spool.segments)"),
            ("spool bytes", "\(spool.bytes)"),
            ("drainer lag", "\(spool.lagSeconds) s"),
            ("answers by status", s.byStatus.map { "\($0.status)=\($0.count)" }.joined(separator: " ")),
            ("answers by cause", s.byCause.map { "\($0.cause.name)=\($0.count)" }.joined(separator: " ")),
        ]
        return lines.map { "\($0.0):" + String(repeating: " ", count: max(1, 20 - $0.0.count)) + $0.1 }
            .joined(separator: "\n") + "\n"
    }

    /// The same as one JSON object, with counts by webhook too.
    public var json: String {
        let s = snapshot
        var webhooks: [String: [(String, Int)]] = [:]
        var order: [String] = []
        for count in s.counts {
            let name = count.webhook ?? ""
            if webhooks[name] == nil { order.append(name) }
            webhooks[name, default: []].append((count.cause.name, count.value))
        }
        func object(_ pairs: [(String, Int)]) -> String {
            "{" + pairs.map { "\(StatusPage.quote($0.0)):\($0.1)" }.joined(separator: ",") + "}"
        }
        let storageState = s.storageUp.map { $0 ? "up" : "down" } ?? "unknown"
        let fields: [String] = [
            #""pool":"winkhook""#,
            #""start_time":\#(StatusPage.quote(StatusPage.utc(s.startedAt)))"#,
            #""start_since":\#(uptimeSeconds)"#,
            #""supervisor_pid":\#(s.supervisor)"#,
            #""accepted_conn":\#(s.accepted)"#,
            #""workers_total":\#(s.workersTotal)"#,
            #""active_workers":\#(s.workersActive)"#,
            #""idle_workers":\#(s.workersIdle)"#,
            #""max_active_workers":\#(s.maxActive)"#,
            #""worker_restarts":\#(s.restarts)"#,
            #""slow_requests":\#(s.slow)"#,
            #""points_stored":\#(s.pointsStored)"#,
            #""postgresql":\#(StatusPage.quote(storageState))"#,
            #""postgresql_errors":\#(s.storageErrors)"#,
            #""spool_segments":\#(spool.segments)"#,
            #""spool_bytes":\#(spool.bytes)"#,
            #""drainer_lag_seconds":\#(spool.lagSeconds)"#,
            #""by_status":\#(object(s.byStatus.map { (String($0.status), $0.count) }))"#,
            #""by_cause":\#(object(s.byCause.map { ($0.cause.name, $0.count) }))"#,
            #""by_webhook":{\#(order.map { "\(StatusPage.quote($0)):\(object(webhooks[$0] ?? []))" }.joined(separator: ","))}"#,
        ]
        return "{" + fields.joined(separator: ",") + "}\n"
    }

    /// A JSON string literal (the core's encoder).
    static func quote(_ text: String) -> String { JSONValue.string(text).jsonText }

    /// UTC to the second, `2026-12-03T06:40:00Z` (the core's ISO 8601, without its microseconds).
    static func utc(_ microseconds: Int64) -> String {
        let full = Timestamp(microseconds: microseconds).iso8601
        return full.count > 20 ? String(full.prefix(19)) + "Z" : full
    }
}
