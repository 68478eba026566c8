import Crypto
import FoundationEssentials

/// Signs a body the way a Standard Webhooks sender does; used by `winkhook send` and by tests.
public struct StandardWebhooksSigner: Sendable {
    /// The secret to sign with.
    public let secret: StandardWebhooksSecret

    /// Creates a signer.
    public init(secret: StandardWebhooksSecret) {
        self.secret = secret
    }

    /// The `v1,<base64>` signature of `body` for delivery `id` at `timestamp` (Unix seconds).
    public func signature(id: String, timestamp: Int64, body: [UInt8]) -> String {
        var signed = Array(id.utf8)
        signed.append(UInt8(ascii: "."))
        signed.append(contentsOf: String(timestamp).utf8)
        signed.append(UInt8(ascii: "."))
        signed.append(contentsOf: body)
        let mac = HMAC<SHA256>.authenticationCode(for: signed, using: SymmetricKey(data: secret.key))
        return "v1," + Data(mac).base64EncodedString()
    }

    /// The three Standard Webhooks headers for `body`.
    public func headers(id: String, timestamp: Int64, body: [UInt8]) -> [(name: String, value: String)] {
        [
            ("webhook-id", id), ("webhook-timestamp", String(timestamp)),
            ("webhook-signature", signature(id: id, timestamp: timestamp, body: body)),
        ]
    }
}
