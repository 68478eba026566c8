import Clocks
import Glibc
import Scoreboard
import WebhookCore

/// A supervised worker's part in the pool's scoreboard: it counts each request into its slot, and
/// answers the `ping`, `status` and `metrics` paths (from allowed addresses) with the whole pool's
/// numbers. Status requests are not counted as deliveries.
public struct WorkerScoring {
    /// The paths and who may read them.
    public struct Pages: Sendable {
        public var ping: String
        public var status: String
        public var metrics: String
        public var allowFrom: [AddressRange]
        public init(ping: String, status: String, metrics: String, allowFrom: [AddressRange]) {
            self.ping = ping
            self.status = status
            self.metrics = metrics
            self.allowFrom = allowFrom
        }
    }

    let board: Scoreboard
    let slot: Int
    let pages: Pages?
    let slowMicroseconds: Int64
    let spool: () -> StatusPage.Spool
    private var webhookPlaces: [String: Int] = [:]

    /// The scoreboard named by `WINKHOOK_SCOREBOARD` (`FD:SLOT`, set by `winkhook serve`), if any.
    /// - Parameters:
    ///   - webhooks: the configured names, given their places in the shared table now.
    ///   - pages: `nil` when `[status]` is off.
    ///   - spool: looks at the spool for a status page.
    public init?(
        environment: [String: String], webhooks: [String], pages: Pages?, slowMilliseconds: Int,
        spool: @escaping () -> StatusPage.Spool
    ) {
        guard let value = environment["WINKHOOK_SCOREBOARD"] else { return nil }
        let parts = value.split(separator: ":")
        guard parts.count == 2, let fd = Int32(parts[0]), let slot = Int(parts[1]), slot >= 0,
            let board = Scoreboard.attach(fd)
        else { return nil }
        self.board = board
        self.slot = slot
        self.pages = pages
        self.slowMicroseconds = Int64(slowMilliseconds) * 1000
        self.spool = spool
        for name in webhooks { webhookPlaces[name] = board.webhookIndex(name) }
    }

    /// Marks the slot busy, from `clock` (monotonic µs).
    func started(clock: Int64) { board.requestStarted(slot: slot, clock: clock) }

    /// Counts an answered delivery request that took `microseconds` (monotonic), at `now` (wall clock).
    func finished(_ outcome: Outcome, microseconds: Int64, now: Int64) {
        let place = outcome.webhook.flatMap { webhookPlaces[$0] } ?? board.webhookIndex(nil)
        board.requestFinished(
            slot: slot, webhook: place, cause: WorkerScoring.cause(of: outcome.response),
            microseconds: microseconds, slowMicroseconds: slowMicroseconds, at: now, points: outcome.pointsStored)
    }

    /// Counts one write that stored `deliveries` deliveries of a group.
    func grouped(deliveries: Int) { board.groupStored(slot: slot, deliveries: deliveries) }

    /// Marks the slot idle without counting (a status page was served).
    func notCounted() { board.requestNotCounted(slot: slot) }

    /// The answer for a status path, or `nil` when `parameters` ask for something else.
    func page(for parameters: [(String, String)]) -> WebhookResponse? {
        guard let pages else { return nil }
        // Nearly every request is a delivery: its path is compared first, as bytes, and nothing else is
        // looked at (this runs for every request).
        let uri = WorkerScoring.value("REQUEST_URI", in: parameters)
        let bytes = uri.utf8
        let pathEnd = bytes.firstIndex(of: UInt8(ascii: "?")) ?? bytes.endIndex
        let pathBytes = bytes[..<pathEnd]
        guard
            pages.ping.utf8.elementsEqual(pathBytes) || pages.status.utf8.elementsEqual(pathBytes)
                || pages.metrics.utf8.elementsEqual(pathBytes)
        else { return nil }
        let path = String(uri[..<pathEnd])
        let query = pathEnd < bytes.endIndex ? String(uri[bytes.index(after: pathEnd)...]) : ""
        let remote = WorkerScoring.value("REMOTE_ADDR", in: parameters)
        let method = WorkerScoring.value("REQUEST_METHOD", in: parameters)
        guard pages.allowFrom.contains(where: { $0.contains(remote) }) else {
            return WebhookResponse(status: 403, body: #"{"ok":false,"error":"forbidden"}"#)
        }
        guard method == "GET" || method == "HEAD" else {
            return WebhookResponse(
                status: 405, headers: [("Allow", "GET, HEAD")], body: #"{"ok":false,"error":"method_not_allowed"}"#)
        }
        if path == pages.ping {
            return WebhookResponse(status: 200, headers: [("Content-Type", "text/plain")], body: "pong\n")
        }
        // The clocks are read only here, for a status page, not for every request.
        let now = SystemClock.wallMicros()
        let page = StatusPage(
            snapshot: board.snapshot(now: now, clock: SystemClock.monotonicMicros()), spool: spool(), now: now)
        if path == pages.metrics {
            return WebhookResponse(
                status: 200, headers: [("Content-Type", MetricsPage.contentType)], body: MetricsPage(page).text)
        }
        let json = query.split(separator: "&").contains { $0 == "json" || $0.hasPrefix("json=") }
        return json
            ? WebhookResponse(status: 200, headers: [("Content-Type", "application/json")], body: page.json)
            : WebhookResponse(status: 200, headers: [("Content-Type", "text/plain")], body: page.text)
    }

    /// The last value of parameter `name`, or "" (names compared by length first: most differ in it).
    private static func value(_ name: String, in parameters: [(String, String)]) -> String {
        let length = name.utf8.count
        return parameters.last { $0.0.utf8.count == length && $0.0 == name }?.1 ?? ""
    }

    /// The cause of an answer: its `Winkhook-Result`, or the error code in its body.
    static func cause(of response: WebhookResponse) -> Cause {
        if let result = response.headers.first(where: { $0.name == "Winkhook-Result" }) {
            return Cause(named: result.value)
        }
        let body = Array(response.body.utf8)
        let marker = Array(#""error":""#.utf8)
        guard body.count > marker.count else { return .other }
        for index in 0...(body.count - marker.count) where body[index..<index + marker.count].elementsEqual(marker) {
            let start = index + marker.count
            guard let end = body[start...].firstIndex(of: UInt8(ascii: "\"")) else { return .other }
            return Cause(named: String(decoding: body[start..<end], as: UTF8.self))
        }
        return .other
    }
}
