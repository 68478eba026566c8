/// Limits and answers shared by every webhook.
public struct PipelineSettings: Sendable, Equatable {
    /// Largest accepted body in bytes (nginx `client_max_body_size` should be at least this).
    public var bodyLimit: Int
    /// Seconds in `Retry-After` on a 503.
    public var retryAfterSeconds: Int

    /// The default: 256 KiB bodies, 30 s retry hint.
    public init(bodyLimit: Int = 256 * 1024, retryAfterSeconds: Int = 30) {
        self.bodyLimit = bodyLimit
        self.retryAfterSeconds = retryAfterSeconds
    }
}
