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

    /// One array parameter per column, in `batchSQL`'s order.
    static func batchParameters(_ deliveries: [Delivery]) -> [String?] {
        let columns: [(Delivery) -> String?] = [
            { $0.webhook }, { $0.dedupeKey }, { String($0.receivedAt.microseconds) }, { $0.eventKey.rawValue },
            { $0.sentKey }, { $0.disposition.rawValue }, { $0.bodySHA256 }, { $0.headers.jsonText },
            { String(decoding: $0.body, as: UTF8.self) }, { pointsJSON($0.points) },
        ]
        return columns.map { column in ArrayLiteral.text(deliveries.map(column)) }
    }

    static let batchSQL = """
        WITH input AS (
            SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[],
                                 $7::text[], $8::text[], $9::text[], $10::text[])
                AS u(webhook, dedupe_key, micros, event_key, sent_key, status, body_sha256, headers, body, points)
        ), d AS (
            INSERT INTO winkhook.dedupe (webhook, dedupe_key, received_at)
            SELECT webhook, dedupe_key, timestamptz 'epoch' + micros * interval '1 microsecond' FROM input
            ON CONFLICT DO NOTHING
            RETURNING webhook, dedupe_key, received_at
        ), a AS (
            INSERT INTO winkhook.deliveries
                (received_at, webhook, event_key, sent_key, status, dedupe_key, body_sha256, headers, body)
            SELECT d.received_at, i.webhook, i.event_key, i.sent_key, i.status, i.dedupe_key, i.body_sha256,
                   i.headers::jsonb, i.body::jsonb
            FROM d JOIN input i USING (webhook, dedupe_key)
            RETURNING id, received_at, webhook, dedupe_key, event_key
        ), p AS (
            INSERT INTO winkhook.points
                (time, metric, value, event_key, webhook, entity, property, channel, currency, booking_id,
                 occurred_at, delivery)
            SELECT a.received_at, x.metric, x.value, a.event_key, a.webhook, x.entity, x.property, x.channel,
                   x.currency, x.booking_id, x.occurred_at, a.id
            FROM a JOIN input i USING (webhook, dedupe_key), jsonb_to_recordset(i.points::jsonb) AS x(
                metric text, value numeric, entity text, property text, channel text, currency text,
                booking_id text, occurred_at timestamptz)
            RETURNING delivery
        ), s AS (
            SELECT set_config('synchronous_commit', 'on', true) AS setting
        )
        SELECT a.webhook, a.dedupe_key, coalesce(c.points, 0)
        FROM a LEFT JOIN (SELECT delivery, count(*) AS points FROM p GROUP BY delivery) c ON c.delivery = a.id
        CROSS JOIN s
        """
}

/// PostgreSQL's array input syntax for text elements: `{"a","b\"c",NULL}`.
enum ArrayLiteral {
    static func text(_ elements: [String?]) -> String {
        var out: [UInt8] = [UInt8(ascii: "{")]
        out.reserveCapacity(elements.reduce(2) { $0 + ($1?.utf8.count ?? 4) + 3 })
        for (index, element) in elements.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            guard let element else {
                out += Array("NULL".utf8)
                continue
            }
            out.append(UInt8(ascii: "\""))
            for byte in element.utf8 {
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { out.append(UInt8(ascii: "\\")) }
                out.append(byte)
            }
            out.append(UInt8(ascii: "\""))
        }
        out.append(UInt8(ascii: "}"))
        return String(decoding: out, as: UTF8.self)
    }
}
