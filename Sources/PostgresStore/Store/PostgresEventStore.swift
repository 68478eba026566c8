import Clocks
import Glibc
import Logging
import WebhookCore

/// The `EventStore` on PostgreSQL through libpq.
///
/// One persistent connection, one prepared statement, one transaction per delivery: the de-duplication
/// row, the archive row and the points are written by a single statement, so `record` returns only
/// after COMMIT. A lost connection is re-established once and the write retried once, within the
/// request's deadline; after that the error is `.unavailable` (the caller spools or answers 503), and a
/// breaker keeps the next requests from trying again until a back-off (1 s doubling to 10 s) has passed.
/// The connection is opened lazily, so a worker starts even while PostgreSQL is down.
public final class PostgresEventStore: EventStore {
    /// How the store talks to PostgreSQL.
    public struct Options: Sendable {
        /// Seconds a delivery may take from receipt to COMMIT; past it the statement is cancelled.
        public var deadlineSeconds: Int
        /// Named prepared statements (off behind a transaction-pooling PgBouncer before 1.21; detected
        /// and switched off by itself when the server loses one).
        public var preparedStatements: Bool

        /// Whether the deadline counts from the delivery's receipt (the request path) or from the start of
        /// the write (the drainer, whose deliveries may be hours old).
        public var deadlineFromReceipt: Bool

        /// A file whose modification time says when partitions were last made ahead, shared by processes
        /// that each live for one request (CGI): the check then runs once an hour, not on every connection.
        public var partitionStamp: String?

        /// Whether the session is set to UTC; a one-statement CGI session skips it (the write needs none).
        public var utcSession = true

        /// The defaults: 10 s from receipt, prepared statements on.
        public init(
            deadlineSeconds: Int = 10, preparedStatements: Bool = true, deadlineFromReceipt: Bool = true,
            partitionStamp: String? = nil
        ) {
            self.deadlineSeconds = deadlineSeconds
            self.preparedStatements = preparedStatements
            self.deadlineFromReceipt = deadlineFromReceipt
            self.partitionStamp = partitionStamp
        }
    }

    private let conninfo: String
    private let logger: Logger
    private let options: Options
    private var connection: PostgresConnection?
    private var partitionsCheckedAt: Int64?
    private var breaker = Breaker()
    private var warnedAboutPooler = false
    /// Whether the last batch held deliveries already stored (the next one is then checked key by key).
    private var lastBatchHadRepeats = false

    /// Seconds between checks that partitions exist ahead.
    static let partitionCheckInterval: Int64 = 3600

    /// Creates a store for `conninfo` (libpq keyword string or URI).
    public init(conninfo: String, logger: Logger, options: Options = Options()) {
        self.conninfo = conninfo
        self.logger = logger
        self.options = options
    }

    /// Opens the connection now (workers call this at start so the first request does not pay for it).
    /// - Throws: `EventStoreError.unavailable` when PostgreSQL cannot be reached.
    public func connect() throws(EventStoreError) {
        _ = try withConnection(deadline: Deadline(secondsFromNow: Double(options.deadlineSeconds))) {
            _ throws(PostgresError) in
        }
    }

    public func record(_ delivery: Delivery) throws(EventStoreError) -> RecordResult {
        let parameters = PostgresEventStore.rowParameters(delivery)
        let limit = deadline(since: delivery.receivedAt)
        let result = try withConnection(deadline: limit) { connection throws(PostgresError) in
            // Behind a pooler the session's `SET synchronous_commit` may hold on another server connection:
            // the statement then sets it for its own transaction (not needed, so not paid, otherwise).
            connection.usesPreparedStatements
                ? try connection.executePrepared(
                    "winkhook_record", sql: PostgresEventStore.recordSQL, parameters, deadline: limit)
                : try connection.execute(PostgresEventStore.pooledRecordSQL, parameters, deadline: limit)
        }
        guard result.value(row: 0, column: 0) == "1" else { return .duplicate }
        return .inserted(points: result.value(row: 0, column: 1).flatMap { Int($0) } ?? 0)
    }

    public func recordBatch(_ deliveries: [Delivery]) throws(EventStoreError) -> [RecordResult] {
        guard deliveries.count > 1 else { return try deliveries.map { (d) throws(EventStoreError) in try record(d) } }
        // The first of several deliveries with one key in a batch is the one stored.
        var seen = Set<DeliveryKey>(minimumCapacity: deliveries.count)
        var slots: [Int?] = []  // each delivery's place in `unique`; `nil` for a repeat
        slots.reserveCapacity(deliveries.count)
        var places = 0
        for delivery in deliveries {
            let first = seen.insert(DeliveryKey(delivery)).inserted
            slots.append(first ? places : nil)
            if first { places += 1 }
        }
        let unique =
            places == deliveries.count ? deliveries : zip(deliveries, slots).compactMap { $1 == nil ? nil : $0 }
        // Requests served together (group commit): the deadline of the one received first.
        let earliest = unique.min { $0.receivedAt.microseconds < $1.receivedAt.microseconds }
        let limit =
            earliest.map { deadline(since: $0.receivedAt) } ?? Deadline(secondsFromNow: Double(options.deadlineSeconds))
        let expectNew = !lastBatchHadRepeats
        let stored = try withConnection(deadline: limit) { connection throws(PostgresError) in
            unique.count < PostgresEventStore.copyFrom
                ? try PostgresEventStore.writeGroup(unique, on: connection, deadline: limit)
                : try PostgresEventStore.writeBatch(unique, on: connection, deadline: limit, expectNew: expectNew)
        }
        // Keys already stored come in runs (a segment drained again): look them up first until a batch
        // has none.
        lastBatchHadRepeats = stored.contains(false)
        return deliveries.indices.map { index in
            slots[index].map { stored[$0] } == true ? .inserted(points: deliveries[index].points.count) : .duplicate
        }
    }

    public func recordRejected(_ rejected: RejectedDelivery) throws(EventStoreError) {
        let parameters: [String?] = [
            String(rejected.receivedAt.microseconds), rejected.webhook, rejected.reason, rejected.headers.jsonText,
            PostgresEventStore.hexBytea(rejected.body), rejected.dedupeKey,
        ]
        let limit = deadline(since: rejected.receivedAt)
        _ = try withConnection(deadline: limit) { connection throws(PostgresError) in
            try connection.executePrepared(
                "winkhook_reject", sql: PostgresEventStore.rejectSQL, parameters, deadline: limit)
        }
    }

    /// The deadline of a delivery received at `receivedAt` (wall clock): `deadlineSeconds` after it.
    private func deadline(since receivedAt: Timestamp) -> Deadline {
        guard options.deadlineFromReceipt else { return Deadline(secondsFromNow: Double(options.deadlineSeconds)) }
        let elapsed = SystemClock.wallMicros() - receivedAt.microseconds
        let budget = Int64(options.deadlineSeconds) * 1_000_000
        return Deadline(micros: SystemClock.monotonicMicros() + max(budget / 10, budget - max(0, elapsed)))
    }

    /// Runs `operation`, reconnecting once and retrying once when the connection is lost, while the
    /// deadline allows. While the breaker is open nothing is tried.
    private func withConnection<T>(
        deadline: Deadline, _ operation: (PostgresConnection) throws(PostgresError) -> T
    ) throws(EventStoreError) -> T {
        if let wait = breaker.refusal() {
            throw EventStoreError(
                .unavailable, "PostgreSQL was unavailable moments ago; next try in \(wait) ms (no connection tried)")
        }
        var lastError: PostgresError?
        let wasConnected = connection?.isHealthy == true
        for attempt in 0..<2 {
            do {
                let connection = try current(fresh: attempt > 0, deadline: deadline)
                let value = try operation(connection)
                noticePooler(connection)
                breaker.succeeded()
                return value
            } catch {
                if error.isDataError { throw EventStoreError(.invalidData, error.debugDescription) }
                guard error.isTransient else {
                    let hint = error.isMissingSchema ? " (has `winkhook migrate` been run on this database?)" : ""
                    throw EventStoreError(.failed, error.debugDescription + hint)
                }
                lastError = error
                // A connection that could not be made now will not be made a moment later either.
                if error.kind == .timeout || deadline.hasPassed || !wasConnected { break }
                if attempt == 0 {
                    logger.warning(
                        "PostgreSQL connection lost; reconnecting once",
                        metadata: ["error": "\(error.debugDescription)"])
                }
            }
        }
        if let connection, !connection.isHealthy { self.connection = nil }
        breaker.failed()
        throw EventStoreError(.unavailable, lastError?.debugDescription ?? "PostgreSQL unavailable")
    }

    private func noticePooler(_ connection: PostgresConnection) {
        guard connection.detectedPooler, !warnedAboutPooler else { return }
        warnedAboutPooler = true
        logger.warning(
            """
            the server lost a prepared statement (a transaction-pooling PgBouncer?); statements are sent \
            unnamed from now on: set [database] prepared_statements = false to say so
            """)
    }

    private func current(fresh: Bool, deadline: Deadline) throws(PostgresError) -> PostgresConnection {
        if let connection, !fresh, connection.isHealthy {
            connection.defaultDeadline = deadline
            try maintainPartitions(connection)
            return connection
        }
        if let connection {
            connection.defaultDeadline = deadline
            try connection.reset()
            return connection
        }
        // libpq's connect_timeout counts per address and is at least 2 s: a third of the deadline, at most 3 s.
        let opened = try PostgresConnection(
            conninfo: conninfo, preparedStatements: options.preparedStatements,
            statementTimeout: options.deadlineSeconds, connectTimeout: max(2, min(3, options.deadlineSeconds / 3)),
            deadline: deadline, utcSession: options.utcSession)
        connection = opened
        try maintainPartitions(opened)
        return opened
    }

    /// Keeps daily partitions a week ahead; hourly per worker. A failure here is logged, not fatal:
    /// the default partition takes the rows until the next check.
    private func maintainPartitions(_ connection: PostgresConnection) throws(PostgresError) {
        let now = SystemClock.monotonicMicros() / 1_000_000
        if let checked = partitionsCheckedAt, now - checked < PostgresEventStore.partitionCheckInterval {
            return
        }
        partitionsCheckedAt = now
        if let stamp = options.partitionStamp, PostgresEventStore.isRecent(stamp) { return }
        do {
            try PostgresMigrator.ensurePartitions(connection)
            if let stamp = options.partitionStamp { PostgresEventStore.touch(stamp) }
        } catch  where error.isTransient {
            throw error
        } catch {
            logger.warning("could not create partitions ahead", metadata: ["error": "\(error.debugDescription)"])
        }
    }

    /// Whether `path` was modified less than `partitionCheckInterval` ago.
    private static func isRecent(_ path: String) -> Bool {
        var info = stat()
        let wall = SystemClock.wallMicros() / 1_000_000
        guard stat(path, &info) == 0 else { return false }
        let age = wall - Int64(info.st_mtim.tv_sec)
        return age >= 0 && age < partitionCheckInterval
    }

    /// Creates `path` or sets its modification time to now (best effort: without it the check runs again).
    private static func touch(_ path: String) {
        let fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return }
        futimens(fd, nil)
        close(fd)
    }

    static let recordSQL =
        recordCTEs + """

            SELECT (SELECT count(*) FROM e), coalesce((SELECT sum(n) FROM e), 0)
            """

    /// `recordSQL` that also makes its own transaction's commit synchronous (for poolers).
    static let pooledRecordSQL =
        recordCTEs + """
            , s AS (
                SELECT set_config('synchronous_commit', 'on', true)
            )
            SELECT (SELECT count(*) FROM e), coalesce((SELECT sum(n) FROM e), 0), (SELECT count(*) FROM s)
            """

    /// Two rows per delivery, both without a B-tree of their own but the de-duplication key: the
    /// `dedupe` row and the `events` row (archive and facts). Parameters: `rowParameters`.
    private static let recordCTEs = """
        WITH d AS (
            INSERT INTO winkhook.dedupe (webhook, dedupe_key, received_at)
            VALUES ($1, $2, timestamptz 'epoch' + $3::bigint * interval '1 microsecond')
            ON CONFLICT DO NOTHING
            RETURNING received_at
        ), e AS (
            INSERT INTO winkhook.events (\(eventColumns))
            SELECT timestamptz 'epoch' + $10::bigint * interval '1 microsecond', d.received_at, $1, $4, $5, $6, $2,
                   $7, $11, $12, $13, $14, $15, $16, $17,
                   timestamptz 'epoch' + $18::bigint * interval '1 microsecond', $19::text[], $20::numeric[],
                   $21::text[], $22::bigint, $23::date, $24::date, $25::numeric, $26::numeric, $27::numeric,
                   $28::numeric, $29, timestamptz 'epoch' + $30::bigint * interval '1 microsecond', $8::jsonb, $9::text
            FROM d
            RETURNING cardinality(metrics) AS n
        )
        """

    /// The columns of `winkhook.events` a delivery writes, in the order of `rowParameters` as the
    /// statements use them.
    static let eventColumns = """
        time, received_at, webhook, event_key, sent_key, disposition, dedupe_key, body_sha256, entity, property,
                channel, booking_id, subject, room_type, state, occurred_at, metrics, metric_values,
                metric_currencies, version, stay_start, stay_end, room_nights, rooms, gross, net, currency, booked_at,
                headers, body
        """

    /// The 30 parameters of one delivery: $1 webhook, $2 dedupe key, $3 receipt (µs), $4 event key, $5 sent
    /// key, $6 disposition, $7 body SHA-256, $8 headers, $9 body, $10 event time (µs), $11–$17 dimensions,
    /// $18 occurred (µs), $19–$21 metric arrays, $22–$30 the booking's state. All text but the body, which
    /// goes as its own bytes (a text's binary form): the server refuses a NUL or invalid UTF-8 in it
    /// instead of cutting it short.
    static func rowParameters(_ delivery: Delivery) -> [PostgresParameter] {
        let d = delivery.dimensions
        let b = delivery.booking
        typealias P = PostgresParameter
        return [
            .text(delivery.webhook), .text(delivery.dedupeKey), .text(String(delivery.receivedAt.microseconds)),
            .text(delivery.eventKey.rawValue), P(delivery.sentKey), .text(delivery.disposition.rawValue),
            .text(delivery.bodySHA256), .text(delivery.headersJSON), .binary(delivery.body),
            .text(String(delivery.eventTime.microseconds)), P(d.entity), P(d.property), P(d.channel), P(d.bookingID),
            P(d.subject), P(d.roomType), P(d.status), P(d.occurredAt.map { String($0.microseconds) }),
            .text(ArrayLiteral.text(delivery.points.map(\.metric))),
            .text(ArrayLiteral.text(delivery.points.map(\.value.text))),
            .text(ArrayLiteral.text(delivery.points.map(\.currency))), P(b?.version.map(String.init)),
            P(b?.stayStart?.description), P(b?.stayEnd?.description), P(b?.roomNights?.text), P(b?.rooms?.text),
            P(b?.gross?.text), P(b?.net?.text), P(b?.currency), P(b?.bookedAt.map { String($0.microseconds) }),
        ]
    }

    static let rejectSQL = """
        INSERT INTO winkhook.rejected_deliveries (received_at, webhook, reason, headers, body, dedupe_key)
        VALUES (timestamptz 'epoch' + $1::bigint * interval '1 microsecond', $2, $3, $4::jsonb, $5::bytea, $6)
        ON CONFLICT (webhook, dedupe_key) DO NOTHING
        """

    /// `\x…` hex text, bytea's text input form.
    static func hexBytea(_ bytes: [UInt8]) -> String {
        Hex.encode(bytes, prefix: "\\x")
    }
}
