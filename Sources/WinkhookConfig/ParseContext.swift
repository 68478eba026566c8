import TOMLKit
import WebhookCore

/// Typed access to TOML values with file-and-key error messages, and the webhook section's rules.
struct ParseContext {
    let path: String
    let environment: [String: String]
    let readSecretFile: (String) throws(ConfigurationError) -> String
    let isWorldReadable: (String) -> Bool
    var problems: [String] = []
    var warnings: [String] = []

    init(
        path: String, environment: [String: String],
        readSecretFile: @escaping (String) throws(ConfigurationError) -> String,
        isWorldReadable: @escaping (String) -> Bool
    ) {
        self.path = path
        self.environment = environment
        self.readSecretFile = readSecretFile
        self.isWorldReadable = isWorldReadable
    }

    func fail(_ key: String, _ message: String) -> ConfigurationError {
        ConfigurationError("\(path): \(key) \(message)")
    }

    func checkKeys(_ table: TOMLTable, allowed: Set<String>, at prefix: String) throws(ConfigurationError) {
        for key in table.keys where !allowed.contains(key) {
            let name = prefix.isEmpty ? key : "\(prefix).\(key)"
            throw ConfigurationError(
                "\(path): unknown key \(name) (known here: \(allowed.sorted().joined(separator: ", ")))")
        }
    }

    func table(_ table: TOMLTable, _ key: String) throws(ConfigurationError) -> TOMLTable? {
        guard let value = table[key] else { return nil }
        guard let result = value.table else { throw fail(key, "must be a table") }
        return result
    }

    func string(_ table: TOMLTable, _ key: String, at prefix: String) throws(ConfigurationError) -> String? {
        guard let value = table[key] else { return nil }
        guard let result = value.string else { throw fail("\(prefix).\(key)", "must be a string") }
        return result
    }

    func int(_ table: TOMLTable, _ key: String, at prefix: String) throws(ConfigurationError) -> Int? {
        guard let value = table[key] else { return nil }
        guard let result = value.int else { throw fail("\(prefix).\(key)", "must be an integer") }
        return result
    }

    func bool(_ table: TOMLTable, _ key: String, at prefix: String) throws(ConfigurationError) -> Bool? {
        guard let value = table[key] else { return nil }
        guard let result = value.bool else { throw fail("\(prefix).\(key)", "must be true or false") }
        return result
    }

    /// A string or an array of strings.
    func strings(_ table: TOMLTable, _ key: String, at prefix: String) throws(ConfigurationError) -> [String] {
        guard let value = table[key] else { return [] }
        if let single = value.string { return [single] }
        guard let array = value.array else { throw fail("\(prefix).\(key)", "must be a string or an array of strings") }
        var out: [String] = []
        for element in array {
            guard let text = element.string else { throw fail("\(prefix).\(key)", "must hold strings only") }
            out.append(text)
        }
        return out
    }

    mutating func webhook(_ table: TOMLTable, index: Int) throws(ConfigurationError) -> (
        WebhookEndpoint, WebhookSummary
    ) {
        let at = "webhook[\(index)]"
        try checkKeys(
            table, allowed: ["name", "enabled", "entity", "events", "path", "verify", "event_header"], at: at)
        guard let name = try string(table, "name", at: at), !name.isEmpty else {
            throw fail("\(at).name", "is required")
        }
        let label = "webhook \"\(name)\""
        guard let urlPath = try string(table, "path", at: at), urlPath.hasPrefix("/") else {
            throw fail("\(at).path", "is required and must start with /")
        }
        let enabled = try bool(table, "enabled", at: at) ?? true
        var entity: WebhookEndpoint.Entity?
        if let entityTable = try self.table(table, "entity") {
            try checkKeys(entityTable, allowed: ["identifier", "name"], at: "\(at).entity")
            guard let identifier = try string(entityTable, "identifier", at: "\(at).entity") else {
                throw fail("\(at).entity.identifier", "is required when entity is given")
            }
            entity = .init(identifier: identifier, name: try string(entityTable, "name", at: "\(at).entity") ?? "")
        }
        var events: Set<EventKey> = []
        for text in try strings(table, "events", at: at) {
            guard let key = EventKey(text) else { throw fail("\(at).events", "has a malformed event key \"\(text)\"") }
            if !key.isCataloged { warnings.append("\(label): event \(text) is not in Wink's catalogs") }
            events.insert(key)
        }
        let eventHeader = try string(table, "event_header", at: at)
        guard let verify = try self.table(table, "verify") else {
            throw fail("\(at).verify", "is required (how the sender is authenticated)")
        }
        let (verifier, summary) = try verification(verify, at: "\(at).verify", label: label)
        let webhook = WebhookEndpoint(
            name: name, enabled: enabled, entity: entity, events: events, path: urlPath, verifier: verifier,
            resolver: EventKeyResolver(extraHeader: eventHeader))
        return (
            webhook,
            WebhookSummary(
                name: name, path: urlPath, enabled: enabled, entity: entity.map { "\($0.name) (\($0.identifier))" },
                events: events.map(\.rawValue).sorted(), scheme: verifier.scheme, secretSources: summary.sources,
                secretCount: summary.count, toleranceSeconds: Int(verifier.toleranceSeconds))
        )
    }

    private mutating func verification(_ table: TOMLTable, at: String, label: String) throws(ConfigurationError)
        -> (StandardWebhooksVerifier, (sources: [String], count: Int))
    {
        try checkKeys(table, allowed: ["scheme", "secret", "secret_file", "secret_env", "tolerance"], at: at)
        let scheme = try string(table, "scheme", at: at) ?? "standard-webhooks"
        guard scheme == "standard-webhooks" else {
            throw fail("\(at).scheme", "\"\(scheme)\" is not supported (supported: standard-webhooks)")
        }
        let tolerance = try int(table, "tolerance", at: at) ?? 300
        guard (1...86_400).contains(tolerance) else { throw fail("\(at).tolerance", "must be 1 to 86400 seconds") }
        var texts: [(source: String, text: String)] = []
        var sources: [String] = []
        for file in try strings(table, "secret_file", at: at) {
            sources.append("file \(file)")
            do {
                let content = try readSecretFile(file)
                let lines = content.split(whereSeparator: { $0 == "\n" || $0 == "\r" })
                    .map { String($0).trimmingWhitespace() }.filter { !$0.isEmpty && !$0.hasPrefix("#") }
                if lines.isEmpty { problems.append("\(label): secret file \(file) is empty") }
                texts += lines.map { ("file \(file)", $0) }
                if isWorldReadable(file) { warnings.append("\(label): secret file \(file) is readable by everyone") }
            } catch {
                problems.append("\(label): \(error.reason)")
            }
        }
        for name in try strings(table, "secret_env", at: at) {
            sources.append("env \(name)")
            let value = environment[name] ?? ""
            let parts = value.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "," }).map(String.init)
            if parts.isEmpty { problems.append("\(label): environment variable \(name) is unset or empty") }
            texts += parts.map { ("env \(name)", $0) }
        }
        let inline = try strings(table, "secret", at: at)
        if !inline.isEmpty {
            sources.append("inline")
            warnings.append(
                "\(label): secret is written inline in the configuration file; prefer secret_file or secret_env")
            texts += inline.map { ("inline", $0) }
        }
        var secrets: [StandardWebhooksSecret] = []
        for (source, text) in texts {
            do {
                secrets.append(try StandardWebhooksSecret(text))
            } catch {
                problems.append("\(label): a secret from \(source) is unusable: \(error.reason)")
            }
        }
        if secrets.isEmpty {
            problems.append("\(label): no usable secret; every request will be refused with 401 (fail closed)")
        }
        return (
            StandardWebhooksVerifier(secrets: secrets, toleranceSeconds: Int64(tolerance)), (sources, secrets.count)
        )
    }
}
