/// What a successful verification established.
public struct VerifiedSender: Sendable, Equatable {
    /// A delivery id covered by the signature, usable as the idempotency key.
    public var signedDeliveryID: String?

    /// Creates a result.
    public init(signedDeliveryID: String?) {
        self.signedDeliveryID = signedDeliveryID
    }
}
