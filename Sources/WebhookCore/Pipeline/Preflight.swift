/// What the pipeline decided from the head alone.
public enum Preflight: Sendable {
    /// Answer now without reading the body.
    case respond(Outcome)
    /// Read at most `limit` bytes of body (`limit + 1` when the length is undeclared) and call `process`.
    case readBody(limit: Int)
}
