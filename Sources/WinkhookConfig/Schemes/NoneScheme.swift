import TOMLKit
import WebhookCore

/// `scheme = "none"`: no authentication. Refused unless the webhook sets `allow_unauthenticated = true`;
/// always warned about.
struct NoneScheme: SchemeReader {
    var name: String { "none" }
    var keys: Set<String> { [] }
    var usesSecrets: Bool { false }

    func read(_ table: TOMLTable, at: String, label: String, context: inout ParseContext) throws(ConfigurationError)
        -> SchemeReading
    {
        SchemeReading(verifier: UnauthenticatedVerifier(), sources: [])
    }
}
