import TOMLKit
import WebhookCore

/// The secrets of one verification method, from any mix of `secret_file` (one per line, `#` comments),
/// `secret_env` (space-separated) and `secret` (inline; works, with a warning). Scheme readers turn the
/// texts into keys; this type never interprets them.
struct SecretSources {
    /// Each secret text with where it came from (`file /etc/…`, `env NAME`, `inline`).
    var texts: [(source: String, text: String)] = []
    /// The sources, for `check-config`.
    var sources: [String] = []

    /// The keys every scheme with secrets accepts.
    static let keys: Set<String> = ["secret", "secret_file", "secret_env"]

    /// Reads the sources named in `table`; unreadable or empty ones become problems of `context`.
    init(_ table: TOMLTable, at: String, label: String, context: inout ParseContext) throws(ConfigurationError) {
        for file in try context.strings(table, "secret_file", at: at) {
            sources.append("file \(file)")
            do {
                let content = try context.readSecretFile(file)
                let lines = content.split(whereSeparator: { $0 == "\n" || $0 == "\r" })
                    .map { String($0).trimmingWhitespace() }.filter { !$0.isEmpty && !$0.hasPrefix("#") }
                if lines.isEmpty { context.problems.append("\(label): secret file \(file) is empty") }
                texts += lines.map { ("file \(file)", $0) }
                if context.isWorldReadable(file) {
                    context.warnings.append("\(label): secret file \(file) is readable by everyone")
                }
            } catch {
                context.problems.append("\(label): \(error.reason)")
            }
        }
        for name in try context.strings(table, "secret_env", at: at) {
            sources.append("env \(name)")
            let value = context.environment[name] ?? ""
            let parts = value.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)
            if parts.isEmpty { context.problems.append("\(label): environment variable \(name) is unset or empty") }
            texts += parts.map { ("env \(name)", $0) }
        }
        let inline = try context.strings(table, "secret", at: at)
        if !inline.isEmpty {
            sources.append("inline")
            context.warnings.append(
                "\(label): a secret is written inline in the configuration file; prefer secret_file or secret_env")
            texts += inline.map { ("inline", $0) }
        }
    }

    /// Parses every text with `parse`; the unusable ones become problems (never showing the text).
    func parsed<T>(
        label: String, context: inout ParseContext, _ parse: (String) throws(SecretError) -> T
    ) -> [T] {
        var out: [T] = []
        for (source, text) in texts {
            do {
                out.append(try parse(text))
            } catch {
                context.problems.append("\(label): a secret from \(source) is unusable: \(error.reason)")
            }
        }
        return out
    }
}
