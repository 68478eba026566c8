/// The spool cannot take a delivery (full, unwritable). The request is then answered 503: nothing is
/// acknowledged that is not durable.
public struct SpoolError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, with the path and the system's reason.
    public var reason: String

    /// Creates an error.
    public init(_ reason: String) {
        self.reason = reason
    }

    public var description: String { reason }
}
