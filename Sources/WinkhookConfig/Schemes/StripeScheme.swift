import TOMLKit
import WebhookCore

/// `scheme = "stripe"`: `Stripe-Signature: t=…,v1=…`, the secret's text as the key, `tolerance`.
struct StripeScheme: SchemeReader {
    var name: String { "stripe" }
    var keys: Set<String> { ["tolerance"] }

    func read(_ table: TOMLTable, at: String, label: String, context: inout ParseContext) throws(ConfigurationError)
        -> SchemeReading
    {
        let tolerance = try context.tolerance(table, at: at)
        let (secrets, sources) = try context.rawSecrets(table, at: at, label: label)
        return SchemeReading(
            verifier: StripeVerifier(secrets: secrets, toleranceSeconds: tolerance), sources: sources.sources)
    }
}
