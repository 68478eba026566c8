/// One way a sender proves itself (a scheme: Standard Webhooks, a URL token, HTTP Basic, an HMAC header…).
///
/// A scheme is one small, complete piece: it verifies, describes itself for `check-config` (never a secret)
/// and offers a signer to `winkhook send`, so no command needs to know a concrete scheme.
public protocol SignatureVerifier: Sendable {
    /// The scheme's name in the configuration, e.g. `standard-webhooks`.
    var scheme: String { get }

    /// What `check-config` prints about this method; never secret material.
    var summary: VerifierSummary { get }

    /// What can be decided from the head alone, before any body byte is read. Header-only schemes decide
    /// here; body schemes refuse here when their headers are missing or stale, so an unauthenticated
    /// request costs no body read and no MAC.
    func check(_ head: RequestHead, now: Timestamp) -> HeadCheck

    /// Verifies the whole request at time `now` (called only when `check` answered `.needsBody`).
    /// - Throws: `VerificationFailure`, whose reason goes to the log only, never to the answer.
    func verify(_ request: WebhookRequest, now: Timestamp) throws(VerificationFailure) -> VerifiedSender

    /// A signer that makes requests this verifier accepts (for `winkhook send` and tests), if it can.
    var signer: (any RequestSigner)? { get }

    /// A header for 401 answers (HTTP Basic's `WWW-Authenticate`), if the scheme has one.
    var challenge: (name: String, value: String)? { get }

    /// Whether a credential may be the request path's last segment: the path is then masked in logs and
    /// that segment is never read as an event key.
    var readsPathToken: Bool { get }

    /// Headers (lowercase) that carry this scheme's credential: never archived.
    var credentialHeaders: [String] { get }
}

extension SignatureVerifier {
    public func check(_ head: RequestHead, now: Timestamp) -> HeadCheck { .needsBody }
    public var signer: (any RequestSigner)? { nil }
    public var challenge: (name: String, value: String)? { nil }
    public var readsPathToken: Bool { false }
    public var credentialHeaders: [String] { [] }
}

/// The result of checking a request head.
public enum HeadCheck: Sendable {
    /// Authentic on the head alone.
    case verified(VerifiedSender)
    /// The head is plausible; the body decides.
    case needsBody
    /// Refused on the head alone.
    case failed(VerificationFailure)

    /// `.needsBody` when `checks` passes, else `.failed` with its failure (for body schemes).
    static func needsBody(if checks: () throws(VerificationFailure) -> Void) -> HeadCheck {
        do {
            try checks()
            return .needsBody
        } catch {
            return .failed(error)
        }
    }

    /// The sender of a head-only scheme's check, or its failure (for `verify`).
    func sender() throws(VerificationFailure) -> VerifiedSender {
        switch self {
        case .verified(let sender): return sender
        case .failed(let failure): throw failure
        case .needsBody: throw VerificationFailure(.missingCredential, "no credential")
        }
    }
}

/// A verification method as `check-config` shows it.
public struct VerifierSummary: Sendable, Equatable {
    /// The scheme name.
    public var scheme: String
    /// Its settings in words (header names, algorithm, tolerance), never a secret.
    public var details: String
    /// How many secrets, keys, tokens or credentials it holds.
    public var secretCount: Int

    /// Creates a summary.
    public init(scheme: String, details: String, secretCount: Int) {
        self.scheme = scheme
        self.details = details
        self.secretCount = secretCount
    }
}
