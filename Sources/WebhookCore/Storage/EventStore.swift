/// Where deliveries go. Implementations: `PostgresEventStore` (libpq), `InMemoryEventStore` (tests).
///
/// `record` must be atomic: the de-duplication row, the archive row and the points are written in one
/// transaction, and it returns only once that transaction is durable. A later disk spool wraps a store
/// behind this same protocol.
public protocol EventStore: AnyObject {
    /// Stores `delivery` unless its `(webhook, dedupeKey)` was seen before.
    /// - Throws: `EventStoreError`; `.unavailable` means nothing was written and the sender should retry.
    func record(_ delivery: Delivery) throws(EventStoreError) -> RecordResult

    /// Keeps an authenticated body that was not accepted.
    func recordRejected(_ rejected: RejectedDelivery) throws(EventStoreError)
}

/// What `record` did.
public enum RecordResult: Sendable, Equatable {
    /// New: archived, with this many points.
    case inserted(points: Int)
    /// Seen before: nothing written.
    case duplicate
}

/// A storage failure. `description` is generic; the detail is for the log (`debugDescription`).
public struct EventStoreError: Error, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// Failure kinds.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable { case unavailable, invalidData, failed }
        private let base: Base
        /// The database cannot be reached or refused the write transiently; retry later.
        public static let unavailable = Code(base: .unavailable)
        /// The database refused this payload's data (a permanent error for this body).
        public static let invalidData = Code(base: .invalidData)
        /// Anything else.
        public static let failed = Code(base: .failed)
        public var description: String { base.rawValue }
    }

    /// The kind.
    public var code: Code
    /// Detail for the log (may include SQLSTATE and server message, never the SQL parameters).
    public var detail: String

    /// Creates an error.
    public init(_ code: Code, _ detail: String) {
        self.code = code
        self.detail = detail
    }

    public var description: String { "storage \(code)" }
    public var debugDescription: String { "storage \(code): \(detail)" }
}
