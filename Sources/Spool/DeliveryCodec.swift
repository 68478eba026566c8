import WebhookCore

/// The whole `Delivery` as bytes for a spool record: version byte, then length-prefixed fields.
/// Decoding validates everything and never traps; a record that does not decode is reported, not applied.
enum DeliveryCodec {
    static let version: UInt8 = 1

    static func encode(_ delivery: Delivery) -> [UInt8] {
        var out: [UInt8] = [version]
        out.reserveCapacity(delivery.body.count + 512)
        put(&out, delivery.webhook)
        put(&out, delivery.dedupeKey)
        put(&out, delivery.eventKey.rawValue)
        putOptional(&out, delivery.sentKey)
        out.append(delivery.disposition == .stored ? 0 : 1)
        putInt(&out, UInt64(bitPattern: delivery.receivedAt.microseconds))
        put(&out, delivery.headers.jsonText)
        putBytes(&out, delivery.body)
        put(&out, delivery.bodySHA256)
        putInt(&out, UInt64(delivery.points.count))
        for point in delivery.points {
            put(&out, point.metric)
            put(&out, point.value.text)
            for field in [point.currency, point.entity, point.property, point.channel, point.bookingID] {
                putOptional(&out, field)
            }
            if let when = point.occurredAt {
                out.append(1)
                putInt(&out, UInt64(bitPattern: when.microseconds))
            } else {
                out.append(0)
            }
        }
        return out
    }

    static func decode(_ bytes: ArraySlice<UInt8>) -> Delivery? {
        var reader = Reader(bytes: bytes)
        guard reader.byte() == version, let webhook = reader.string(), let dedupeKey = reader.string(),
            let keyText = reader.string(), let sentKey = reader.optionalString(), let disposition = reader.byte(),
            let received = reader.int(), let headersText = reader.string(), let body = reader.bytes(),
            let hash = reader.string(), let count = reader.int(), count <= 10_000
        else { return nil }
        let key = keyText == EventKey.unknown.rawValue ? EventKey.unknown : EventKey(keyText)
        guard let key, let headers = try? JSONParser.parse(Array(headersText.utf8)) else { return nil }
        var points: [MetricPoint] = []
        for _ in 0..<count {
            guard let metric = reader.string(), let valueText = reader.string(),
                let value = DecimalText(.number(valueText)), let currency = reader.optionalString(),
                let entity = reader.optionalString(), let property = reader.optionalString(),
                let channel = reader.optionalString(), let booking = reader.optionalString(),
                let hasTime = reader.byte()
            else { return nil }
            var when: Timestamp?
            if hasTime == 1 {
                guard let micros = reader.int() else { return nil }
                when = Timestamp(microseconds: Int64(bitPattern: micros))
            }
            let dimensions = EventDimensions(
                entity: entity, property: property, channel: channel, bookingID: booking, occurredAt: when)
            points.append(MetricPoint(metric: metric, value: value, currency: currency, dimensions: dimensions))
        }
        guard reader.atEnd else { return nil }
        return Delivery(
            webhook: webhook, dedupeKey: dedupeKey, eventKey: key, sentKey: sentKey,
            disposition: disposition == 0 ? .stored : .ignored,
            receivedAt: Timestamp(microseconds: Int64(bitPattern: received)), headers: headers, body: body,
            bodySHA256: hash, points: points)
    }

    private static func putInt(_ out: inout [UInt8], _ value: UInt64) {
        for shift in stride(from: 0, to: 64, by: 8) { out.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }

    private static func putBytes(_ out: inout [UInt8], _ bytes: [UInt8]) {
        putInt(&out, UInt64(bytes.count))
        out += bytes
    }

    private static func put(_ out: inout [UInt8], _ text: String) { putBytes(&out, Array(text.utf8)) }

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

        mutating func bytes() -> [UInt8]? {
            guard let count = int(), count <= UInt64(data.endIndex - index) else { return nil }
            defer { index += Int(count) }
            return Array(data[index..<index + Int(count)])
        }

        mutating func string() -> String? {
            bytes().flatMap { String(validating: $0, as: UTF8.self) }
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
