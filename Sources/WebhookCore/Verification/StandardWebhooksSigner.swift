import Crypto
import FoundationEssentials

/// Signs a body the way a Standard Webhooks sender does (`v1` with a secret, `v1a` with a `whsk_` key);
/// used by `winkhook send` and by tests.
public struct StandardWebhooksSigner: RequestSigner {
    private enum Key: Sendable {
        case secret(StandardWebhooksSecret)
        case pair(StandardWebhooksKeyPair)
    }
    private let key: Key

    /// A `v1` (HMAC-SHA256) signer.
    public init(secret: StandardWebhooksSecret) {
        self.key = .secret(secret)
    }

    /// A `v1a` (Ed25519) signer; the pair must hold a private key.
    public init(keyPair: StandardWebhooksKeyPair) {
        self.key = .pair(keyPair)
    }

    /// The `v1,<base64>` or `v1a,<base64>` signature of `body` for delivery `id` at `timestamp`.
    public func signature(id: String, timestamp: Int64, body: [UInt8]) -> String {
        var signed = Array(id.utf8)
        signed.append(UInt8(ascii: "."))
        signed.append(contentsOf: String(timestamp).utf8)
        signed.append(UInt8(ascii: "."))
        signed.append(contentsOf: body)
        switch key {
        case .secret(let secret):
            let mac = HMAC<SHA256>.authenticationCode(for: signed, using: SymmetricKey(data: secret.key))
            return "v1," + Data(mac).base64EncodedString()
        case .pair(let pair):
            let signature = (try? pair.privateKey?.signature(for: signed)) ?? Data()
            return "v1a," + signature.base64EncodedString()
        }
    }

    /// The three Standard Webhooks headers for `body`.
    public func headers(id: String, timestamp: Int64, body: [UInt8]) -> [(name: String, value: String)] {
        [
            ("webhook-id", id), ("webhook-timestamp", String(timestamp)),
            ("webhook-signature", signature(id: id, timestamp: timestamp, body: body)),
        ]
    }

    public func sign(id: String, timestamp: Int64, body: [UInt8]) -> SignedRequest {
        SignedRequest(headers: headers(id: id, timestamp: timestamp, body: body))
    }
}
