/// What a successful verification established.
public struct VerifiedSender: Sendable, Equatable {
    /// The scheme that passed.
    public var scheme: String
    /// A delivery id the sender gave (signed, or a header like `X-GitHub-Delivery`): the idempotency key.
    public var deliveryID: String?
    /// The credential was the path's last segment (a URL token): it is not an event key.
    public var tokenInPath: Bool
    /// Credential text that came in the request (a URL token) and must be masked wherever the request's
    /// headers are archived (a proxy's `X-Original-URI` may repeat it). Never logged.
    public var redactions: [String]

    /// Creates a result.
    public init(scheme: String, deliveryID: String? = nil, tokenInPath: Bool = false, redactions: [String] = []) {
        self.scheme = scheme
        self.deliveryID = deliveryID
        self.tokenInPath = tokenInPath
        self.redactions = redactions
    }
}
