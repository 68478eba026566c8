/// What `record` did.
public enum RecordResult: Sendable, Equatable {
    /// New: archived, with this many points.
    case inserted(points: Int)
    /// Seen before: nothing written.
    case duplicate
    /// The primary store was unavailable; the delivery is durable in the local spool, to be drained.
    case spooled
    /// `acknowledge = "spool"`: durable in the local spool; the drainer stores it (duplicates are found there).
    case accepted
}
