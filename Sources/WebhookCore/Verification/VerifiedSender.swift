/// What a successful verification established.
public struct VerifiedSender: Sendable, Equatable {
    /// The scheme that passed.
    public var scheme: String
    /// A delivery id the sender gave (signed, or a header like `X-GitHub-Delivery`): the idempotency key.
    public var deliveryID: String?
    /// The credential was the path's last segment (a URL token): it is not an event key.
    public var tokenInPath: Bool

    /// Creates a result.
    public init(scheme: String, deliveryID: String? = nil, tokenInPath: Bool = false) {
        self.scheme = scheme
        self.deliveryID = deliveryID
        self.tokenInPath = tokenInPath
    }
}
