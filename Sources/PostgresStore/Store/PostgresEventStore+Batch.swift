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

    /// The type of each column of `rowParameters`, in its order: the batch sends one array of each.
    static let batchColumnTypes = [
        "text", "text", "bigint", "text", "text", "text", "text", "text", "text", "bigint", "text", "text", "text",
        "text", "text", "text", "text", "bigint", "text", "text", "text", "bigint", "date", "date", "numeric",
        "numeric", "numeric", "numeric", "text", "bigint",
    ]

    /// One array parameter per column of `rowParameters`, in its order: `text[]` in binary form (bodies
    /// and headers are most of a batch), the numbers and dates as array literals.
    static func batchParameters(_ deliveries: [Delivery]) -> [PostgresParameter] {
        let rows = deliveries.map(rowParameters)
        return batchColumnTypes.enumerated().map { column, type in
            let values = rows.map { $0[column] }
            return type == "text"
                ? .binary(BinaryArray.text(values)) : .text(ArrayLiteral.text(values.map(\.textValue)))
        }
    }

    /// `recordSQL` over arrays: unnest the columns, de-duplicate against the table, write the rows that
    /// are new, and return `(webhook, dedupe_key, metrics)` for each.
    static let batchSQL = """
        WITH input AS (
            SELECT * FROM unnest(\(batchArrays))
                AS u(webhook, dedupe_key, micros, event_key, sent_key, disposition, body_sha256, headers, body,
                     time_micros, entity, property, channel, booking_id, subject, room_type, state, occurred_micros,
                     metrics, metric_values, metric_currencies, version, stay_start, stay_end, room_nights, rooms,
                     gross, net, currency, booked_micros)
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

    /// `$1::text[], $2::text[], $3::bigint[], …`: the batch's parameters, typed.
    private static var batchArrays: String {
        batchColumnTypes.enumerated().map { "$\($0 + 1)::\($1)[]" }.joined(separator: ", ")
    }
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
