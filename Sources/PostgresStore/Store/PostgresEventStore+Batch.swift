import WebhookCore

/// Many deliveries in one statement (the drainer's batches): the same three writes as `recordSQL`, over
/// arrays, so a batch is one round trip and one transaction.
extension PostgresEventStore {
    /// Deliveries per batch at most.
    public static let batchLimit = 500
    /// Body bytes per batch at most (a batch stops growing past this).
    public static let batchByteLimit = 8 << 20
    /// What a drainer's store should allow a batch (its `deadlineSeconds`): 500 deliveries or 8 MiB.
    public static let batchDeadlineSeconds = 60

    /// The columns of `rowParameters`, in its order, as the batch statements unnest them: a name and a
    /// type each (the batch sends one array per column).
    static let rowColumns: [UnnestColumn] = [
        ("webhook", "text"), ("dedupe_key", "text"), ("micros", "bigint"), ("event_key", "text"),
        ("sent_key", "text"), ("disposition", "text"), ("body_sha256", "text"), ("headers", "text"), ("body", "text"),
        ("time_micros", "bigint"), ("entity", "text"), ("property", "text"), ("channel", "text"),
        ("booking_id", "text"), ("subject", "text"), ("room_type", "text"), ("state", "text"),
        ("occurred_micros", "bigint"), ("metrics", "text"), ("metric_values", "text"), ("metric_currencies", "text"),
        ("version", "bigint"), ("stay_start", "date"), ("stay_end", "date"), ("room_nights", "numeric"),
        ("rooms", "numeric"), ("gross", "numeric"), ("net", "numeric"), ("currency", "text"),
        ("booked_micros", "bigint"),
    ]

    /// One array parameter per column of `rowParameters`, in its order.
    static func batchParameters(_ deliveries: [Delivery]) -> [PostgresParameter] {
        let rows = deliveries.map(rowParameters)
        return rowColumns.enumerated().map { column, spec in arrayParameter(rows.map { $0[column] }, type: spec.type) }
    }

    /// `values` as one array parameter of `type`: a `text[]` in binary form (bodies and headers are most
    /// of a batch), numbers and dates as array literals.
    static func arrayParameter(_ values: [PostgresParameter], type: String) -> PostgresParameter {
        type == "text" ? .binary(BinaryArray.text(values)) : .text(ArrayLiteral.text(values.map(\.textValue)))
    }

    /// `unnest($1::text[], $2::bigint[], …) AS u(webhook, micros, …)`: `columns` as the parameters of a
    /// statement, in order.
    static func unnest(_ columns: [UnnestColumn]) -> String {
        let arrays = columns.enumerated().map { "$\($0 + 1)::\($1.type)[]" }.joined(separator: ", ")
        return "unnest(\(arrays)) AS u(\(columns.map(\.name).joined(separator: ", ")))"
    }

    /// A column of an `unnest`: its name and its element type.
    typealias UnnestColumn = (name: String, type: String)

    /// `recordSQL` over arrays: unnest the columns, de-duplicate against the table, write the rows that
    /// are new, and return `(webhook, dedupe_key, metrics)` for each.
    static let batchSQL = """
        WITH input AS (
            SELECT * FROM \(unnest(rowColumns))
        ), d AS (
            INSERT INTO winkhook.dedupe (webhook, dedupe_key, received_at)
            SELECT webhook, dedupe_key, timestamptz 'epoch' + micros * interval '1 microsecond' FROM input
            ON CONFLICT DO NOTHING
            RETURNING webhook, dedupe_key, received_at
        ), e AS (
            INSERT INTO winkhook.events (\(eventColumns))
            SELECT timestamptz 'epoch' + i.time_micros * interval '1 microsecond', d.received_at, i.webhook,
                   i.event_key, i.sent_key, i.disposition, i.dedupe_key, i.body_sha256, i.entity, i.property,
                   i.channel, i.booking_id, i.subject, i.room_type, i.state,
                   timestamptz 'epoch' + i.occurred_micros * interval '1 microsecond', i.metrics::text[],
                   i.metric_values::numeric[], i.metric_currencies::text[], i.version, i.stay_start, i.stay_end,
                   i.room_nights, i.rooms, i.gross, i.net, i.currency,
                   timestamptz 'epoch' + i.booked_micros * interval '1 microsecond', i.headers::jsonb, i.body
            FROM d JOIN input i USING (webhook, dedupe_key)
            RETURNING webhook, dedupe_key, cardinality(metrics) AS n
        ), s AS (
            SELECT set_config('synchronous_commit', 'on', true) AS setting
        )
        SELECT e.webhook, e.dedupe_key, e.n FROM e CROSS JOIN s
        """

}

/// PostgreSQL's array input syntax for text elements: `{"a","b\"c",NULL}`.
enum ArrayLiteral {
    static func text(_ elements: [String?]) -> String {
        // Written into the string's own storage, sized for the worst case (every byte escaped): this runs
        // three times for every delivery.
        let capacity = elements.reduce(2) { $0 + 2 * ($1?.utf8.count ?? 4) + 3 }
        return String(unsafeUninitializedCapacity: capacity) { out in
            var at = 0
            func put(_ byte: UInt8) {
                out[at] = byte
                at += 1
            }
            put(UInt8(ascii: "{"))
            for (index, element) in elements.enumerated() {
                if index > 0 { put(UInt8(ascii: ",")) }
                guard var element else {
                    for byte in "NULL".utf8 { put(byte) }
                    continue
                }
                put(UInt8(ascii: "\""))
                element.withUTF8 { bytes in
                    for byte in bytes {
                        if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { put(UInt8(ascii: "\\")) }
                        put(byte)
                    }
                }
                put(UInt8(ascii: "\""))
            }
            put(UInt8(ascii: "}"))
            return at
        }
    }
}
