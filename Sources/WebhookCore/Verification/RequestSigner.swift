/// Makes a request that a verifier accepts: `winkhook send`'s and the tests' side of a scheme.
public protocol RequestSigner: Sendable {
    /// The credentials for `body` sent as delivery `id` at `timestamp` (Unix seconds).
    func sign(id: String, timestamp: Int64, body: [UInt8]) -> SignedRequest
}

/// Where a signer puts its credentials: headers, a path segment or a query parameter.
public struct SignedRequest: Sendable {
    /// Headers to add.
    public var headers: [(name: String, value: String)]
    /// A segment to append to the webhook's path (a URL token), if any.
    public var pathSegment: String?
    /// A `name=value` query to add (already percent-encoded), if any.
    public var query: String?

    /// Creates a signed request.
    public init(headers: [(name: String, value: String)] = [], pathSegment: String? = nil, query: String? = nil) {
        self.headers = headers
        self.pathSegment = pathSegment
        self.query = query
    }
}
