import WebhookCore

/// An archived delivery as `winkhook reprocess` reads it back.
public struct ArchivedEvent: Sendable {
    public var id: Int64
    public var time: Timestamp
    public var receivedAt: Timestamp
    public var webhook: String
    public var eventKey: EventKey
    public var stored: Bool
    /// The body as it arrived (as `jsonb` spelled it for bodies stored before schema version 8).
    public var body: [UInt8]
}

/// What reprocessing writes back for one row.
public struct Rederived: Sendable {
    public var event: ArchivedEvent
    public var delivery: Delivery

    public init(event: ArchivedEvent, delivery: Delivery) {
        self.event = event
        self.delivery = delivery
    }
}

/// Reads the raw archive in id order and writes re-derived dimensions, points and booking state back
/// (`winkhook reprocess`). Every rewritten row counts as new for the next maintenance pass, and the hour
/// it left is recomputed too, so rollups and the ledger follow.
public final class PostgresReprocessor {
    /// Which rows: event time in `[since, until)`, optionally one key, one webhook, one row id.
    public struct Selection: Sendable {
        public var since: Timestamp?
        public var until: Timestamp?
        public var key: String?
        public var webhook: String?
        /// One row (`winkhook deliveries replay ID`).
        public var id: Int64?

        public init(
            since: Timestamp? = nil, until: Timestamp? = nil, key: String? = nil, webhook: String? = nil,
            id: Int64? = nil
        ) {
            self.since = since
            self.until = until
            self.key = key
            self.webhook = webhook
            self.id = id
        }

        var parameters: [String?] {
            [since?.iso8601, until?.iso8601, key, webhook, id.map { String($0) }]
        }
    }

    private let connection: PostgresConnection

    public init(conninfo: String) throws(PostgresError) {
        connection = try PostgresConnection(conninfo: conninfo, statementTimeout: 600)
    }

    private static let filter = """
        ($1::timestamptz IS NULL OR time >= $1::timestamptz) AND ($2::timestamptz IS NULL OR time < $2::timestamptz)
          AND ($3::text IS NULL OR event_key = $3::text) AND ($4::text IS NULL OR webhook = $4::text)
          AND ($5::bigint IS NULL OR id = $5::bigint)
        """

    /// How many rows the selection holds.
    public func count(_ selection: Selection) throws(PostgresError) -> Int {
        try connection.execute(
            "SELECT count(*) FROM winkhook.events WHERE \(PostgresReprocessor.filter)", selection.parameters
        )
        .value(row: 0, column: 0).flatMap { Int($0) } ?? 0
    }

    /// Up to `limit` rows of the selection with an id above `after`, in id order.
    public func next(_ selection: Selection, after id: Int64, limit: Int) throws(PostgresError) -> [ArchivedEvent] {
        let result = try connection.execute(
            """
            SELECT id, (extract(epoch FROM time) * 1000000)::bigint, (extract(epoch FROM received_at) * 1000000)::bigint,
                   webhook, event_key, disposition, body
            FROM winkhook.events
            WHERE \(PostgresReprocessor.filter) AND id > $6::bigint
            ORDER BY id LIMIT $7::integer
            """, selection.parameters + [String(id), String(limit)])
        return (0..<result.rowCount).compactMap { row in
            guard let id = result.value(row: row, column: 0).flatMap({ Int64($0) }),
                let time = result.value(row: row, column: 1).flatMap({ Int64($0) }),
                let received = result.value(row: row, column: 2).flatMap({ Int64($0) }),
                let webhook = result.value(row: row, column: 3), let keyText = result.value(row: row, column: 4),
                let body = result.value(row: row, column: 6)
            else { return nil }
            return ArchivedEvent(
                id: id, time: Timestamp(microseconds: time), receivedAt: Timestamp(microseconds: received),
                webhook: webhook, eventKey: EventKey(keyText) ?? .unknown,
                stored: result.value(row: row, column: 5) == "stored", body: Array(body.utf8))
        }
    }

    /// Writes `rows` back in one statement; returns how many rows changed.
    @discardableResult
    public func write(_ rows: [Rederived]) throws(PostgresError) -> Int {
        guard !rows.isEmpty else { return 0 }
        let derived = rows.map { PostgresEventStore.rowParameters($0.delivery) }
        // The row's id and old time, then columns 10–30 of rowParameters: event time, dimensions, metrics,
        // booking state.
        let derivedColumns = 9..<PostgresEventStore.rowColumns.count
        let columns: [PostgresEventStore.UnnestColumn] =
            [("id", "bigint"), ("old_micros", "bigint")] + PostgresEventStore.rowColumns[derivedColumns]
        var parameters: [PostgresParameter] = [
            .text(ArrayLiteral.text(rows.map { String($0.event.id) })),
            .text(ArrayLiteral.text(rows.map { String($0.event.time.microseconds) })),
        ]
        for column in derivedColumns {
            parameters.append(
                PostgresEventStore.arrayParameter(
                    derived.map { $0[column] }, type: PostgresEventStore.rowColumns[column].type))
        }
        let result = try connection.execute(
            """
            WITH input AS (
                SELECT * FROM \(PostgresEventStore.unnest(columns))
            ), left_hours AS (
                INSERT INTO winkhook.rollup_pending
                SELECT DISTINCT date_trunc('hour', timestamptz 'epoch' + old_micros * interval '1 microsecond')
                FROM input
                ON CONFLICT DO NOTHING
            )
            UPDATE winkhook.events e SET
                time = timestamptz 'epoch' + i.time_micros * interval '1 microsecond', entity = i.entity,
                property = i.property, channel = i.channel, booking_id = i.booking_id, subject = i.subject,
                room_type = i.room_type, state = i.state,
                occurred_at = timestamptz 'epoch' + i.occurred_micros * interval '1 microsecond',
                metrics = i.metrics::text[], metric_values = i.metric_values::numeric[],
                metric_currencies = i.metric_currencies::text[], version = i.version, stay_start = i.stay_start,
                stay_end = i.stay_end, room_nights = i.room_nights, rooms = i.rooms, gross = i.gross, net = i.net,
                currency = i.currency, booked_at = timestamptz 'epoch' + i.booked_micros * interval '1 microsecond',
                xact = pg_current_xact_id()::text::bigint
            FROM input i
            WHERE e.id = i.id AND e.time = timestamptz 'epoch' + i.old_micros * interval '1 microsecond'
            """, parameters)
        return result.affectedRows
    }
}
