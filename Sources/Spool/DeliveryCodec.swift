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

    /// Decodes one record. `previous` (the record before it in the segment, if any) lends its strings and
    /// numbers to the fields whose bytes are the same (webhook, event key, headers, dimensions, metric
    /// names, values and currencies usually are): such a field is then neither validated nor copied
    /// again. Building a delivery's 40-odd strings was most of a drain's own work. `previous` must itself
    /// be decoded (as `SpoolSegment.read` passes it): its values are taken as valid, not checked again.
    static func decode(_ bytes: ArraySlice<UInt8>, like previous: Delivery? = nil) -> Delivery? {
        var reader = Reader(bytes: bytes)
        guard let format = reader.byte(), format == 1 || format == version,
            let webhook = reader.string(like: previous?.webhook), let dedupeKey = reader.string(),
            let keyBytes = reader.field()
        else { return nil }
        let key: EventKey
        if let known = previous?.eventKey, Reader.same(keyBytes, known.rawValue) {
            key = known
        } else {
            guard let keyText = Reader.text(keyBytes) else { return nil }
            guard let made = keyText == EventKey.unknown.rawValue ? EventKey.unknown : EventKey(keyText) else {
                return nil
            }
            key = made
        }
        guard let sentKey = reader.optionalString(like: previous?.sentKey), let disposition = reader.byte(),
            let received = reader.int(), let headersText = reader.string(like: previous?.headersJSON),
            let body = reader.bytes(), let hash = reader.string()
        else { return nil }
        var dimensions = EventDimensions()
        var booking: BookingState?
        var points: [MetricPoint] = []
        if format == 1 {
            guard let parsed = decodeVersion1Points(&reader) else { return nil }
            (points, dimensions) = parsed
        } else {
            guard let decoded = decodeDimensions(&reader, like: previous?.dimensions), let hasBooking = reader.byte()
            else { return nil }
            dimensions = decoded
            if hasBooking == 1 {
                guard let state = decodeBooking(&reader, like: previous?.booking) else { return nil }
                booking = state
            }
            guard let count = reader.int(), count <= 10_000 else { return nil }
            points.reserveCapacity(Int(count))
            let before = previous?.points ?? []
            for index in 0..<Int(count) {
                let last = index < before.count ? before[index] : nil
                guard let metric = reader.string(like: last?.metric), let value = reader.number(like: last?.value),
                    let currency = reader.optionalString(like: last?.currency)
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

    private static func decodeDimensions(_ reader: inout Reader, like p: EventDimensions?) -> EventDimensions? {
        guard let entity = reader.optionalString(like: p?.entity),
            let property = reader.optionalString(like: p?.property),
            let channel = reader.optionalString(like: p?.channel), let booking = reader.optionalString(),
            let subject = reader.optionalString(like: p?.subject),
            let roomType = reader.optionalString(like: p?.roomType),
            let status = reader.optionalString(like: p?.status), let when = reader.optionalInt()
        else { return nil }
        return EventDimensions(
            entity: entity, property: property, channel: channel, bookingID: booking, subject: subject,
            roomType: roomType, status: status, occurredAt: when.map { Timestamp(microseconds: Int64(bitPattern: $0)) })
    }

    private static func decodeBooking(_ reader: inout Reader, like p: BookingState?) -> BookingState? {
        guard let version = reader.optionalInt(), let start = reader.optionalInt(), let end = reader.optionalInt(),
            let nights = reader.optionalNumber(like: p?.roomNights), let rooms = reader.optionalNumber(like: p?.rooms),
            let gross = reader.optionalNumber(like: p?.gross), let net = reader.optionalNumber(like: p?.net),
            let currency = reader.optionalString(like: p?.currency), let booked = reader.optionalInt()
        else { return nil }
        func day(_ raw: UInt64?) -> CalendarDay? { raw.map { CalendarDay(number: Int(Int64(bitPattern: $0))) } }
        return BookingState(
            version: version.map { Int64(bitPattern: $0) }, stayStart: day(start), stayEnd: day(end),
            roomNights: nights, rooms: rooms, gross: gross, net: net,
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
            let at = index - data.startIndex
            let value = data.withUnsafeBytes {
                UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: at, as: UInt64.self))
            }
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

        /// A length-prefixed string, made straight from the record's bytes, or `candidate` itself when its
        /// bytes are the same (no copy, no validation).
        mutating func string(like candidate: String? = nil) -> String? {
            guard let field = field() else { return nil }
            if let candidate, Reader.same(field, candidate) { return candidate }
            return Reader.text(field)
        }

        /// A length-prefixed number as the spool writes it (`DecimalText.text`): `candidate` when the bytes
        /// are its text, else parsed; `nil` when the text is not a number.
        mutating func number(like candidate: DecimalText? = nil) -> DecimalText? {
            guard let field = field() else { return nil }
            if let candidate, Reader.same(field, candidate.text) { return candidate }
            return Reader.text(field).flatMap { DecimalText(.number($0)) }
        }

        /// Whether `bytes` are `text`'s UTF-8 (no copy of a native string's storage).
        static func same(_ bytes: ArraySlice<UInt8>, _ text: String) -> Bool {
            let utf8 = text.utf8
            guard utf8.count == bytes.count else { return false }
            return bytes.withUnsafeBufferPointer { raw in
                utf8.withContiguousStorageIfAvailable { made in
                    guard let a = made.baseAddress, let b = raw.baseAddress else { return true }
                    return memcmp(a, b, made.count) == 0
                } ?? utf8.elementsEqual(raw)
            }
        }

        /// `bytes` as a string, or `nil` unless they are valid UTF-8. The generic
        /// `String(validating:as:)` over a copied array cost half of a drained delivery's decoding; the
        /// specialised `String(decoding:as:)` validates as it copies, and a repair (invalid UTF-8, which a
        /// record whose CRC matched cannot hold unless it was written so) changes the bytes, so it is
        /// caught by comparing them.
        static func text(_ bytes: ArraySlice<UInt8>) -> String? {
            let text = bytes.withUnsafeBufferPointer { String(decoding: $0, as: UTF8.self) }
            return same(bytes, text) ? text : nil
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

        mutating func optionalString(like candidate: String? = nil) -> String?? {
            switch byte() {
            case 0: return .some(nil)
            case 1:
                guard let text = string(like: candidate) else { return nil }
                return .some(text)
            default: return nil
            }
        }

        /// An optional number: `nil` inside when absent or not a number (a booking's amounts are
        /// dimensions, never a reason to refuse the record); `nil` outside when the record is cut short or
        /// the text is not UTF-8.
        mutating func optionalNumber(like candidate: DecimalText?) -> DecimalText?? {
            switch byte() {
            case 0: return .some(nil)
            case 1:
                guard let field = field() else { return nil }
                if let candidate, Reader.same(field, candidate.text) { return .some(candidate) }
                guard let text = Reader.text(field) else { return nil }
                return .some(DecimalText(.number(text)))
            default: return nil
            }
        }
    }
}
