import Testing

@testable import WebhookCore

/// Every key of both catalogs, through the whole pipeline, with a body of its family's shape.
@Suite struct HandlerFamilyTests {
    /// The fixture for a key: the booking and payment samples, else the family's assumed shape.
    static func fixtureName(for key: EventKey) -> String {
        let family = EventCatalog.entry(for: key)?.group ?? ""
        if key.rawValue.hasPrefix("booking.review.") { return "families/review.json" }
        switch family {
        case "booking", "booking_contract": return "booking.create.json"
        case "payment": return "internal.payment.succeeded.json"
        case "property": return "property.updated.json"
        default: return "families/\(family).json"
        }
    }

    /// The fixture's body with its `type` set to `key`.
    static func body(for key: EventKey) throws -> [UInt8] {
        guard case .object(var members) = try JSONParser.parse(try fixture(fixtureName(for: key))) else {
            throw FixtureMissing(path: fixtureName(for: key))
        }
        members["type"] = .string(key.rawValue)
        return Array(JSONValue.object(members).jsonText.utf8)
    }

    @Test func everyCatalogKeyIsRoutedToItsFamilysHandlerAndYieldsItsPoints() throws {
        let router = try HandlerRegistry.router()
        let routed = Set(router.routedKeys)
        var checked = 0
        for key in EventCatalog.allKeys {
            let h = try Harness()
            let outcome = h.send(
                h.request(try HandlerFamilyTests.body(for: key), id: "msg_" + key.rawValue.replacing(".", with: "_")))
            #expect(outcome.response.status == 200, "\(key): \(outcome.message)")
            let delivery = try #require(h.store.deliveries.first, "\(key)")
            #expect(delivery.eventKey == key)
            #expect(routed.contains(key), "\(key) falls back to event.count")
            let handler = try #require(router.handler(for: key) as? MetricHandler, "\(key)")
            // The points are exactly what the handler's rules yield for this body: the first rule (a
            // count) always, every other rule whose field the fixture has.
            let expected = handler.points(
                for: Event(
                    key: key, body: try JSONParser.parse(delivery.body),
                    webhook: "wink", receivedAt: h.now, dimensions: delivery.dimensions))
            #expect(delivery.points == expected, "\(key)")
            #expect(delivery.points.first?.metric == handler.rules.first?.metric, "\(key)")
            #expect(delivery.points.first?.value == .one, "\(key)")
            #expect(delivery.dimensions.entity == "5d668b3c-6c58-47d4-8124-7bc910ceb53e", "\(key)")
            checked += 1
        }
        #expect(checked == EventCatalog.allKeys.count)
    }

    @Test func familiesReadTheirDimensions() throws {
        func delivery(_ key: String) throws -> Delivery {
            let h = try Harness()
            _ = h.send(h.request(try HandlerFamilyTests.body(for: try #require(EventKey(key)))))
            return try #require(h.store.deliveries.first)
        }
        let room = try delivery("room_type.updated")
        #expect(room.dimensions.property == "5d668b3c-6c58-47d4-8124-7bc910ceb53e")
        #expect(room.dimensions.roomType == "c76671fd-ea1f-42fd-80e7-ed945094595f")
        #expect(room.points.map(\.metric) == ["inventory.updated.count"])
        let availability = try delivery("channel-manager.update.availability")
        #expect(availability.dimensions.roomType == "c76671fd-ea1f-42fd-80e7-ed945094595f")
        #expect(availability.points.map(\.metric) == ["channel_manager.availability_update.count"])
        let channel = try delivery("sales_channel.updated")
        #expect(channel.dimensions.channel == "bc8abf08-39bb-4d26-b760-c315985d1cf8")
        let ledger = try delivery("ledger.entry.create")
        #expect(ledger.points.first { $0.metric == "ledger.entry_amount" }?.value.text == "-472.50")
        #expect(ledger.dimensions.bookingID == "80d63324-5782-4fb3-86ba-e98c28199d04")
        let review = try delivery("booking.review.created")
        #expect(review.points.first { $0.metric == "booking.review.rating" }?.value.text == "4.5")
        #expect(review.booking == nil)
        let payee = try delivery("payee.update")
        #expect(payee.dimensions.subject == "a3e0c2f4-5b1d-4c7e-8f90-112233445566")
        #expect(payee.dimensions.status == "VERIFIED")
    }
}
