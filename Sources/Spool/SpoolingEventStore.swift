import WebhookCore

/// The spool in front of the inner store (PostgreSQL), in one of the two acknowledge modes:
///
/// - `.whenUnavailable` (`acknowledge = "commit"`): deliveries go to the inner store; while it is
///   unavailable they are appended durably to the spool and acknowledged as `spooled`. Once the inner
///   store works again the open segment is closed, so the drainer can move it.
/// - `.always` (`acknowledge = "spool"`): every delivery is appended and acknowledged as `accepted`; the
///   drainer stores it moments later, where duplicates are detected.
///
/// When the spool cannot take a delivery, the error stands (503: nothing acknowledged). Refused bodies
/// (kept raw for a person) always go to the inner store directly.
///
/// `recordBatch` (several requests served together) appends a batch to the spool with one flush.
public final class SpoolingEventStore: EventStore {
    /// When deliveries go to the spool.
    public enum Use: Sendable {
        case whenUnavailable
        case always
    }

    private let inner: any EventStore
    private let spool: SpoolWriter
    private let use: Use

    /// Puts `spool` in front of `inner`.
    public init(inner: any EventStore, spool: SpoolWriter, use: Use = .whenUnavailable) {
        self.inner = inner
        self.spool = spool
        self.use = use
    }

    public func record(_ delivery: Delivery) throws(EventStoreError) -> RecordResult {
        guard use == .whenUnavailable else {
            try append([delivery], because: nil)
            return .accepted
        }
        do {
            let result = try inner.record(delivery)
            if spool.hasOpenSegment { spool.closeSegment() }
            return result
        } catch  where error.code == .unavailable {
            try append([delivery], because: error)
            return .spooled
        }
    }

    public func recordRejected(_ rejected: RejectedDelivery) throws(EventStoreError) {
        try inner.recordRejected(rejected)
    }

    /// The batch in one go: in `.always` mode appended with one flush; otherwise one transaction of the
    /// inner store, or, while it is unavailable, appended with one flush.
    public func recordBatch(_ deliveries: [Delivery]) throws(EventStoreError) -> [RecordResult] {
        guard use == .whenUnavailable else {
            try append(deliveries, because: nil)
            return deliveries.map { _ in .accepted }
        }
        do {
            let results = try inner.recordBatch(deliveries)
            if spool.hasOpenSegment { spool.closeSegment() }
            return results
        } catch  where error.code == .unavailable {
            try append(deliveries, because: error)
            return deliveries.map { _ in .spooled }
        }
    }

    /// Appends every delivery, then flushes once; any failure fails them all (the caller then stores
    /// each on its own: one already appended is appended again, and the drainer finds the repeat). A
    /// spool that refuses keeps the store's error (if any) with its own reason.
    private func append(_ deliveries: [Delivery], because unavailable: EventStoreError?) throws(EventStoreError) {
        spool.beginGroup()
        var failure: SpoolError?
        for delivery in deliveries {
            do {
                try spool.append(delivery)
            } catch {
                failure = error
                break
            }
        }
        do {
            try spool.endGroup()
        } catch {
            failure = failure ?? error
        }
        guard let failure else { return }
        let storeReason = unavailable.map { "\($0.detail); " } ?? ""
        throw EventStoreError(
            .unavailable, "\(storeReason)the spool refused it\(unavailable == nil ? "" : " too"): \(failure.reason)")
    }
}
