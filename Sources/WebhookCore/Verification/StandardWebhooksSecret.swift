import FoundationEssentials

/// A Standard Webhooks signing secret: `whsec_` followed by base64 key bytes.
///
/// The HMAC key is the decoded bytes (not the string). `v1,whsec_…` and a bare base64 string are also
/// accepted. Its description never shows the key.
public struct StandardWebhooksSecret: Sendable, CustomStringConvertible {
    let key: [UInt8]

    /// Parses a secret.
    /// - Throws: `SecretError` when it is empty, not base64, or shorter than 16 bytes decoded.
    public init(_ text: String) throws(SecretError) {
        var body = Substring(text.trimmingWhitespace())
        if body.hasPrefix("v1,") { body = body.dropFirst(3) }
        if body.hasPrefix("whsec_") { body = body.dropFirst(6) }
        guard !body.isEmpty else { throw SecretError(reason: "the secret is empty") }
        guard let data = Data(base64Encoded: String(body)) else {
            throw SecretError(reason: "the secret is not whsec_ followed by base64")
        }
        guard data.count >= 16 else {
            throw SecretError(reason: "the secret decodes to \(data.count) bytes; at least 16 are needed")
        }
        self.key = Array(data)
    }

    /// Creates a secret from raw key bytes.
    public init(keyBytes: [UInt8]) {
        self.key = keyBytes
    }

    /// The `whsec_…` text form.
    public var text: String { "whsec_" + Data(key).base64EncodedString() }

    public var description: String { "whsec_…(\(key.count) bytes)" }
}

/// Why a configured secret is unusable. Never contains the secret.
public struct SecretError: Error, Sendable, CustomStringConvertible {
    /// What was wrong.
    public var reason: String
    public var description: String { reason }

    /// Creates an error.
    public init(reason: String) {
        self.reason = reason
    }
}
