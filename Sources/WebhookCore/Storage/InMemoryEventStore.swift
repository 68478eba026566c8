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

    /// Creates an empty store.
    public init() {}

    /// All points of all deliveries.
    public var points: [MetricPoint] { deliveries.flatMap(\.points) }

    public func record(_ delivery: Delivery) throws(EventStoreError) -> RecordResult {
        if let failure { throw failure }
        let key = delivery.webhook + "\u{1F}" + delivery.dedupeKey
        guard seen.insert(key).inserted else { return .duplicate }
        deliveries.append(delivery)
        return .inserted(points: delivery.points.count)
    }

    public func recordRejected(_ rejected: RejectedDelivery) throws(EventStoreError) {
        if let failure { throw failure }
        guard seenRejected.insert(rejected.webhook + "\u{1F}" + rejected.dedupeKey).inserted else { return }
        self.rejected.append(rejected)
    }
}
