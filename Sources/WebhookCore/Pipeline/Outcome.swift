/// The answer to one request plus what the transport should log about it.
public struct Outcome: Sendable {
    /// Log severity of the line the transport writes.
    public enum Severity: Sendable { case info, warning, error }

    /// The HTTP answer.
    public var response: WebhookResponse
    /// The webhook involved, if one matched.
    public var webhook: String?
    /// The cause, in words (never a secret, a signature or a body).
    public var message: String
    /// How loud.
    public var severity: Severity
    /// Time-series points written to PostgreSQL by this request (0 unless it was stored).
    public var pointsStored = 0

    /// Creates an outcome.
    public init(_ response: WebhookResponse, webhook: String?, _ message: String, severity: Severity = .info) {
        self.response = response
        self.webhook = webhook
        self.message = message
        self.severity = severity
    }
}
