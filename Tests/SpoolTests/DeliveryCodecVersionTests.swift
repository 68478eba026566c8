import Testing
import WebhookCore

@testable import Spool

/// Records written by an older winkhook still decode: version 1 kept the dimensions in every point.
@Suite struct DeliveryCodecVersionTests {
    /// A version 1 record as M3 wrote it: the delivery's fields, then each point with its own dimensions.
    static func version1Record() -> [UInt8] {
        var out: [UInt8] = [1]
        func int(_ value: UInt64) { withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) } }
        func text(_ value: String) {
            int(UInt64(value.utf8.count))
            out.append(contentsOf: value.utf8)
        }
        func optional(_ value: String?) {
            guard let value else { return out.append(0) }
            out.append(1)
            text(value)
        }
        text("wink")
        text("id:msg_1")
        text("booking.create")
        optional("booking.created")
        out.append(0)  // stored
        int(1_780_000_000_000_000)
        text(#"{"user-agent":"test"}"#)
        text(#"{"type":"booking.created"}"#)
        text("hash")
        int(2)
        for (metric, value, currency) in [("booking.count", "1", nil), ("booking.gross_amount", "540.00", "EUR")] {
            text(metric)
            text(value)
            optional(currency)
            optional("ent")
            optional("prop")
            optional("chan")
            optional("bk-1")
            out.append(1)
            int(1_779_000_000_000_000)
        }
        return out
    }

    @Test func aVersion1RecordKeepsItsPointsAndTheirDimensions() throws {
        let delivery = try #require(DeliveryCodec.decode(DeliveryCodecVersionTests.version1Record()[...]))
        #expect(delivery.webhook == "wink" && delivery.dedupeKey == "id:msg_1" && delivery.sentKey == "booking.created")
        #expect(delivery.points.map(\.metric) == ["booking.count", "booking.gross_amount"])
        #expect(delivery.points.map(\.value.text) == ["1", "540.00"])
        #expect(delivery.points.map(\.currency) == [nil, "EUR"])
        let d = delivery.dimensions
        #expect(d.entity == "ent" && d.property == "prop" && d.channel == "chan" && d.bookingID == "bk-1")
        #expect(d.occurredAt == Timestamp(microseconds: 1_779_000_000_000_000))
        #expect(delivery.booking == nil)
    }

    @Test func aTruncatedVersion1RecordDoesNotDecode() {
        let record = DeliveryCodecVersionTests.version1Record()
        #expect(DeliveryCodec.decode(record.dropLast(3)) == nil)
    }

    @Test func theCurrentVersionRoundTrips() throws {
        let old = try #require(DeliveryCodec.decode(DeliveryCodecVersionTests.version1Record()[...]))
        let again = try #require(DeliveryCodec.decode(DeliveryCodec.encode(old)[...]))
        #expect(again.dimensions == old.dimensions && again.points == old.points && again.body == old.body)
        #expect(again.headers == old.headers && again.receivedAt == old.receivedAt && again.booking == old.booking)
    }
}
