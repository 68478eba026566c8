/// An authenticated delivery ready to be stored: the raw archive row, its de-duplication key and the
/// time-series points its handler produced.
public struct Delivery: Sendable {
    /// Whether the webhook subscribes to the event.
    public enum Disposition: String, Sendable {
        /// Handled: points were produced (possibly none).
        case stored
        /// Not in the webhook's `events`: archived, no points.
        case ignored
    }

    /// Webhook name (the de-duplication scope).
    public var webhook: String
    /// The idempotency key within the webhook.
    public var dedupeKey: String
    /// The canonical event key (`unknown` when none was found).
    public var eventKey: EventKey
    /// The key as the sender spelled it, before aliasing.
    public var sentKey: String?
    /// Stored or ignored.
    public var disposition: Disposition
    /// Receipt time.
    public var receivedAt: Timestamp
    /// Request headers, minus credentials and signatures, as a JSON object.
    public var headers: JSONValue
    /// The raw body (valid JSON, an object).
    public var body: [UInt8]
    /// SHA-256 of the body, hex.
    public var bodySHA256: String
    /// Handler output.
    public var points: [MetricPoint]

    /// Creates a delivery.
    public init(
        webhook: String, dedupeKey: String, eventKey: EventKey, sentKey: String?, disposition: Disposition,
        receivedAt: Timestamp, headers: JSONValue, body: [UInt8], bodySHA256: String, points: [MetricPoint]
    ) {
        self.webhook = webhook
        self.dedupeKey = dedupeKey
        self.eventKey = eventKey
        self.sentKey = sentKey
        self.disposition = disposition
        self.receivedAt = receivedAt
        self.headers = headers
        self.body = body
        self.bodySHA256 = bodySHA256
        self.points = points
    }
}
