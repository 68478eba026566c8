import Testing

@testable import WebhookCore

@Suite struct HandlerTests {
    func points(_ file: String, path: String = "/webhook/wink") throws -> [MetricPoint] {
        let h = try Harness(bodyLimit: 64 * 1024)
        let outcome = h.send(h.request(try fixture(file), path: path))
        #expect(outcome.response.status == 200)
        return h.store.points
    }

    func value(_ points: [MetricPoint], _ metric: String) -> (String, String?)? {
        points.first { $0.metric == metric }.map { ($0.value.text, $0.currency) }
    }

    @Test func bookingCreate() throws {
        let p = try points("booking.create.json")
        #expect(value(p, "booking.count")?.0 == "1")
        #expect(value(p, "booking.room_nights")?.0 == "3")
        #expect(value(p, "booking.gross_amount").map { $0 == ("540.00", "EUR") } == true)
        #expect(value(p, "booking.net_amount").map { $0 == ("472.50", "EUR") } == true)
        let first = try #require(p.first)
        #expect(first.property == "5d668b3c-6c58-47d4-8124-7bc910ceb53e")
        #expect(first.channel == "bc8abf08-39bb-4d26-b760-c315985d1cf8")
        #expect(first.bookingID == "80d63324-5782-4fb3-86ba-e98c28199d04")
        #expect(first.entity == "5d668b3c-6c58-47d4-8124-7bc910ceb53e")
        #expect(first.occurredAt == Timestamp(iso8601: "2026-08-10T14:22:31Z"))
    }

    @Test func bookingCancelled() throws {
        let p = try points("booking.cancelled.json")
        #expect(value(p, "booking.cancelled.count")?.0 == "1")
        #expect(p.allSatisfy { $0.bookingID == "80d63324-5782-4fb3-86ba-e98c28199d04" })
    }

    @Test func paymentSucceeded() throws {
        let p = try points("internal.payment.succeeded.json")
        #expect(value(p, "payment.succeeded.count")?.0 == "1")
        #expect(value(p, "payment.succeeded.amount").map { $0 == ("540.00", "EUR") } == true)
        #expect(p.first?.bookingID == "80d63324-5782-4fb3-86ba-e98c28199d04")
    }

    @Test func otherKeysGetOneCountPointUnderTheirKey() throws {
        let h = try Harness(bodyLimit: 64 * 1024)
        _ = h.send(h.request(try fixture("property.updated.json")))
        #expect(h.store.points.map(\.metric) == ["event.count"])
        #expect(h.store.deliveries.first?.eventKey.rawValue == "property.updated")
        #expect(h.store.points.first?.property == "5d668b3c-6c58-47d4-8124-7bc910ceb53e")
    }

    @Test func testBookingsAreArchivedWithoutPoints() throws {
        let body = Array(
            #"{"type":"booking.create","data":{"id":"t","creation":"TEST","roomStay":{"roomNights":2}}}"#.utf8)
        let h = try Harness()
        #expect(h.send(h.request(body)).response.status == 200)
        #expect(h.store.deliveries.count == 1)
        #expect(h.store.points.isEmpty)
    }

    @Test func entityFallsBackToTheWebhookConfiguration() throws {
        let h = try Harness()
        _ = h.send(h.request(Array(#"{"type":"a.b"}"#.utf8)))
        #expect(h.store.points.first?.entity == "configured-entity")
    }

    @Test func paymentFailed() throws {
        let h = try Harness()
        let body = Array(
            #"{"type":"internal.payment.failed","data":{"bookingIdentifier":"b-2","amount":{"amount":"99.90","currency":"USD"}}}"#
                .utf8)
        #expect(h.send(h.request(body)).response.status == 200)
        #expect(value(h.store.points, "payment.failed.count")?.0 == "1")
        #expect(value(h.store.points, "payment.failed.amount").map { $0 == ("99.90", "USD") } == true)
        #expect(h.store.points.allSatisfy { $0.bookingID == "b-2" })
    }

    @Test func everyBuiltInKeyIsCatalogedAndRoutedOnce() throws {
        let keys = HandlerRegistry.builtIn.flatMap(\.keys)
        #expect(Set(keys).count == keys.count)
        #expect(keys.allSatisfy { $0.isCataloged })
        #expect(try HandlerRegistry.router().routedKeys.count == 4)
    }

    @Test func aMissingFieldYieldsNoPointRatherThanAZero() throws {
        let h = try Harness()
        _ = h.send(h.request(Array(#"{"type":"booking.create","data":{"id":"x"}}"#.utf8)))
        #expect(h.store.points.map(\.metric) == ["booking.count"])
    }

    @Test func moneyAsStringIsAccepted() {
        #expect(DecimalText(.string("12.30"))?.text == "12.30")
        #expect(DecimalText(.string("12,30")) == nil)
        #expect(DecimalText(.bool(true)) == nil)
    }
}
