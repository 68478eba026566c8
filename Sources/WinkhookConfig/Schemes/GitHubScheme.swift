import TOMLKit
import WebhookCore

/// `scheme = "github"`: `X-Hub-Signature-256: sha256=<hex>` of the body with the secret's bytes;
/// `X-GitHub-Delivery` is the delivery id, `X-GitHub-Event` the event key (`push` → `github.push`).
struct GitHubScheme: SchemeReader {
    var name: String { "github" }
    var keys: Set<String> { [] }

    func read(_ table: TOMLTable, at: String, label: String, context: inout ParseContext) throws(ConfigurationError)
        -> SchemeReading
    {
        let (secrets, sources) = try context.rawSecrets(table, at: at, label: label)
        return SchemeReading(
            verifier: HMACVerifier(scheme: name, settings: .github, secrets: secrets), sources: sources.sources,
            eventHeader: ("X-GitHub-Event", "github"))
    }
}
