/// A store whose writes can share one flush to disk (group commit): between `beginGroup` and
/// `endGroup`, what `record` accepts is written but made durable only by `endGroup`, so a transport
/// that serves several requests in a row answers none of them before `endGroup` returns.
public protocol GroupCommitting: AnyObject {
    /// From now on, accepted deliveries are written and made durable together by `endGroup`.
    func beginGroup()

    /// Deliveries written since `beginGroup` that wait for `endGroup` to be durable.
    var waitingInGroup: Int { get }

    /// Makes everything written since `beginGroup` durable (one flush) and ends the group.
    /// - Throws: `EventStoreError` (`.unavailable`) when it could not: none of the group's deliveries may
    ///   be acknowledged then.
    func endGroup() throws(EventStoreError)
}
