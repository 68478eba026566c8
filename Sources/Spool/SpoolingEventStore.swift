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
/// As `GroupCommitting`, the appends between `beginGroup` and `endGroup` share one flush.
public final class SpoolingEventStore: EventStore, GroupCommitting {
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
            try append(delivery, because: nil)
            return .accepted
        }
        do {
            let result = try inner.record(delivery)
            if spool.hasOpenSegment { spool.closeSegment() }
            return result
        } catch  where error.code == .unavailable {
            try append(delivery, because: error)
            return .spooled
        }
    }

    public func recordRejected(_ rejected: RejectedDelivery) throws(EventStoreError) {
        try inner.recordRejected(rejected)
    }

    public func beginGroup() { spool.beginGroup() }

    public var waitingInGroup: Int { spool.groupAppends }

    public func endGroup() throws(EventStoreError) {
        do {
            try spool.endGroup()
        } catch {
            throw EventStoreError(.unavailable, "the spool refused it: \(error.reason)")
        }
    }

    /// Appends durably; a spool that refuses keeps the store's error (if any) with its own reason.
    private func append(_ delivery: Delivery, because unavailable: EventStoreError?) throws(EventStoreError) {
        do {
            try spool.append(delivery)
        } catch {
            let storeReason = unavailable.map { "\($0.detail); " } ?? ""
            throw EventStoreError(
                .unavailable, "\(storeReason)the spool refused it\(unavailable == nil ? "" : " too"): \(error.reason)")
        }
    }
}
