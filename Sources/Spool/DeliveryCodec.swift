import Glibc
import WebhookCore

/// The whole `Delivery` as bytes for a spool record: version byte, then length-prefixed fields.
/// Decoding validates everything and never traps; a record that does not decode is reported, not applied.
/// Version 2 (M4) writes the event's dimensions and booking state once; version 1 records (dimensions per
/// point) are still read, so a spool written before an upgrade drains after it.
enum DeliveryCodec {
    static let version: UInt8 = 2

    static func encode(_ delivery: Delivery) -> [UInt8] {
        var out: [UInt8] = [version]
        out.reserveCapacity(delivery.body.count + 512)
        put(&out, delivery.webhook)
        put(&out, delivery.dedupeKey)
        put(&out, delivery.eventKey.rawValue)
        putOptional(&out, delivery.sentKey)
        out.append(delivery.disposition == .stored ? 0 : 1)
        putInt(&out, UInt64(bitPattern: delivery.receivedAt.microseconds))
        put(&out, delivery.headersJSON)
        putBytes(&out, delivery.body)
        put(&out, delivery.bodySHA256)
        let d = delivery.dimensions
        for field in [d.entity, d.property, d.channel, d.bookingID, d.subject, d.roomType, d.status] {
            putOptional(&out, field)
        }
        putOptionalInt(&out, d.occurredAt.map { UInt64(bitPattern: $0.microseconds) })
        if let b = delivery.booking {
            out.append(1)
            putOptionalInt(&out, b.version.map { UInt64(bitPattern: $0) })
            putOptionalInt(&out, b.stayStart.map { UInt64(bitPattern: Int64($0.number)) })
            putOptionalInt(&out, b.stayEnd.map { UInt64(bitPattern: Int64($0.number)) })
            for field in [b.roomNights?.text, b.rooms?.text, b.gross?.text, b.net?.text, b.currency] {
                putOptional(&out, field)
            }
            putOptionalInt(&out, b.bookedAt.map { UInt64(bitPattern: $0.microseconds) })
        } else {
            out.append(0)
        }
        putInt(&out, UInt64(delivery.points.count))
        for point in delivery.points {
            put(&out, point.metric)
            put(&out, point.value.text)
            putOptional(&out, point.currency)
        }
        return out
    }

    static func decode(_ bytes: ArraySlice<UInt8>) -> Delivery? {
        var reader = Reader(bytes: bytes)
        guard let format = reader.byte(), format == 1 || format == version, let webhook = reader.string(),
            let dedupeKey = reader.string(), let keyText = reader.string(), let sentKey = reader.optionalString(),
            let disposition = reader.byte(), let received = reader.int(), let headersText = reader.string(),
            let body = reader.bytes(), let hash = reader.string()
        else { return nil }
        let key = keyText == EventKey.unknown.rawValue ? EventKey.unknown : EventKey(keyText)
        guard let key else { return nil }
        var dimensions = EventDimensions()
        var booking: BookingState?
        var points: [MetricPoint] = []
        if format == 1 {
            guard let parsed = decodeVersion1Points(&reader) else { return nil }
            (points, dimensions) = parsed
        } else {
            guard let decoded = decodeDimensions(&reader), let hasBooking = reader.byte() else { return nil }
            dimensions = decoded
            if hasBooking == 1 {
                guard let state = decodeBooking(&reader) else { return nil }
                booking = state
            }
            guard let count = reader.int(), count <= 10_000 else { return nil }
            points.reserveCapacity(Int(count))
            for _ in 0..<count {
                guard let metric = reader.string(), let valueText = reader.string(),
                    let value = DecimalText(.number(valueText)), let currency = reader.optionalString()
                else { return nil }
                points.append(MetricPoint(metric: metric, value: value, currency: currency))
            }
        }
        guard reader.atEnd else { return nil }
        return Delivery(
            webhook: webhook, dedupeKey: dedupeKey, eventKey: key, sentKey: sentKey,
            disposition: disposition == 0 ? .stored : .ignored,
            receivedAt: Timestamp(microseconds: Int64(bitPattern: received)), headersJSON: headersText, body: body,
            bodySHA256: hash, points: points, dimensions: dimensions, booking: booking)
    }

    private static func decodeDimensions(_ reader: inout Reader) -> EventDimensions? {
        guard let entity = reader.optionalString(), let property = reader.optionalString(),
            let channel = reader.optionalString(), let booking = reader.optionalString(),
            let subject = reader.optionalString(), let roomType = reader.optionalString(),
            let status = reader.optionalString(), let when = reader.optionalInt()
        else { return nil }
        return EventDimensions(
            entity: entity, property: property, channel: channel, bookingID: booking, subject: subject,
            roomType: roomType, status: status, occurredAt: when.map { Timestamp(microseconds: Int64(bitPattern: $0)) })
    }

    private static func decodeBooking(_ reader: inout Reader) -> BookingState? {
        guard let version = reader.optionalInt(), let start = reader.optionalInt(), let end = reader.optionalInt(),
            let nights = reader.optionalString(), let rooms = reader.optionalString(),
            let gross = reader.optionalString(), let net = reader.optionalString(),
            let currency = reader.optionalString(), let booked = reader.optionalInt()
        else { return nil }
        func number(_ text: String?) -> DecimalText? { text.flatMap { DecimalText(.number($0)) } }
        func day(_ raw: UInt64?) -> CalendarDay? { raw.map { CalendarDay(number: Int(Int64(bitPattern: $0))) } }
        return BookingState(
            version: version.map { Int64(bitPattern: $0) }, stayStart: day(start), stayEnd: day(end),
            roomNights: number(nights), rooms: number(rooms), gross: number(gross), net: number(net),
            currency: currency, bookedAt: booked.map { Timestamp(microseconds: Int64(bitPattern: $0)) })
    }

    /// Version 1 kept the dimensions in every point; the delivery's are the first point's.
    private static func decodeVersion1Points(_ reader: inout Reader) -> ([MetricPoint], EventDimensions)? {
        guard let count = reader.int(), count <= 10_000 else { return nil }
        var points: [MetricPoint] = []
        var first: EventDimensions?
        for _ in 0..<count {
            guard let metric = reader.string(), let valueText = reader.string(),
                let value = DecimalText(.number(valueText)), let currency = reader.optionalString(),
                let entity = reader.optionalString(), let property = reader.optionalString(),
                let channel = reader.optionalString(), let booking = reader.optionalString(),
                let when = reader.optionalInt()
            else { return nil }
            let dimensions = EventDimensions(
                entity: entity, property: property, channel: channel, bookingID: booking,
                occurredAt: when.map { Timestamp(microseconds: Int64(bitPattern: $0)) })
            if first == nil { first = dimensions }
            points.append(MetricPoint(metric: metric, value: value, currency: currency))
        }
        return (points, first ?? EventDimensions())
    }

    private static func putOptionalInt(_ out: inout [UInt8], _ value: UInt64?) {
        if let value {
            out.append(1)
            putInt(&out, value)
        } else {
            out.append(0)
        }
    }

    private static func putInt(_ out: inout [UInt8], _ value: UInt64) {
        withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) }
    }

    private static func putBytes(_ out: inout [UInt8], _ bytes: some Collection<UInt8>) {
        putInt(&out, UInt64(bytes.count))
        out.append(contentsOf: bytes)
    }

    /// `text`'s UTF-8 bytes, length first, copied straight from the string (no array in between).
    private static func put(_ out: inout [UInt8], _ text: String) {
        var text = text
        text.withUTF8 { putBytes(&out, $0) }
    }

    private static func putOptional(_ out: inout [UInt8], _ text: String?) {
        if let text {
            out.append(1)
            put(&out, text)
        } else {
            out.append(0)
        }
    }

    struct Reader {
        let data: ArraySlice<UInt8>
        var index: Int

        init(bytes: ArraySlice<UInt8>) {
            self.data = bytes
            self.index = bytes.startIndex
        }

        var atEnd: Bool { index == data.endIndex }

        mutating func byte() -> UInt8? {
            guard index < data.endIndex else { return nil }
            defer { index += 1 }
            return data[index]
        }

        mutating func int() -> UInt64? {
            guard data.endIndex - index >= 8 else { return nil }
            var value: UInt64 = 0
            for k in 0..<8 { value |= UInt64(data[index + k]) << UInt64(8 * k) }
            index += 8
            return value
        }

        /// The next length-prefixed field, in place.
        mutating func field() -> ArraySlice<UInt8>? {
            guard let count = int(), count <= UInt64(data.endIndex - index) else { return nil }
            defer { index += Int(count) }
            return data[index..<index + Int(count)]
        }

        mutating func bytes() -> [UInt8]? {
            field().map { Array($0) }
        }

        /// A length-prefixed string, made straight from the record's bytes. The generic
        /// `String(validating:as:)` over a copied array cost half of a drained delivery's decoding; the
        /// specialised `String(decoding:as:)` validates as it copies, and a repair (invalid UTF-8, which a
        /// record whose CRC matched cannot hold unless it was written so) changes the bytes, so it is
        /// caught by comparing them.
        mutating func string() -> String? {
            guard let field = field() else { return nil }
            return field.withUnsafeBufferPointer { bytes in
                var text = String(decoding: bytes, as: UTF8.self)
                let same = text.withUTF8 { made in
                    guard made.count == bytes.count else { return false }
                    guard let a = made.baseAddress, let b = bytes.baseAddress else { return true }
                    return memcmp(a, b, made.count) == 0
                }
                return same ? text : nil
            }
        }

        mutating func optionalInt() -> UInt64?? {
            switch byte() {
            case 0: return .some(nil)
            case 1:
                guard let value = int() else { return nil }
                return .some(value)
            default: return nil
            }
        }

        mutating func optionalString() -> String?? {
            switch byte() {
            case 0: return .some(nil)
            case 1:
                guard let text = string() else { return nil }
                return .some(text)
            default: return nil
            }
        }
    }
}
