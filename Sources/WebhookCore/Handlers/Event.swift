/// An authenticated, parsed event as handlers see it.
public struct Event: Sendable {
    /// The canonical key.
    public var key: EventKey
    /// The whole body (a JSON object).
    public let body: JSONValue
    /// The webhook it arrived on.
    public var webhook: String
    /// Receipt time.
    public var receivedAt: Timestamp
    /// The event's dimensions (its delivery's, for all of its points).
    public var dimensions: EventDimensions

    /// The event's subject: the envelope's `data` object when there is one, else the body itself
    /// (Wink may deliver a bare booking).
    public let data: JSONValue

    /// An event; `data` is found once here (every rule reads from it).
    public init(key: EventKey, body: JSONValue, webhook: String, receivedAt: Timestamp, dimensions: EventDimensions) {
        self.key = key
        self.body = body
        self.webhook = webhook
        self.receivedAt = receivedAt
        self.dimensions = dimensions
        self.data = body.envelopeData ?? body
    }
}
