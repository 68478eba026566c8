/// Decides whether a request really comes from the configured sender, from its raw body bytes.
public protocol SignatureVerifier: Sendable {
    /// A short name for logs and `check-config`, e.g. `standard-webhooks`.
    var scheme: String { get }

    /// Verifies `request` at time `now`.
    /// - Returns: what verification established (the signed delivery id, if the scheme has one).
    /// - Throws: `VerificationFailure`, whose reason goes to the log only, never to the answer.
    func verify(_ request: WebhookRequest, now: Timestamp) throws(VerificationFailure) -> VerifiedSender
}
