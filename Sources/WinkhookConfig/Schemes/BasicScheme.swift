import TOMLKit
import WebhookCore

/// `scheme = "basic"`: `user:password` pairs (one per line of a `secret_file`, or space-separated).
struct BasicScheme: SchemeReader {
    var name: String { "basic" }
    var keys: Set<String> { [] }

    func read(_ table: TOMLTable, at: String, label: String, context: inout ParseContext) throws(ConfigurationError)
        -> SchemeReading
    {
        let sources = try SecretSources(table, at: at, label: label, context: &context)
        let credentials = sources.parsed(label: label, context: &context) { (text: String) throws(SecretError) in
            guard let credential = BasicAuthVerifier.Credential(line: text) else {
                throw SecretError(reason: "not user:password with a non-empty user and password")
            }
            guard credential.password.utf8.count >= 12 else {
                throw SecretError(reason: "the password has fewer than 12 characters")
            }
            return credential
        }
        return SchemeReading(verifier: BasicAuthVerifier(credentials: credentials), sources: sources.sources)
    }
}
