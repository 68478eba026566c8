import TOMLKit
import WebhookCore

/// Reads one verification scheme's `[webhook.verify]` table into its verifier. One reader per scheme,
/// looked up by name in `SchemeRegistry`; secrets come through `SecretSources`.
protocol SchemeReader: Sendable {
    /// The `scheme = "…"` value.
    var name: String { get }
    /// Keys of its own, besides `scheme` (and the secret keys when `usesSecrets`).
    var keys: Set<String> { get }
    /// Whether it reads `secret`, `secret_file` and `secret_env`.
    var usesSecrets: Bool { get }

    /// The verifier for `table` (already checked for unknown keys).
    func read(_ table: TOMLTable, at: String, label: String, context: inout ParseContext) throws(ConfigurationError)
        -> SchemeReading
}

extension SchemeReader {
    var usesSecrets: Bool { true }
}

/// What a scheme reader produced.
struct SchemeReading {
    var verifier: any SignatureVerifier
    /// Where its secrets come from, for `check-config`.
    var sources: [String]
    /// A header whose value names the event within a namespace (GitHub's `X-GitHub-Event: push` →
    /// `github.push`).
    var eventHeader: (header: String, namespace: String)?
}

extension ParseContext {
    /// `tolerance` in seconds (1 to 86400), default 300.
    func tolerance(_ table: TOMLTable, at: String) throws(ConfigurationError) -> Int64 {
        let tolerance = try int(table, "tolerance", at: at) ?? 300
        guard (1...86_400).contains(tolerance) else { throw fail("\(at).tolerance", "must be 1 to 86400 seconds") }
        return Int64(tolerance)
    }

    /// Secret texts as raw key bytes (the HMAC schemes other than Standard Webhooks).
    mutating func rawSecrets(_ table: TOMLTable, at: String, label: String) throws(ConfigurationError)
        -> ([[UInt8]], SecretSources)
    {
        let sources = try SecretSources(table, at: at, label: label, context: &self)
        let secrets = sources.parsed(label: label, context: &self) { (text: String) throws(SecretError) in
            guard text.utf8.count >= 8 else {
                throw SecretError(reason: "it has \(text.utf8.count) bytes; at least 8 are needed")
            }
            return Array(text.utf8)
        }
        return (secrets, sources)
    }
}
