/// A secret token in the URL: the last path segment (`/webhook/wink/<token>`) or a query parameter
/// (`?token=<token>`). What Wink can do today: the token goes in the subscription's free-form `eventUrl`.
///
/// Tokens are compared as SHA-256 digests in constant time. They are never logged: the pipeline masks a
/// path token in log lines, and the query string is neither logged nor archived.
public struct URLTokenVerifier: SignatureVerifier {
    public var scheme: String { "url-token" }
    /// The query parameter that may carry the token; `nil` when the query is not looked at.
    public let queryParameter: String?
    /// Whether the last path segment may carry the token.
    public let acceptsPath: Bool
    private let digests: [[UInt8]]
    private let firstToken: String?

    /// The smallest token accepted, in characters: 22 random base64url characters are 132 bits.
    public static let minimumLength = 22

    /// Creates a verifier. No token makes every request fail.
    public init(tokens: [String], queryParameter: String? = "token", acceptsPath: Bool = true) {
        self.digests = tokens.map { ConstantTime.digest($0.utf8) }
        self.firstToken = tokens.first
        self.queryParameter = queryParameter
        self.acceptsPath = acceptsPath
    }

    /// Why `token` is unfit, or `nil` when it is fine: too short, or characters a URL would change, or a
    /// `.` (so a token can never be mistaken for an event key such as `booking.create`).
    public static func problem(with token: String) -> String? {
        guard token.utf8.count >= minimumLength else {
            return "a URL token has \(token.utf8.count) characters; at least \(minimumLength) (128 bits) are needed"
        }
        let unreserved = token.utf8.allSatisfy { c in
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A)
                || c == UInt8(ascii: "-") || c == UInt8(ascii: "_") || c == UInt8(ascii: "~")
        }
        return unreserved ? nil : "a URL token may hold only letters, digits and - _ ~"
    }

    public var summary: VerifierSummary {
        let places = [acceptsPath ? "last path segment" : nil, queryParameter.map { "query parameter \($0)" }]
        return VerifierSummary(
            scheme: scheme, details: "token in the " + places.compactMap { $0 }.joined(separator: " or "),
            secretCount: digests.count)
    }

    public var signer: (any RequestSigner)? {
        firstToken.map { URLTokenSigner(token: $0, queryParameter: acceptsPath ? nil : queryParameter) }
    }

    public var readsPathToken: Bool { acceptsPath }

    public func check(_ head: RequestHead, now: Timestamp) -> HeadCheck {
        guard !digests.isEmpty else { return .failed(VerificationFailure(.noSecrets, "no token is configured")) }
        var offered = false
        if let name = queryParameter, let token = head.queryParameter(name) {
            offered = true
            if ConstantTime.matchesAny(ConstantTime.digest(token.utf8), digests) {
                return .verified(VerifiedSender(scheme: scheme, redactions: [token]))
            }
        }
        if acceptsPath, let segment = head.path.split(separator: "/").last {
            if ConstantTime.matchesAny(ConstantTime.digest(segment.utf8), digests) {
                return .verified(VerifiedSender(scheme: scheme, tokenInPath: true, redactions: [String(segment)]))
            }
        }
        return .failed(
            offered
                ? VerificationFailure(.wrongCredential, "the token in query parameter \(queryParameter ?? "") is wrong")
                : VerificationFailure(.missingCredential, "no matching token in the path or the query"))
    }

    public func verify(_ request: WebhookRequest, now: Timestamp) throws(VerificationFailure) -> VerifiedSender {
        try check(request.head, now: now).sender()
    }
}

/// Puts the token where a `URLTokenVerifier` looks: the path (preferred) or the query.
public struct URLTokenSigner: RequestSigner {
    let token: String
    let queryParameter: String?

    public func sign(id: String, timestamp: Int64, body: [UInt8]) -> SignedRequest {
        if let name = queryParameter { return SignedRequest(query: "\(name)=\(token)") }
        return SignedRequest(pathSegment: token)
    }
}
