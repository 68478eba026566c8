/// What the pure pipeline decided for a whole request.
public enum Decision: Sendable {
    /// Answer now; nothing to store.
    case respond(Outcome)
    /// Store the delivery, then answer 200.
    case store(Delivery)
    /// Keep the rejected body, then answer with the outcome (400).
    case reject(RejectedDelivery, Outcome)
}
