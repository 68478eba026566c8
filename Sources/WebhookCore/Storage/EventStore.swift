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

    /// When the last `recordBatch` was committed without waiting for the commit to be durable (a store
    /// for a drainer, which keeps its source until `flushCommits`), the identity of the server that took
    /// it; `nil` when that commit is durable already.
    var unflushedCommit: String? { get }

    /// Makes every commit so far durable and returns the identity of the server that did so (`nil`: this
    /// store commits durably, nothing to flush). A server other than the one of an unflushed commit may
    /// have lost it (a restart in between): whatever that commit held must be written again.
    func flushCommits() throws(EventStoreError) -> String?
}

extension EventStore {
    /// Every commit is durable when it returns.
    public var unflushedCommit: String? { nil }

    /// Nothing to flush.
    public func flushCommits() throws(EventStoreError) -> String? { nil }

    /// One `record` after the other (not atomic as a whole; each delivery still is).
    public func recordBatch(_ deliveries: [Delivery]) throws(EventStoreError) -> [RecordResult] {
        var results: [RecordResult] = []
        for delivery in deliveries { results.append(try record(delivery)) }
        return results
    }
}
