/// Where deliveries go. Implementations: `PostgresEventStore` (libpq), `InMemoryEventStore` (tests).
///
/// `record` must be atomic: the de-duplication row, the archive row and the points are written in one
/// transaction, and it returns only once that transaction is durable. A later disk spool wraps a store
/// behind this same protocol.
public protocol EventStore: AnyObject {
    /// Stores `delivery` unless its `(webhook, dedupeKey)` was seen before.
    /// - Throws: `EventStoreError`; `.unavailable` means nothing was written and the sender should retry.
    func record(_ delivery: Delivery) throws(EventStoreError) -> RecordResult

    /// Stores several deliveries, in one transaction where the store can: all of them or none.
    /// Returns one result per delivery, in order (a repeat within the batch is a duplicate).
    func recordBatch(_ deliveries: [Delivery]) throws(EventStoreError) -> [RecordResult]

    /// Keeps an authenticated body that was not accepted.
    func recordRejected(_ rejected: RejectedDelivery) throws(EventStoreError)
}

extension EventStore {
    /// One `record` after the other (not atomic as a whole; each delivery still is).
    public func recordBatch(_ deliveries: [Delivery]) throws(EventStoreError) -> [RecordResult] {
        var results: [RecordResult] = []
        for delivery in deliveries { results.append(try record(delivery)) }
        return results
    }
}
