/// An `EventStore` in memory, for tests and dry runs. Same de-duplication rule as PostgreSQL.
public final class InMemoryEventStore: EventStore {
    /// Every delivery stored, in order.
    public private(set) var deliveries: [Delivery] = []
    /// Every rejected body kept.
    public private(set) var rejected: [RejectedDelivery] = []
    private var seen: Set<String> = []
    private var seenRejected: Set<String> = []
    /// When set, every call fails with this error (to test outage answers).
    public var failure: EventStoreError?
    /// Deliveries with these dedupe keys are refused as invalid data while they carry points.
    public var refusePointsOf: Set<String> = []
    /// The size of each `recordBatch` call, in order.
    public private(set) var batches: [Int] = []

    /// Creates an empty store.
    public init() {}

    /// All points of all deliveries.
    public var points: [MetricPoint] { deliveries.flatMap(\.points) }

    public func record(_ delivery: Delivery) throws(EventStoreError) -> RecordResult {
        if let failure { throw failure }
        if refusePointsOf.contains(delivery.dedupeKey), delivery.hasDerivedValues {
            throw EventStoreError(.invalidData, "a point value is out of range")
        }
        let key = delivery.webhook + "\u{1F}" + delivery.dedupeKey
        guard seen.insert(key).inserted else { return .duplicate }
        deliveries.append(delivery)
        return .inserted(points: delivery.points.count)
    }

    /// All or nothing, as a database transaction would be.
    public func recordBatch(_ deliveries: [Delivery]) throws(EventStoreError) -> [RecordResult] {
        if let failure { throw failure }
        if let refused = deliveries.first(where: { refusePointsOf.contains($0.dedupeKey) && $0.hasDerivedValues }) {
            throw EventStoreError(.invalidData, "a point value of \(refused.dedupeKey) is out of range")
        }
        batches.append(deliveries.count)
        var results: [RecordResult] = []
        for delivery in deliveries { results.append(try record(delivery)) }
        return results
    }

    public func recordRejected(_ rejected: RejectedDelivery) throws(EventStoreError) {
        if let failure { throw failure }
        guard seenRejected.insert(rejected.webhook + "\u{1F}" + rejected.dedupeKey).inserted else { return }
        self.rejected.append(rejected)
    }
}
