/// An authenticated body that could not be accepted (not JSON, or not storable): kept as raw bytes so an
/// authenticated payload is never thrown away, once per `(webhook, dedupeKey)` (a retry adds nothing).
public struct RejectedDelivery: Sendable {
    /// Webhook name.
    public var webhook: String
    /// The idempotency key: the sender's delivery id, else the SHA-256 of the body.
    public var dedupeKey: String
    /// Receipt time.
    public var receivedAt: Timestamp
    /// Why it was rejected (safe to log).
    public var reason: String
    /// Headers minus credentials and signatures.
    public var headers: JSONValue
    /// The raw body bytes.
    public var body: [UInt8]

    /// Creates a rejected delivery.
    public init(
        webhook: String, dedupeKey: String, receivedAt: Timestamp, reason: String, headers: JSONValue, body: [UInt8]
    ) {
        self.webhook = webhook
        self.dedupeKey = dedupeKey
        self.receivedAt = receivedAt
        self.reason = reason
        self.headers = headers
        self.body = body
    }

    /// A delivery the database refused, kept raw with `reason`.
    public init(refused delivery: Delivery, reason: String) {
        self.init(
            webhook: delivery.webhook, dedupeKey: delivery.dedupeKey, receivedAt: delivery.receivedAt, reason: reason,
            headers: delivery.headers, body: delivery.body)
    }
}
