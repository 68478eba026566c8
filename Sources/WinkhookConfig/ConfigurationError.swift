/// The configuration cannot be used at all (unreadable, not TOML, a required field missing or mistyped).
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    /// What is wrong and where (file and key); never a secret value.
    public var reason: String

    /// Creates an error.
    public init(_ reason: String) {
        self.reason = reason
    }

    public var description: String { reason }
}
