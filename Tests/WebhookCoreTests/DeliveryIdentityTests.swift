import Testing

@testable import WebhookCore

@Suite struct DeliveryIdentityTests {
    let envelope: JSONValue
    let bare: JSONValue

    init() throws {
        envelope = try JSONParser.parse(Array(#"{"id":"evt-9","type":"a.b","data":{"id":"bk"}}"#.utf8))
        bare = try JSONParser.parse(Array(#"{"id":"booking-1","bookingCode":"X"}"#.utf8))
    }

    @Test func signedIDWins() {
        #expect(DeliveryIdentity.dedupeKey(signedID: "msg_1", body: envelope, bodySHA256: "h") == "id:msg_1")
    }

    @Test func envelopeIDWhenUnsigned() {
        #expect(DeliveryIdentity.dedupeKey(signedID: nil, body: envelope, bodySHA256: "h") == "body:evt-9")
    }

    @Test func bareBodyIDIsNotAnEventIDSoTheHashIsUsed() {
        #expect(DeliveryIdentity.dedupeKey(signedID: nil, body: bare, bodySHA256: "h") == "sha256:h")
    }

    @Test func sha256OfKnownInput() {
        #expect(
            DeliveryIdentity.sha256Hex(Array("abc".utf8))
                == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func sameBodyDifferentWebhooksAreBothStored() throws {
        // Scoping by webhook is the store's job; the in-memory store keys on (webhook, key).
        let store = InMemoryEventStore()
        func delivery(_ webhook: String) -> Delivery {
            Delivery(
                webhook: webhook, dedupeKey: "id:x", eventKey: .unknown, sentKey: nil, disposition: .stored,
                receivedAt: Timestamp(seconds: 0), headers: .object([:]), body: [], bodySHA256: "", points: [])
        }
        #expect(try store.record(delivery("a")) == .inserted(points: 0))
        #expect(try store.record(delivery("b")) == .inserted(points: 0))
        #expect(try store.record(delivery("a")) == .duplicate)
    }

    @Test func aDeliveryIdTooLongForAnIndexEntryIsKeptAsItsHash() {
        let long = String(repeating: "x", count: 5000)
        let key = DeliveryIdentity.dedupeKey(signedID: long, body: .object([:]), bodySHA256: "h")
        #expect(key == "id-sha256:" + DeliveryIdentity.sha256Hex(Array(long.utf8)))
        #expect(DeliveryIdentity.rejectionKey(deliveryID: long, hash: "h") == key)
        let edge = String(repeating: "y", count: 256)
        #expect(DeliveryIdentity.dedupeKey(signedID: edge, body: .object([:]), bodySHA256: "h") == "id:" + edge)
    }
}
