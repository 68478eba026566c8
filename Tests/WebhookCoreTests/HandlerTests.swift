import Testing

@testable import WebhookCore

@Suite struct HandlerTests {
    func delivery(_ file: String, path: String = "/webhook/wink") throws -> Delivery {
        let h = try Harness(bodyLimit: 64 * 1024)
        let outcome = h.send(h.request(try fixture(file), path: path))
        #expect(outcome.response.status == 200)
        return try #require(h.store.deliveries.first)
    }

    func points(_ file: String, path: String = "/webhook/wink") throws -> [MetricPoint] {
        try delivery(file, path: path).points
    }

    func value(_ points: [MetricPoint], _ metric: String) -> (String, String?)? {
        points.first { $0.metric == metric }.map { ($0.value.text, $0.currency) }
    }

    func total(_ points: [MetricPoint], _ metrics: [String]) -> Double {
        points.filter { metrics.contains($0.metric) }.compactMap { Double($0.value.text) }.reduce(0, +)
    }

    @Test func bookingCreate() throws {
        let d = try delivery("booking.create.json")
        let p = d.points
        #expect(value(p, "booking.count")?.0 == "1")
        #expect(value(p, "booking.room_nights")?.0 == "3")
        #expect(value(p, "booking.guests")?.0 == "3")
        #expect(value(p, "booking.rooms")?.0 == "1")
        #expect(value(p, "booking.lead_days")?.0 == "39")  // booked 2026-08-10, arrives 2026-09-18
        #expect(value(p, "booking.stay_nights")?.0 == "3")
        #expect(value(p, "booking.gross_amount").map { $0 == ("540.00", "EUR") } == true)
        #expect(value(p, "booking.net_amount").map { $0 == ("472.50", "EUR") } == true)
        #expect(d.dimensions.property == "5d668b3c-6c58-47d4-8124-7bc910ceb53e")
        #expect(d.dimensions.channel == "bc8abf08-39bb-4d26-b760-c315985d1cf8")
        #expect(d.dimensions.bookingID == "80d63324-5782-4fb3-86ba-e98c28199d04")
        #expect(d.dimensions.entity == "5d668b3c-6c58-47d4-8124-7bc910ceb53e")
        #expect(d.dimensions.occurredAt == Timestamp(iso8601: "2026-08-10T14:22:31Z"))
        #expect(d.dimensions.roomType == "c76671fd-ea1f-42fd-80e7-ed945094595f")
        #expect(d.dimensions.status == "PAYMENT_SUCCEEDED")
        let state = try #require(d.booking)
        #expect(state.version == 1 && state.stayStart?.description == "2026-09-18")
        #expect(state.stayEnd?.description == "2026-09-21" && state.gross?.text == "540.00")
        #expect(state.currency == "EUR" && state.rooms?.text == "1")
    }

    /// gross − net is commissions and fees together; platform and processing fees are only part of it.
    @Test func feesAndCommissionsAreKeptApartAndAddUp() throws {
        let a = try points("booking.create.json")
        // The bare booking names no event: the key comes from the URL.
        let b = try points("bare-booking.json", path: "/webhook/wink/booking.created")
        let both = a + b
        #expect(abs(total(both, ["booking.fees_and_commissions_amount"]) - 97.00) < 0.001)
        #expect(abs(total(both, ["booking.platform_fee_amount", "booking.processing_fee_amount"]) - 34.92) < 0.001)
        for p in [a, b] {
            let parts = total(
                p,
                [
                    "booking.commission_amount", "booking.supplier_commission_amount", "booking.platform_fee_amount",
                    "booking.processing_fee_amount",
                ])
            #expect(abs(parts - total(p, ["booking.fees_and_commissions_amount"])) < 0.001)
            #expect(
                abs(total(p, ["booking.gross_amount"]) - total(p, ["booking.net_amount"]) - parts) < 0.001)
        }
    }

    @Test func bookingCancelledCountsTheLostRevenue() throws {
        let d = try delivery("booking.cancelled.json")
        #expect(value(d.points, "booking.cancelled.count")?.0 == "1")
        #expect(value(d.points, "booking.cancelled.gross_amount").map { $0 == ("540.00", "EUR") } == true)
        #expect(value(d.points, "booking.no_show.count") == nil)
        #expect(d.dimensions.bookingID == "80d63324-5782-4fb3-86ba-e98c28199d04")
        #expect(d.booking?.version == 2)
    }

    @Test func aNoShowIsACancellationOfItsOwnKind() throws {
        let h = try Harness()
        let body = Array(
            #"{"type":"booking.cancelled","data":{"id":"b-9","bookingCode":"X","cancellationType":"NO_SHOW","roomStay":{"roomNights":2}}}"#
                .utf8)
        #expect(h.send(h.request(body)).response.status == 200)
        #expect(value(h.store.points, "booking.no_show.count")?.0 == "1")
        #expect(value(h.store.points, "booking.no_show.room_nights")?.0 == "2")
        #expect(value(h.store.points, "booking.cancelled.count")?.0 == "1")
    }

    /// The amount sits two levels down, at `data.refund.sourceAmount`.
    @Test func aPartialRefundReadsItsNestedAmount() throws {
        let d = try delivery("booking.refund.partial.json")
        #expect(value(d.points, "booking.refund.count")?.0 == "1")
        #expect(value(d.points, "booking.refund_amount").map { $0 == ("360.00", "EUR") } == true)
        #expect(d.booking?.version == 3)
    }

    @Test func paymentSucceeded() throws {
        let d = try delivery("internal.payment.succeeded.json")
        #expect(value(d.points, "payment.succeeded.count")?.0 == "1")
        #expect(value(d.points, "payment.succeeded.amount").map { $0 == ("540.00", "EUR") } == true)
        #expect(d.dimensions.bookingID == "80d63324-5782-4fb3-86ba-e98c28199d04")
    }

    @Test func aPropertyChangeIsCountedForTheProperty() throws {
        let d = try delivery("property.updated.json")
        #expect(d.points.map(\.metric) == ["property.change.count"])
        #expect(d.eventKey.rawValue == "property.updated")
        #expect(d.dimensions.property == "5d668b3c-6c58-47d4-8124-7bc910ceb53e")
        #expect(d.booking == nil)
    }

    @Test func testBookingsAreArchivedWithoutPointsOrLedgerState() throws {
        let body = Array(
            #"{"type":"booking.create","data":{"id":"t","creation":"TEST","version":1,"roomStay":{"roomNights":2}}}"#
                .utf8)
        let h = try Harness()
        #expect(h.send(h.request(body)).response.status == 200)
        #expect(h.store.deliveries.count == 1)
        #expect(h.store.points.isEmpty && h.store.deliveries[0].booking == nil)
    }

    @Test func entityFallsBackToTheWebhookConfiguration() throws {
        let h = try Harness()
        _ = h.send(h.request(Array(#"{"type":"a.b"}"#.utf8)))
        #expect(h.store.points.map(\.metric) == ["event.count"])
        #expect(h.store.deliveries.first?.dimensions.entity == "configured-entity")
    }

    @Test func paymentFailed() throws {
        let h = try Harness()
        let body = Array(
            #"{"type":"internal.payment.failed","data":{"bookingIdentifier":"b-2","amount":{"amount":"99.90","currency":"USD"}}}"#
                .utf8)
        #expect(h.send(h.request(body)).response.status == 200)
        #expect(value(h.store.points, "payment.failed.count")?.0 == "1")
        #expect(value(h.store.points, "payment.failed.amount").map { $0 == ("99.90", "USD") } == true)
        #expect(h.store.deliveries.allSatisfy { $0.dimensions.bookingID == "b-2" })
    }

    @Test func everyBuiltInKeyIsCatalogedAndRoutedOnce() throws {
        let keys = HandlerRegistry.builtIn.flatMap(\.keys)
        let declared = HandlerRegistry.builtIn.flatMap(\.declaredKeys)
        #expect(keys.count == declared.count)
        #expect(Set(keys).count == keys.count)
        #expect(keys.allSatisfy { $0.isCataloged })
        #expect(try HandlerRegistry.router().routedKeys.count == keys.count)
        // Every key of both catalogs has a handler of its own (none falls back to `event.count`).
        #expect(Set(EventCatalog.allKeys).subtracting(keys).isEmpty)
    }

    /// The README's metric table is the registry's own (regenerate with `winkhook metrics`).
    @Test func theReadmeTableIsTheRegistry() throws {
        let readme = String(decoding: try fixture("../../../README.md"), as: UTF8.self)
        #expect(readme.contains(HandlerRegistry.markdownTable()), "README.md: paste the output of `winkhook metrics`")
    }

    @Test func aMistypedKeyInTheRegistryFailsWhenTheTableIsBuilt() {
        let typo = MetricHandler(["booking.craete"], rules: [.count("booking.count")])
        #expect(throws: RoutingError.self) { try EventRouter(handlers: [typo], fallback: CountHandler()) }
        let twice = [MetricHandler(["booking.create"], rules: []), MetricHandler(["booking.created"], rules: [])]
        #expect(throws: RoutingError.self) { try EventRouter(handlers: twice, fallback: CountHandler()) }
    }

    @Test func aMissingFieldYieldsNoPointRatherThanAZero() throws {
        let h = try Harness()
        _ = h.send(h.request(Array(#"{"type":"booking.create","data":{"id":"x"}}"#.utf8)))
        #expect(h.store.points.map(\.metric) == ["booking.count"])
    }

    /// Odd types and shapes are missing values, never a refused delivery.
    @Test func oddFieldsAreMissingDimensionsNotRejections() throws {
        let h = try Harness()
        let body = Array(
            #"{"type":"booking.create","data":{"id":["x"],"version":"v2","roomStay":{"roomNights":"three","startDate":"2026-02-31","endDate":17},"grossSourceAmount":{"amount":"1e999999","currency":"EURO"},"hotel":"nope","customization":{"id":{"a":1}}}}"#
                .utf8)
        #expect(h.send(h.request(body)).response.status == 200)
        let d = try #require(h.store.deliveries.first)
        #expect(d.points.map(\.metric) == ["booking.count"])
        #expect(d.dimensions.bookingID == nil && d.dimensions.property == nil && d.dimensions.channel == nil)
        #expect(d.booking == nil)
    }

    @Test func conditionsAndPathsReadWhatTheySay() {
        let data = JSONValue.object([
            "a": .object(["b": .number("3"), "flag": .bool(true), "s": .string("X")]), "n": .null,
        ])
        #expect(JSONPath("a.b").value(in: data) == .number("3"))
        #expect(JSONPath("a.c.d").value(in: data) == nil)
        #expect(Condition.equals("a.b", "3").holds(for: data))
        #expect(Condition.oneOf("a.s", ["Y", "X"]).holds(for: data))
        #expect(Condition.isTrue("a.flag").holds(for: data))
        #expect(!Condition.present("n").holds(for: data) && Condition.present("a").holds(for: data))
        #expect(Condition.not(.equals("a.s", "X")).holds(for: data) == false)
        #expect(Condition.all([.isTrue("a.flag"), .equals("a.b", "3")]).holds(for: data))
    }

    @Test func moneyAsStringIsAccepted() {
        #expect(DecimalText(.string("12.30"))?.text == "12.30")
        #expect(DecimalText(.string("12,30")) == nil)
        #expect(DecimalText(.bool(true)) == nil)
    }

    @Test func headersAreKeptAsJSONTextAndReadBackWhole() {
        let headers: JSONValue = .object(["content-type": .string("application/json"), "x-n": .string("1")])
        var delivery = Delivery(
            webhook: "w", dedupeKey: "k", eventKey: .unknown, sentKey: nil, disposition: .stored,
            receivedAt: Timestamp(seconds: 1_780_000_000), headers: headers, body: [], bodySHA256: "", points: [])
        #expect(delivery.headersJSON == headers.jsonText)
        #expect(delivery.headers == headers)
        delivery.headers = .object(["a": .string("b")])
        #expect(delivery.headersJSON == #"{"a":"b"}"#)
        // Text that is not an object (a spool record written so) is read back whole, not dropped.
        let odd = Delivery(
            webhook: "w", dedupeKey: "k", eventKey: .unknown, sentKey: nil, disposition: .stored,
            receivedAt: Timestamp(seconds: 1_780_000_000), headersJSON: "[1,", body: [], bodySHA256: "",
            points: [])
        #expect(odd.headers == .object(["winkhook-unparsed": .string("[1,")]))
    }

    @Test func theEventTimeIsTheSendersWithinBoundsElseReceipt() {
        let received = Timestamp(seconds: 1_780_000_000)
        func time(_ occurred: Timestamp?) -> Timestamp {
            Delivery(
                webhook: "w", dedupeKey: "k", eventKey: .unknown, sentKey: nil, disposition: .stored,
                receivedAt: received, headers: .object([:]), body: [], bodySHA256: "", points: [],
                dimensions: EventDimensions(occurredAt: occurred)
            ).eventTime
        }
        #expect(time(nil) == received)
        #expect(time(Timestamp(seconds: 1_780_000_000 - 3 * 86_400)) == Timestamp(seconds: 1_780_000_000 - 3 * 86_400))
        #expect(time(Timestamp(seconds: 1_780_000_000 - 40 * 86_400)) == received)
        #expect(time(Timestamp(seconds: 1_780_000_000 + 7200)) == received)
    }
}
