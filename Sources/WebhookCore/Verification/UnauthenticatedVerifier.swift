/// The `none` scheme: every request passes. Only with `allow_unauthenticated = true` on its webhook;
/// `serve` and `check-config` warn about it loudly. For a sender restricted by `allow_from`, or a test.
public struct UnauthenticatedVerifier: SignatureVerifier {
    public var scheme: String { "none" }

    /// Creates the verifier.
    public init() {}

    public var summary: VerifierSummary {
        VerifierSummary(
            scheme: scheme, details: "NO AUTHENTICATION: anyone who can reach the path is accepted",
            secretCount: 0)
    }

    public var signer: (any RequestSigner)? { UnauthenticatedSigner() }

    public func check(_ head: RequestHead, now: Timestamp) -> HeadCheck {
        .verified(VerifiedSender(scheme: scheme))
    }

    public func verify(_ request: WebhookRequest, now: Timestamp) throws(VerificationFailure) -> VerifiedSender {
        VerifiedSender(scheme: scheme)
    }
}

/// Adds nothing.
public struct UnauthenticatedSigner: RequestSigner {
    public func sign(id: String, timestamp: Int64, body: [UInt8]) -> SignedRequest { SignedRequest() }
}
