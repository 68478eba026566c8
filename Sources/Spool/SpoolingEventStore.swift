import WebhookCore

/// `acknowledge = "commit"` with a net: deliveries go to the inner store (PostgreSQL); when it is
/// unavailable they are appended durably to the local spool and acknowledged as `spooled`. When the spool
/// cannot take them either, the error stands (503: nothing acknowledged). Once the inner store works again
/// the open segment is closed, so the drainer can move it.
public final class SpoolingEventStore: EventStore {
    private let inner: any EventStore
    private let spool: SpoolWriter

    /// Wraps `inner`.
    public init(inner: any EventStore, spool: SpoolWriter) {
        self.inner = inner
        self.spool = spool
    }

    public func record(_ delivery: Delivery) throws(EventStoreError) -> RecordResult {
        do {
            let result = try inner.record(delivery)
            if spool.hasOpenSegment { spool.closeSegment() }
            return result
        } catch  where error.code == .unavailable {
            do {
                try spool.append(delivery)
                return .spooled
            } catch let spoolError {
                throw EventStoreError(.unavailable, "\(error.detail); the spool refused it too: \(spoolError.reason)")
            }
        }
    }

    public func recordRejected(_ rejected: RejectedDelivery) throws(EventStoreError) {
        try inner.recordRejected(rejected)
    }
}
