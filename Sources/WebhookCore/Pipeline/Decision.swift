/// What the pure pipeline decided for a whole request.
public enum Decision: Sendable {
    /// Answer now; nothing to store.
    case respond(Outcome)
    /// Store the delivery, then answer 200.
    case store(Delivery, Event)
    /// Keep the rejected body, then answer with the outcome (400).
    case reject(RejectedDelivery, Outcome)
}

/// What the pipeline decided from the head alone.
public enum Preflight: Sendable {
    /// Answer now without reading the body.
    case respond(Outcome)
    /// Read at most `limit` bytes of body (`limit + 1` when the length is undeclared) and call `process`.
    case readBody(limit: Int)
}
