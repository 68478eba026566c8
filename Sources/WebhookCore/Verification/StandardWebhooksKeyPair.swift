import Crypto
import FoundationEssentials

/// A Standard Webhooks asymmetric key (`v1a`, Ed25519): `whpk_<base64 32-byte public key>` verifies;
/// `whsk_<base64 secret key>` (a 32-byte seed, or 64 bytes of seed and public key) also signs.
public struct StandardWebhooksKeyPair: Sendable, CustomStringConvertible {
    /// The verifying key.
    public let publicKey: Curve25519.Signing.PublicKey
    /// The signing key, when a `whsk_` key was given.
    public let privateKey: Curve25519.Signing.PrivateKey?

    /// Whether `text` is an asymmetric key rather than a `whsec_` secret.
    public static func isAsymmetric(_ text: String) -> Bool {
        let trimmed = text.trimmingWhitespace()
        return trimmed.hasPrefix("whpk_") || trimmed.hasPrefix("whsk_")
    }

    /// Parses `whpk_…` or `whsk_…`.
    /// - Throws: `SecretError` when the prefix is missing, the base64 is bad or the length is wrong.
    public init(_ text: String) throws(SecretError) {
        let trimmed = text.trimmingWhitespace()
        let isSecret = trimmed.hasPrefix("whsk_")
        guard isSecret || trimmed.hasPrefix("whpk_") else {
            throw SecretError(reason: "an asymmetric key starts with whpk_ (public) or whsk_ (secret)")
        }
        guard let data = Data(base64Encoded: String(trimmed.dropFirst(5))) else {
            throw SecretError(reason: "the key is not base64 after its prefix")
        }
        do {
            if isSecret {
                guard data.count == 32 || data.count == 64 else {
                    throw SecretError(reason: "a whsk_ key decodes to \(data.count) bytes; 32 or 64 are needed")
                }
                let key = try Curve25519.Signing.PrivateKey(rawRepresentation: data.prefix(32))
                self.privateKey = key
                self.publicKey = key.publicKey
            } else {
                guard data.count == 32 else {
                    throw SecretError(reason: "a whpk_ key decodes to \(data.count) bytes; 32 are needed")
                }
                self.privateKey = nil
                self.publicKey = try Curve25519.Signing.PublicKey(rawRepresentation: data)
            }
        } catch let error as SecretError {
            throw error
        } catch {
            throw SecretError(reason: "not a valid Ed25519 key")
        }
    }

    /// Creates a pair from a signing key.
    public init(privateKey: Curve25519.Signing.PrivateKey) {
        self.privateKey = privateKey
        self.publicKey = privateKey.publicKey
    }

    /// `whpk_…`, the public key to give a verifier.
    public var publicText: String { "whpk_" + Data(publicKey.rawRepresentation).base64EncodedString() }

    public var description: String { privateKey == nil ? "whpk_…" : "whsk_…" }
}
