import Crypto
import FoundationEssentials

/// Verifies Standard Webhooks signatures (https://www.standardwebhooks.com, spec v1):
/// headers `webhook-id`, `webhook-timestamp`, `webhook-signature` (also `svix-*`); `v1,<base64>` entries
/// are HMAC-SHA256 over `id.timestamp.body` with a decoded `whsec_` secret, `v1a,<base64>` entries Ed25519
/// signatures over the same bytes with a `whpk_` key. Any entry may match any key; timestamp digits only,
/// within ± tolerance.
///
/// Cost is bounded whatever the header holds: one HMAC per configured secret (compared in constant time
/// with every `v1` entry), and at most `maximumAsymmetricChecks` Ed25519 verifications.
public struct StandardWebhooksVerifier: SignatureVerifier {
    public var scheme: String { "standard-webhooks" }
    /// The accepted secrets (rotation: old and new at once).
    public let secrets: [StandardWebhooksSecret]
    /// The accepted Ed25519 keys (`v1a`).
    public let keyPairs: [StandardWebhooksKeyPair]
    /// Allowed clock skew, both directions, in seconds.
    public let toleranceSeconds: Int64
    /// The secrets as HMAC keys, made ready once.
    private let keys: [PreparedMACKey]

    /// At most this many signature entries are looked at.
    static let maximumEntries = 16
    /// At most this many Ed25519 verifications per request (and never more than one past the number of
    /// keys: a rotating sender lists one signature per key).
    static let maximumAsymmetricChecks = 4

    /// Creates a verifier. No secret and no key makes every request fail (fail closed).
    public init(
        secrets: [StandardWebhooksSecret], keyPairs: [StandardWebhooksKeyPair] = [], toleranceSeconds: Int64 = 300
    ) {
        self.secrets = secrets
        self.keyPairs = keyPairs
        self.toleranceSeconds = toleranceSeconds
        self.keys = secrets.map { MACAlgorithm.sha256.prepared(SymmetricKey(data: $0.key)) }
    }

    public var summary: VerifierSummary {
        VerifierSummary(
            scheme: scheme,
            details: "webhook-id/-timestamp/-signature, v1 (HMAC-SHA256) and v1a (Ed25519), ±\(toleranceSeconds) s",
            secretCount: secrets.count + keyPairs.count)
    }

    public var signer: (any RequestSigner)? {
        if let secret = secrets.first { return StandardWebhooksSigner(secret: secret) }
        if let pair = keyPairs.first(where: { $0.privateKey != nil }) { return StandardWebhooksSigner(keyPair: pair) }
        return nil
    }

    /// The parsed headers of a request.
    struct Parts {
        let id: String
        let timestampText: String
        let macs: [[UInt8]]
        let signatures: [[UInt8]]
    }

    /// Headers present, id sane, timestamp in the window; the signature entries are decoded by `verify`.
    public func check(_ head: RequestHead, now: Timestamp) -> HeadCheck {
        .needsBody { () throws(VerificationFailure) in _ = try identity(head, now: now) }
    }

    public func verify(_ request: WebhookRequest, now: Timestamp) throws(VerificationFailure) -> VerifiedSender {
        let parts = try parts(request.head, now: now)
        var prefix = Array(parts.id.utf8)
        prefix.append(UInt8(ascii: "."))
        prefix.append(contentsOf: parts.timestampText.utf8)
        prefix.append(UInt8(ascii: "."))
        var matched = ConstantTime.anyMatches(parts.macs, keys: keys) { key in
            key.code(prefix: prefix, body: request.body)
        }
        if !matched, !parts.signatures.isEmpty, !keyPairs.isEmpty {
            let signed = prefix + request.body
            let limit = min(StandardWebhooksVerifier.maximumAsymmetricChecks, keyPairs.count + 1)
            var checks = 0
            outer: for signature in parts.signatures {
                for pair in keyPairs {
                    guard checks < limit else { break outer }
                    checks += 1
                    if pair.publicKey.isValidSignature(signature, for: signed) {
                        matched = true
                        break outer
                    }
                }
            }
        }
        guard matched else {
            throw VerificationFailure(
                .noMatchingSignature,
                "none of \(parts.macs.count) v1 and \(parts.signatures.count) v1a signature(s) matched "
                    + "\(secrets.count) secret(s) and \(keyPairs.count) key(s)")
        }
        return VerifiedSender(scheme: scheme, deliveryID: parts.id)
    }

    /// Everything but the MAC: headers present, id sane, timestamp in the window, some usable entry.
    func parts(_ head: RequestHead, now: Timestamp) throws(VerificationFailure) -> Parts {
        let (id, timestampText, signatureHeader) = try identity(head, now: now)
        var macs: [[UInt8]] = []
        var signatures: [[UInt8]] = []
        // Split on the bytes (a `Character` split costs more than the MAC of a small body).
        for entryBytes in signatureHeader.utf8.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: true)
            .prefix(StandardWebhooksVerifier.maximumEntries)
        {
            let entry = Substring(entryBytes)
            if entry.hasPrefix("v1,"), !keys.isEmpty, let bytes = Data(base64Encoded: String(entry.dropFirst(3))),
                bytes.count == SHA256.byteCount
            {
                macs.append(Array(bytes))
            } else if entry.hasPrefix("v1a,"), !keyPairs.isEmpty,
                let bytes = Data(base64Encoded: String(entry.dropFirst(4))), bytes.count == 64
            {
                signatures.append(Array(bytes))
            }
        }
        guard !macs.isEmpty || !signatures.isEmpty else {
            throw VerificationFailure(
                .malformedHeader, "webhook-signature has no \(keys.isEmpty ? "v1a" : "v1") entry")
        }
        return Parts(id: id, timestampText: timestampText, macs: macs, signatures: signatures)
    }

    /// The id, timestamp and signature header, checked: present once, id sane, timestamp in the window.
    func identity(_ head: RequestHead, now: Timestamp) throws(VerificationFailure) -> (String, String, String) {
        guard !secrets.isEmpty || !keyPairs.isEmpty else {
            throw VerificationFailure(.noSecrets, "no secret is configured")
        }
        let headers = head.headers
        let id = try headers.credential("webhook-id", or: "svix-id")
        let timestampText = try headers.credential("webhook-timestamp", or: "svix-timestamp")
        let signatureHeader = try headers.credential("webhook-signature", or: "svix-signature")
        guard id.utf8.count <= 256, !id.utf8.contains(UInt8(ascii: ".")) else {
            throw VerificationFailure(.malformedHeader, "webhook-id is longer than 256 bytes or contains '.'")
        }
        guard let timestamp = UnixTimestamp.parse(timestampText) else {
            throw VerificationFailure(.malformedHeader, "webhook-timestamp is not an integer of digits")
        }
        try UnixTimestamp.checkWindow(timestamp, now: now, tolerance: toleranceSeconds)
        return (id, timestampText, signatureHeader)
    }
}
