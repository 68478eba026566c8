import Glibc
import Logging
import WebhookCore

/// The `EventStore` on PostgreSQL through libpq.
///
/// One persistent connection, one prepared statement, one transaction per delivery: the de-duplication
/// row, the archive row and the points are written by a single statement, so `record` returns only
/// after COMMIT. A lost connection is re-established once and the write retried once; after that the
/// error is `.unavailable` (the caller answers 503). The connection is opened lazily, so a worker starts
/// even while PostgreSQL is down.
public final class PostgresEventStore: EventStore {
    private let conninfo: String
    private let logger: Logger
    private var connection: PostgresConnection?
    private var partitionsCheckedAt: Int64?

    /// Seconds between checks that partitions exist ahead.
    static let partitionCheckInterval: Int64 = 3600

    /// Creates a store for `conninfo` (libpq keyword string or URI).
    public init(conninfo: String, logger: Logger) {
        self.conninfo = conninfo
        self.logger = logger
    }

    /// Opens the connection now (workers call this at start so the first request does not pay for it).
    /// - Throws: `EventStoreError.unavailable` when PostgreSQL cannot be reached.
    public func connect() throws(EventStoreError) {
        _ = try withConnection { _ throws(PostgresError) in () }
    }

    public func record(_ delivery: Delivery) throws(EventStoreError) -> RecordResult {
        let parameters: [String?] = [
            delivery.webhook, delivery.dedupeKey, String(delivery.receivedAt.microseconds),
            delivery.eventKey.rawValue, delivery.sentKey, delivery.disposition.rawValue, delivery.bodySHA256,
            delivery.headers.jsonText, String(decoding: delivery.body, as: UTF8.self),
            PostgresEventStore.pointsJSON(delivery.points),
        ]
        let result = try withConnection { connection throws(PostgresError) in
            try connection.executePrepared("winkhook_record", sql: PostgresEventStore.recordSQL, parameters)
        }
        guard result.value(row: 0, column: 0) == "1" else { return .duplicate }
        return .inserted(points: result.value(row: 0, column: 1).flatMap { Int($0) } ?? 0)
    }

    public func recordRejected(_ rejected: RejectedDelivery) throws(EventStoreError) {
        let parameters: [String?] = [
            String(rejected.receivedAt.microseconds), rejected.webhook, rejected.reason, rejected.headers.jsonText,
            PostgresEventStore.hexBytea(rejected.body), rejected.dedupeKey,
        ]
        _ = try withConnection { connection throws(PostgresError) in
            try connection.executePrepared("winkhook_reject", sql: PostgresEventStore.rejectSQL, parameters)
        }
    }

    /// Runs `operation`, reconnecting once and retrying once when the connection is lost.
    private func withConnection<T>(_ operation: (PostgresConnection) throws(PostgresError) -> T)
        throws(EventStoreError) -> T
    {
        var lastError: PostgresError?
        for attempt in 0..<2 {
            do {
                let connection = try current(fresh: attempt > 0)
                return try operation(connection)
            } catch {
                if error.isDataError { throw EventStoreError(.invalidData, error.debugDescription) }
                guard error.isTransient else {
                    let hint = error.isMissingSchema ? " (has `winkhook migrate` been run on this database?)" : ""
                    throw EventStoreError(.failed, error.debugDescription + hint)
                }
                lastError = error
                if attempt == 0 {
                    logger.warning(
                        "PostgreSQL connection lost; reconnecting once",
                        metadata: ["error": "\(error.debugDescription)"])
                }
            }
        }
        connection = nil
        throw EventStoreError(.unavailable, lastError?.debugDescription ?? "PostgreSQL unavailable")
    }

    private func current(fresh: Bool) throws(PostgresError) -> PostgresConnection {
        if let connection, !fresh, connection.isHealthy {
            try maintainPartitions(connection)
            return connection
        }
        if let connection {
            try connection.reset()
            return connection
        }
        let opened = try PostgresConnection(conninfo: conninfo)
        connection = opened
        try maintainPartitions(opened)
        return opened
    }

    /// Keeps daily partitions a week ahead; hourly per worker. A failure here is logged, not fatal:
    /// the default partition takes the rows until the next check.
    private func maintainPartitions(_ connection: PostgresConnection) throws(PostgresError) {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        if let checked = partitionsCheckedAt, Int64(now.tv_sec) - checked < PostgresEventStore.partitionCheckInterval {
            return
        }
        partitionsCheckedAt = Int64(now.tv_sec)
        do {
            try PostgresMigrator.ensurePartitions(connection)
        } catch  where error.isTransient {
            throw error
        } catch {
            logger.warning("could not create partitions ahead", metadata: ["error": "\(error.debugDescription)"])
        }
    }

    static let recordSQL = """
        WITH d AS (
            INSERT INTO winkhook.dedupe (webhook, dedupe_key, received_at)
            VALUES ($1, $2, timestamptz 'epoch' + $3::bigint * interval '1 microsecond')
            ON CONFLICT DO NOTHING
            RETURNING received_at
        ), a AS (
            INSERT INTO winkhook.deliveries
                (received_at, webhook, event_key, sent_key, status, dedupe_key, body_sha256, headers, body)
            SELECT d.received_at, $1, $4, $5, $6, $2, $7, $8::jsonb, $9::jsonb FROM d
            RETURNING id, received_at
        ), p AS (
            INSERT INTO winkhook.points
                (time, metric, value, event_key, webhook, entity, property, channel, currency, booking_id,
                 occurred_at, delivery)
            SELECT a.received_at, x.metric, x.value, $4, $1, x.entity, x.property, x.channel, x.currency,
                   x.booking_id, x.occurred_at, a.id
            FROM a, jsonb_to_recordset($10::jsonb) AS x(
                metric text, value numeric, entity text, property text, channel text, currency text,
                booking_id text, occurred_at timestamptz)
            RETURNING 1
        )
        SELECT (SELECT count(*) FROM a), (SELECT count(*) FROM p)
        """

    static let rejectSQL = """
        INSERT INTO winkhook.rejected_deliveries (received_at, webhook, reason, headers, body, dedupe_key)
        VALUES (timestamptz 'epoch' + $1::bigint * interval '1 microsecond', $2, $3, $4::jsonb, $5::bytea, $6)
        ON CONFLICT (webhook, dedupe_key) DO NOTHING
        """

    /// The points as a JSON array for `jsonb_to_recordset`.
    static func pointsJSON(_ points: [MetricPoint]) -> String {
        JSONValue.array(
            points.map { point in
                var members: [String: JSONValue] = [
                    "metric": .string(point.metric), "value": .number(point.value.text),
                ]
                let optional: [(String, String?)] = [
                    ("entity", point.entity), ("property", point.property), ("channel", point.channel),
                    ("currency", point.currency), ("booking_id", point.bookingID),
                    ("occurred_at", point.occurredAt?.iso8601),
                ]
                for (name, value) in optional {
                    if let value { members[name] = .string(value) }
                }
                return .object(members)
            }
        ).jsonText
    }

    /// `\x…` hex text, bytea's text input form.
    static func hexBytea(_ bytes: [UInt8]) -> String {
        Hex.encode(bytes, prefix: "\\x")
    }
}
