import Crypto
import FoundationEssentials

/// Verifies Standard Webhooks signatures (https://www.standardwebhooks.com, spec v1):
/// headers `webhook-id`, `webhook-timestamp`, `webhook-signature` (also `svix-*`), HMAC-SHA256 over
/// `id.timestamp.body` with the decoded secret, any of several `v1,<base64>` entries against any of
/// several configured secrets, compared in constant time; timestamp digits only, within ± tolerance.
public struct StandardWebhooksVerifier: SignatureVerifier {
    public var scheme: String { "standard-webhooks" }
    /// The accepted secrets (rotation: old and new at once).
    public let secrets: [StandardWebhooksSecret]
    /// Allowed clock skew, both directions, in seconds.
    public let toleranceSeconds: Int64
    /// The secrets as HMAC keys, made once.
    private let keys: [SymmetricKey]

    /// At most this many signature entries are looked at.
    static let maximumEntries = 16

    /// Creates a verifier. An empty secret list makes every request fail (fail closed).
    public init(secrets: [StandardWebhooksSecret], toleranceSeconds: Int64 = 300) {
        self.secrets = secrets
        self.toleranceSeconds = toleranceSeconds
        self.keys = secrets.map { SymmetricKey(data: $0.key) }
    }

    public func verify(_ request: WebhookRequest, now: Timestamp) throws(VerificationFailure) -> VerifiedSender {
        guard !secrets.isEmpty else { throw VerificationFailure(.noSecrets, "no secret is configured") }
        let headers = request.head.headers
        let id = try single(headers, "webhook-id", "svix-id")
        let timestampText = try single(headers, "webhook-timestamp", "svix-timestamp")
        let signatureHeader = try single(headers, "webhook-signature", "svix-signature")
        guard id.utf8.count <= 256, !id.utf8.contains(UInt8(ascii: ".")) else {
            throw VerificationFailure(.malformedHeader, "webhook-id is longer than 256 bytes or contains '.'")
        }
        guard let timestamp = StandardWebhooksVerifier.parseTimestamp(timestampText) else {
            throw VerificationFailure(.malformedHeader, "webhook-timestamp is not an integer of digits")
        }
        let skew = now.seconds - timestamp
        guard skew <= toleranceSeconds, -skew <= toleranceSeconds else {
            throw VerificationFailure(
                .timestampOutsideWindow, "timestamp is \(skew) s from now (window ±\(toleranceSeconds) s)")
        }
        var candidates: [[UInt8]] = []
        for entry in signatureHeader.split(separator: " ", omittingEmptySubsequences: true)
            .prefix(StandardWebhooksVerifier.maximumEntries)
        {
            guard entry.hasPrefix("v1,"), let bytes = Data(base64Encoded: String(entry.dropFirst(3))),
                bytes.count == SHA256.byteCount
            else { continue }
            candidates.append(Array(bytes))
        }
        guard !candidates.isEmpty else {
            throw VerificationFailure(.malformedHeader, "webhook-signature has no v1 entry")
        }
        var signed: [UInt8] = []
        signed.reserveCapacity(id.utf8.count + timestampText.utf8.count + 2 + request.body.count)
        signed.append(contentsOf: id.utf8)
        signed.append(UInt8(ascii: "."))
        signed.append(contentsOf: timestampText.utf8)
        signed.append(UInt8(ascii: "."))
        signed.append(contentsOf: request.body)
        var matched = false
        for key in keys {
            for candidate in candidates
            where HMAC<SHA256>.isValidAuthenticationCode(candidate, authenticating: signed, using: key) {
                matched = true
            }
        }
        guard matched else {
            throw VerificationFailure(
                .noMatchingSignature, "none of \(candidates.count) v1 signature(s) matched \(secrets.count) secret(s)")
        }
        return VerifiedSender(signedDeliveryID: id)
    }

    private func single(_ headers: HTTPHeaders, _ name: String, _ alternative: String) throws(VerificationFailure)
        -> String
    {
        var values = headers.values(name)
        if values.isEmpty { values = headers.values(alternative) }
        guard !values.isEmpty, !values[0].isEmpty else {
            throw VerificationFailure(.missingHeader, "\(name) is missing")
        }
        guard values.count == 1 else { throw VerificationFailure(.malformedHeader, "\(name) is sent more than once") }
        return values[0]
    }

    /// Parses a Unix timestamp of 1 to 12 ASCII digits; signs, decimals, exponents, `nan` → `nil`.
    public static func parseTimestamp(_ text: String) -> Int64? {
        let utf8 = text.utf8
        guard (1...12).contains(utf8.count) else { return nil }
        var value: Int64 = 0
        for c in utf8 {
            guard c >= 48, c <= 57 else { return nil }
            value = value * 10 + Int64(c - 48)
        }
        return value > 0 ? value : nil
    }
}
