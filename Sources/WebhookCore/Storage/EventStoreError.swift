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
