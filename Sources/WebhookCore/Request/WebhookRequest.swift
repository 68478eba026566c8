/// A whole request: its head, the raw body bytes and when it was received.
public struct WebhookRequest: Sendable {
    /// Method, path and headers.
    public var head: RequestHead
    /// The body exactly as received; verification runs over these bytes.
    public var body: [UInt8]
    /// The receipt time, from the caller's clock.
    public var receivedAt: Timestamp

    /// Creates a request.
    public init(head: RequestHead, body: [UInt8], receivedAt: Timestamp) {
        self.head = head
        self.body = body
        self.receivedAt = receivedAt
    }
}
