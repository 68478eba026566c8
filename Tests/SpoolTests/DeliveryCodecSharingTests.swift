import Testing
import WebhookCore

@testable import Spool

/// A record decoded with the one before it lends that one's strings and numbers where the bytes are the
/// same; what it decodes to must never depend on that.
@Suite struct DeliveryCodecSharingTests {
    static func delivery(
        key: String = "booking.create", webhook: String = "wink", points: [(String, String, String?)],
        booking: Bool = true, gross: String = "540.00", entity: String? = "e", status: String? = "CONFIRMED",
        headers: String = #"{"content-type":"application/json"}"#, n: Int
    ) -> Delivery {
        let dimensions = EventDimensions(
            entity: entity, property: "p", channel: nil, bookingID: "b\(n)", subject: "s", roomType: "rt",
            status: status, occurredAt: Timestamp(microseconds: 1_780_000_000_123_456))
        return Delivery(
            webhook: webhook, dedupeKey: "id:msg_\(n)", eventKey: EventKey(key) ?? .unknown,
            sentKey: n.isMultiple(of: 2) ? "booking.created" : nil, disposition: .stored,
            receivedAt: Timestamp(seconds: 1_780_000_000 + Int64(n)), headersJSON: headers,
            body: Array(#"{"n":\#(n)}"#.utf8), bodySHA256: "hash\(n)",
            points: points.map { MetricPoint(metric: $0.0, value: DecimalText(.number($0.1)) ?? .one, currency: $0.2) },
            dimensions: dimensions,
            booking: booking
                ? BookingState(
                    version: Int64(n), stayStart: CalendarDay(number: 20_000), stayEnd: CalendarDay(number: 20_003),
                    roomNights: DecimalText(.number("3")), gross: DecimalText(.number(gross)), currency: "EUR",
                    bookedAt: Timestamp(seconds: 1_779_000_000))
                : nil)
    }

    /// Neighbours that share most fields, differ in one, or have more, fewer or other points.
    static let sequence: [Delivery] = [
        delivery(points: [("booking.count", "1", nil), ("booking.gross_amount", "540.00", "EUR")], n: 0),
        delivery(points: [("booking.count", "1", nil), ("booking.gross_amount", "540.00", "EUR")], n: 1),
        delivery(points: [("booking.count", "1", nil), ("booking.gross_amount", "540.01", "EUR")], n: 2),
        delivery(points: [("booking.count", "1", "EUR"), ("booking.gross_amount", "540.01", nil)], n: 3),
        delivery(
            points: [
                ("booking.count", "1", nil), ("booking.gross_amount", "540.01", "EUR"), ("booking.nights", "3", nil),
            ],
            gross: "1E+3", n: 4),
        delivery(points: [("booking.count", "1", nil)], booking: false, entity: nil, n: 5),
        delivery(key: "payment.succeeded", webhook: "trippay", points: [], status: "Ünïcode ✓", n: 6),
        delivery(points: [("booking.count", "-0", nil)], headers: #"{"x":"ÿ"}"#, n: 7),
        delivery(points: [("booking.count", "-0", nil)], headers: #"{"x":"ÿ"}"#, n: 8),
    ]

    @Test func aRecordDecodesTheSameWithOrWithoutItsNeighbour() throws {
        var previous: Delivery?
        for original in DeliveryCodecSharingTests.sequence {
            let record = DeliveryCodec.encode(original)
            let alone = try #require(DeliveryCodec.decode(record[...]))
            let shared = try #require(DeliveryCodec.decode(record[...], like: previous))
            // Every field is in the record, so equal records mean equal deliveries.
            #expect(DeliveryCodec.encode(alone) == record)
            #expect(DeliveryCodec.encode(shared) == record)
            #expect(shared.eventKey == original.eventKey)
            #expect(shared.points == original.points)
            #expect(shared.booking == original.booking)
            #expect(shared.dimensions == original.dimensions)
            previous = shared
        }
    }

    @Test func bytesTheSameLengthAsTheNeighboursButNotUTF8AreStillRefused() throws {
        let first = DeliveryCodecSharingTests.sequence[0]
        var record = DeliveryCodec.encode(first)
        // The webhook is the first field: one version byte, eight length bytes, then "wink".
        #expect(Array(record[9..<13]) == Array("wink".utf8))
        record[12] = 0xFF
        #expect(DeliveryCodec.decode(record[...], like: first) == nil)
        #expect(DeliveryCodec.decode(record[...]) == nil)
    }
}
