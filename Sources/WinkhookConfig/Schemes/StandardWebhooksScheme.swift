import TOMLKit
import WebhookCore

/// `scheme = "standard-webhooks"`: `whsec_` secrets (v1) and `whpk_`/`whsk_` keys (v1a), `tolerance`.
struct StandardWebhooksScheme: SchemeReader {
    var name: String { "standard-webhooks" }
    var keys: Set<String> { ["tolerance"] }

    func read(_ table: TOMLTable, at: String, label: String, context: inout ParseContext) throws(ConfigurationError)
        -> SchemeReading
    {
        let tolerance = try context.tolerance(table, at: at)
        let sources = try SecretSources(table, at: at, label: label, context: &context)
        var symmetric = sources
        symmetric.texts.removeAll { StandardWebhooksKeyPair.isAsymmetric($0.text) }
        var asymmetric = sources
        asymmetric.texts.removeAll { !StandardWebhooksKeyPair.isAsymmetric($0.text) }
        let secrets = symmetric.parsed(label: label, context: &context) { (text: String) throws(SecretError) in
            try StandardWebhooksSecret(text)
        }
        let pairs = asymmetric.parsed(label: label, context: &context) { (text: String) throws(SecretError) in
            try StandardWebhooksKeyPair(text)
        }
        let verifier = StandardWebhooksVerifier(secrets: secrets, keyPairs: pairs, toleranceSeconds: tolerance)
        return SchemeReading(verifier: verifier, sources: sources.sources)
    }
}
