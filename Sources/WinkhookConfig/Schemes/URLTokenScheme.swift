import TOMLKit
import WebhookCore

/// `scheme = "url-token"`: tokens of at least 128 bits; `query_parameter` (default `token`, `""` to
/// ignore the query) and `in_path` (default true: the path's last segment).
struct URLTokenScheme: SchemeReader {
    var name: String { "url-token" }
    var keys: Set<String> { ["query_parameter", "in_path"] }

    func read(_ table: TOMLTable, at: String, label: String, context: inout ParseContext) throws(ConfigurationError)
        -> SchemeReading
    {
        let parameter = try context.string(table, "query_parameter", at: at) ?? "token"
        let inPath = try context.bool(table, "in_path", at: at) ?? true
        guard inPath || !parameter.isEmpty else {
            throw context.fail(at, "takes the token from nowhere: set in_path = true or a query_parameter")
        }
        let sources = try SecretSources(table, at: at, label: label, context: &context)
        let tokens = sources.parsed(label: label, context: &context) { (text: String) throws(SecretError) in
            if let problem = URLTokenVerifier.problem(with: text) { throw SecretError(reason: problem) }
            return text
        }
        let verifier = URLTokenVerifier(
            tokens: tokens, queryParameter: parameter.isEmpty ? nil : parameter, acceptsPath: inPath)
        return SchemeReading(verifier: verifier, sources: sources.sources)
    }
}
