import Crypto

/// Stripe's scheme: `Stripe-Signature: t=<unix>,v1=<hex>[,v1=<hex>…]`, HMAC-SHA256 over `t.body` with
/// the endpoint secret's text as the key (`whsec_…` as is, not decoded); the timestamp within ± tolerance
/// both ways. One MAC per secret, compared with every `v1` (at most 16).
public struct StripeVerifier: SignatureVerifier {
    public var scheme: String { "stripe" }
    public let toleranceSeconds: Int64
    private let secrets: [[UInt8]]
    private let keys: [PreparedMACKey]

    /// Creates a verifier; the secrets are the key bytes as given. None makes every request fail.
    public init(secrets: [[UInt8]], toleranceSeconds: Int64 = 300) {
        self.secrets = secrets
        self.keys = secrets.map { MACAlgorithm.sha256.prepared(SymmetricKey(data: $0)) }
        self.toleranceSeconds = toleranceSeconds
    }

    public var summary: VerifierSummary {
        VerifierSummary(
            scheme: scheme, details: "Stripe-Signature t=…,v1=<hex HMAC-SHA256 of t.body>, ±\(toleranceSeconds) s",
            secretCount: keys.count)
    }

    public var signer: (any RequestSigner)? { secrets.first.map(StripeSigner.init(secret:)) }

    public func check(_ head: RequestHead, now: Timestamp) -> HeadCheck {
        .needsBody { () throws(VerificationFailure) in _ = try parts(head, now: now) }
    }

    public func verify(_ request: WebhookRequest, now: Timestamp) throws(VerificationFailure) -> VerifiedSender {
        let (timestamp, candidates) = try parts(request.head, now: now)
        let prefix = Array((timestamp + ".").utf8)
        let matched = ConstantTime.anyMatches(candidates, keys: keys) { key in
            key.code(prefix: prefix, body: request.body)
        }
        guard matched else {
            throw VerificationFailure(
                .noMatchingSignature, "none of \(candidates.count) v1 signature(s) matched \(keys.count) secret(s)")
        }
        return VerifiedSender(scheme: scheme)
    }

    func parts(_ head: RequestHead, now: Timestamp) throws(VerificationFailure) -> (String, [[UInt8]]) {
        guard !keys.isEmpty else { throw VerificationFailure(.noSecrets, "no secret is configured") }
        let value = try head.headers.credential("stripe-signature")
        var timestamp: String?
        var candidates: [[UInt8]] = []
        var entries = 0
        for item in value.split(separator: ",") {
            entries += 1
            guard entries <= 32 else { break }
            let pair = item.split(separator: "=", maxSplits: 1)
            guard pair.count == 2 else { continue }
            let name = String(pair[0]).trimmingWhitespace()
            if name == "t" {
                guard timestamp == nil else {
                    throw VerificationFailure(.malformedHeader, "Stripe-Signature has two timestamps")
                }
                timestamp = String(pair[1])
            } else if name == "v1", candidates.count < 16, let bytes = Hex.decode(pair[1]), bytes.count == 32 {
                candidates.append(bytes)
            }
        }
        guard let timestamp, let seconds = UnixTimestamp.parse(timestamp) else {
            throw VerificationFailure(.malformedHeader, "Stripe-Signature has no t=<digits>")
        }
        try UnixTimestamp.checkWindow(seconds, now: now, tolerance: toleranceSeconds)
        guard !candidates.isEmpty else {
            throw VerificationFailure(.malformedHeader, "Stripe-Signature has no v1 entry")
        }
        return (timestamp, candidates)
    }
}

/// Signs like Stripe does.
public struct StripeSigner: RequestSigner {
    let secret: [UInt8]

    public func sign(id: String, timestamp: Int64, body: [UInt8]) -> SignedRequest {
        let mac = MACAlgorithm.sha256.code(
            key: SymmetricKey(data: secret), prefix: Array("\(timestamp).".utf8), body: body)
        return SignedRequest(headers: [("Stripe-Signature", "t=\(timestamp),v1=" + Hex.encode(mac))])
    }
}
