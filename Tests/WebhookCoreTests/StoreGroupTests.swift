import Testing

@testable import WebhookCore

/// `WebhookService.storeGroup`: the deliveries of several requests stored by one write, each answered
/// from its own result; a group the store refuses as a whole is stored one by one.
@Suite struct StoreGroupTests {
    func deliveries(_ harness: Harness, _ ids: [String]) throws -> [Delivery] {
        let body = try fixture("booking.create.json")
        return ids.compactMap { id in
            if case .store(let delivery) = harness.service.prepare(harness.request(body, id: id)) { return delivery }
            return nil
        }
    }

    @Test func aGroupIsOneWriteAndEachAnswerIsItsOwn() throws {
        let harness = try Harness()
        let group = try deliveries(harness, ["msg_a", "msg_b", "msg_a"])
        #expect(group.count == 3 && harness.store.deliveries.isEmpty)  // nothing stored by `prepare`
        let outcomes = harness.service.storeGroup(group)
        #expect(harness.store.batches == [3])
        #expect(outcomes.map(\.response.status) == [200, 200, 200])
        #expect(
            outcomes.map { $0.response.headers.first { $0.0 == "Winkhook-Result" }?.1 } == [
                "stored", "stored", "duplicate",
            ])
        #expect(outcomes[0].pointsStored > 0 && outcomes[2].pointsStored == 0)
        #expect(harness.store.deliveries.count == 2)
    }

    @Test func aDeliveryTheStoreRefusesDoesNotCostTheOthers() throws {
        let harness = try Harness()
        harness.store.refusePointsOf = ["id:msg_b"]
        let outcomes = harness.service.storeGroup(try deliveries(harness, ["msg_a", "msg_b", "msg_c"]))
        #expect(outcomes.map(\.response.status) == [200, 200, 200])
        #expect(outcomes[1].message.contains("its points were dropped"), "\(outcomes[1].message)")
        #expect(harness.store.deliveries.map(\.dedupeKey) == ["id:msg_a", "id:msg_b", "id:msg_c"])
        #expect(harness.store.deliveries[1].points.isEmpty && !harness.store.deliveries[0].points.isEmpty)
    }

    @Test func aStoreThatIsDownAnswersEveryOne503() throws {
        let harness = try Harness()
        harness.store.failure = EventStoreError(.unavailable, "connection refused")
        let outcomes = harness.service.storeGroup(try deliveries(harness, ["msg_a", "msg_b"]))
        #expect(outcomes.map(\.response.status) == [503, 503])
        #expect(outcomes.allSatisfy { $0.severity == .error && $0.message.contains("connection refused") })
    }
}
