import WebhookCore

/// `acknowledge = "spool"`: every delivery is appended durably to the local spool and acknowledged as
/// `accepted`; the drainer stores it in PostgreSQL moments later, where duplicates are detected. Bodies
/// that are refused (kept raw for a person) still go to the inner store directly.
public final class SpoolAcceptingEventStore: EventStore {
    private let inner: any EventStore
    private let spool: SpoolWriter

    /// Spools into `spool`; `inner` keeps refused bodies.
    public init(inner: any EventStore, spool: SpoolWriter) {
        self.inner = inner
        self.spool = spool
    }

    public func record(_ delivery: Delivery) throws(EventStoreError) -> RecordResult {
        do {
            try spool.append(delivery)
        } catch {
            throw EventStoreError(.unavailable, "the spool refused it: \(error.reason)")
        }
        return .accepted
    }

    public func recordRejected(_ rejected: RejectedDelivery) throws(EventStoreError) {
        try inner.recordRejected(rejected)
    }
}
