/// An authenticated, parsed event as handlers see it.
public struct Event: Sendable {
    /// The canonical key.
    public var key: EventKey
    /// The whole body (a JSON object).
    public var body: JSONValue
    /// The webhook it arrived on.
    public var webhook: String
    /// Receipt time.
    public var receivedAt: Timestamp
    /// Dimensions every point of this event carries.
    public var dimensions: EventDimensions

    /// The event's subject: the envelope's `data` object when there is one, else the body itself
    /// (Wink may deliver a bare booking).
    public var data: JSONValue { body.envelopeData ?? body }
}
