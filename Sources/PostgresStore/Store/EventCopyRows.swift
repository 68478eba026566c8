import WebhookCore

/// Deliveries as the data of one `COPY winkhook.events (eventColumns) FROM STDIN (FORMAT binary)`: each
/// row the same values `recordSQL` writes for it, in the binary forms the server copies (text, times,
/// arrays) or reads without a text parser (numbers). A batch's rows then cost the server one multi-row
/// insert per page instead of a statement's per-row work (arrays to unnest, a join, text to parse).
enum EventCopyRows {
    /// The statement the data is for.
    static let sql = "COPY winkhook.events (\(PostgresEventStore.eventColumns)) FROM STDIN (FORMAT binary)"

    /// The data of one delivery's row: after the signature for the first, before the trailer for the last.
    static func write(_ delivery: Delivery, first: Bool, last: Bool, into out: inout BinaryWriter) {
        if first {
            out.append(signature)
            out.int32(0)  // flags
            out.int32(0)  // header extension
        }
        row(delivery, into: &out)
        if last { out.int16(-1) }
    }

    static let signature: [UInt8] = Array("PGCOPY\n".utf8) + [0xFF, 0x0D, 0x0A, 0x00]

    /// The fields of one row, in the order of `PostgresEventStore.eventColumns`.
    static func row(_ delivery: Delivery, into out: inout BinaryWriter) {
        out.int16(30)
        out.sized { $0.timestamp(delivery.eventTime) }
        out.sized { $0.timestamp(delivery.receivedAt) }
        text(delivery.webhook, &out)
        text(delivery.eventKey.rawValue, &out)
        text(delivery.sentKey, &out)
        text(delivery.disposition.rawValue, &out)
        text(delivery.dedupeKey, &out)
        text(delivery.bodySHA256, &out)
        let d = delivery.dimensions
        text(d.entity, &out)
        text(d.property, &out)
        text(d.channel, &out)
        text(d.bookingID, &out)
        text(d.subject, &out)
        text(d.roomType, &out)
        text(d.status, &out)
        optional(d.occurredAt, &out) { $0.timestamp($1) }
        // The points are read where they are (a `for point in` loop copied each one: three retains and
        // releases a point, three times, the drain's largest share of them).
        delivery.points.withUnsafeBufferPointer { points in
            out.sized { out in
                out.arrayHeader(count: points.count, oid: BinaryWriter.textOID, hasNull: false)
                for index in points.indices { text(points[index].metric, &out) }
            }
            out.sized { out in
                out.arrayHeader(count: points.count, oid: BinaryWriter.numericOID, hasNull: false)
                for index in points.indices { out.sized { $0.numeric(points[index].value) } }
            }
            out.sized { out in
                out.arrayHeader(
                    count: points.count, oid: BinaryWriter.textOID,
                    hasNull: points.indices.contains { points[$0].currency == nil })
                for index in points.indices { text(points[index].currency, &out) }
            }
        }
        let b = delivery.booking
        optional(b?.version, &out) { $0.int64($1) }
        optional(b?.stayStart, &out) { $0.date($1) }
        optional(b?.stayEnd, &out) { $0.date($1) }
        optional(b?.roomNights, &out) { $0.numeric($1) }
        optional(b?.rooms, &out) { $0.numeric($1) }
        optional(b?.gross, &out) { $0.numeric($1) }
        optional(b?.net, &out) { $0.numeric($1) }
        text(b?.currency, &out)
        optional(b?.bookedAt, &out) { $0.timestamp($1) }
        out.sized { $0.jsonb(delivery.headersJSON) }
        out.sized { $0.append(delivery.body) }
    }

    private static func text(_ value: String?, _ out: inout BinaryWriter) {
        optional(value, &out) { $0.append($1) }
    }

    private static func optional<T>(_ value: T?, _ out: inout BinaryWriter, _ write: (inout BinaryWriter, T) -> Void) {
        if let value { out.sized { write(&$0, value) } } else { out.null() }
    }
}
