import WebhookCore

/// One archived delivery in a listing.
public struct DeliverySummary: Sendable, Equatable {
    public var id: Int64
    public var receivedAt: Timestamp
    public var webhook: String
    public var eventKey: String
    /// The key as the sender spelled it, where it differed.
    public var sentKey: String?
    /// `stored` or `ignored` (a key the webhook does not subscribe to).
    public var disposition: String
    public var dedupeKey: String
    /// Points derived from it.
    public var points: Int
    public var bodyBytes: Int
}

/// One archived delivery in full: what arrived (headers without credentials, body) and what it became.
public struct DeliveryRecord: Sendable {
    public var summary: DeliverySummary
    public var time: Timestamp
    public var bodySHA256: String
    /// The archived headers as JSON text (credentials were never archived, URL tokens masked).
    public var headers: String
    /// The body, indented (jsonb keeps the values; spacing and member order are PostgreSQL's).
    public var body: String
    /// Metric, value, currency of each point.
    public var points: [(metric: String, value: String, currency: String?)]
    public var dimensions: [(name: String, value: String)]
}

/// The archive, read for `winkhook deliveries`: what arrived, newest first.
public final class DeliveryReader {
    private let connection: PostgresConnection

    public init(conninfo: String) throws(PostgresError) {
        connection = try PostgresConnection(conninfo: conninfo, statementTimeout: 120)
    }

    private static let columns = """
        id, (extract(epoch FROM received_at) * 1000000)::bigint, webhook, event_key, sent_key, disposition, dedupe_key,
        cardinality(metrics), octet_length(body)
        """

    /// Up to `limit` deliveries received since `since`, newest first, optionally of one webhook and key.
    public func list(since: Timestamp, webhook: String?, key: String?, limit: Int) throws(PostgresError)
        -> [DeliverySummary]
    {
        let result = try connection.execute(
            """
            SELECT \(DeliveryReader.columns)
            FROM winkhook.events
            WHERE time >= $1::timestamptz - interval '30 days' AND received_at >= $1::timestamptz
              AND ($2::text IS NULL OR webhook = $2) AND ($3::text IS NULL OR event_key = $3)
            ORDER BY received_at DESC, id DESC LIMIT $4::integer
            """, [since.iso8601, webhook, key, String(limit)])
        return (0..<result.rowCount).compactMap { DeliveryReader.summary(result, row: $0) }
    }

    /// The delivery with row id `id`.
    public func show(id: Int64) throws(PostgresError) -> DeliveryRecord? {
        let result = try connection.execute(
            """
            SELECT \(DeliveryReader.columns), (extract(epoch FROM time) * 1000000)::bigint, body_sha256,
                   headers::text, jsonb_pretty(body::jsonb), array_to_json(metrics)::text,
                   array_to_json(metric_values::text[])::text, array_to_json(metric_currencies)::text,
                   json_build_object('entity', entity, 'property', property, 'channel', channel,
                                     'booking_id', booking_id, 'subject', subject, 'room_type', room_type,
                                     'state', state)::text
            FROM winkhook.events WHERE id = $1::bigint
            """, [String(id)])
        guard result.rowCount == 1, let summary = DeliveryReader.summary(result, row: 0),
            let time = result.value(row: 0, column: 9).flatMap({ Int64($0) })
        else { return nil }
        func strings(_ column: Int) -> [String?] {
            guard let text = result.value(row: 0, column: column),
                case .array(let items)? = try? JSONParser.parse(Array(text.utf8))
            else { return [] }
            return items.map { $0.scalarText }
        }
        let metrics = strings(13)
        let values = strings(14)
        let currencies = strings(15)
        var points: [(metric: String, value: String, currency: String?)] = []
        for index in metrics.indices {
            points.append(
                (
                    metrics[index] ?? "", index < values.count ? values[index] ?? "" : "",
                    index < currencies.count ? currencies[index] : nil
                ))
        }
        var dimensions: [(name: String, value: String)] = []
        if let text = result.value(row: 0, column: 16),
            case .object(let members)? = try? JSONParser.parse(Array(text.utf8))
        {
            for (name, value) in members { if let text = value.scalarText { dimensions.append((name, text)) } }
        }
        return DeliveryRecord(
            summary: summary, time: Timestamp(microseconds: time), bodySHA256: result.value(row: 0, column: 10) ?? "",
            headers: result.value(row: 0, column: 11) ?? "{}", body: result.value(row: 0, column: 12) ?? "",
            points: points, dimensions: dimensions)
    }

    private static func summary(_ result: PostgresResult, row: Int) -> DeliverySummary? {
        guard let id = result.value(row: row, column: 0).flatMap({ Int64($0) }),
            let received = result.value(row: row, column: 1).flatMap({ Int64($0) }),
            let webhook = result.value(row: row, column: 2), let key = result.value(row: row, column: 3)
        else { return nil }
        return DeliverySummary(
            id: id, receivedAt: Timestamp(microseconds: received), webhook: webhook, eventKey: key,
            sentKey: result.value(row: row, column: 4), disposition: result.value(row: row, column: 5) ?? "",
            dedupeKey: result.value(row: row, column: 6) ?? "",
            points: result.value(row: row, column: 7).flatMap { Int($0) } ?? 0,
            bodyBytes: result.value(row: row, column: 8).flatMap { Int($0) } ?? 0)
    }
}
