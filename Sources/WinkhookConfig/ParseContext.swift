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
            table,
            allowed: [
                "name", "enabled", "entity", "events", "path", "verify", "event_header", "allow_from",
                "trusted_proxies", "forwarded_header", "allow_unauthenticated",
            ], at: at)
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
        var namespaced: [(header: String, namespace: String)] = []
        let forwardedName = try string(table, "forwarded_header", at: at)?.lowercased() ?? "x-forwarded-for"
        guard let forwarded = SourcePolicy.ForwardingHeader(rawValue: forwardedName) else {
            throw fail("\(at).forwarded_header", "must be X-Forwarded-For or X-Real-IP")
        }
        let proxies = try ranges(table, "trusted_proxies", at: at)
        for range in proxies where range.prefixLength < (range.isIPv4 ? 8 : 32) {
            throw fail(
                "\(at).trusted_proxies",
                "has \(range), which trusts almost everyone's forwarding header (at most /8, or /32 for IPv6)")
        }
        let source = SourcePolicy(
            allowFrom: try ranges(table, "allow_from", at: at), trustedProxies: proxies, forwardingHeader: forwarded)
        if !proxies.isEmpty, source.allowFrom.isEmpty {
            warnings.append("\(label): trusted_proxies has no effect without allow_from")
        }
        let allowUnauthenticated = try bool(table, "allow_unauthenticated", at: at) ?? false

        let methods = try verifyTables(table, at: at)
        var verifiers: [any SignatureVerifier] = []
        var summaries: [MethodSummary] = []
        for (number, (methodTable, methodAt)) in methods.enumerated() {
            let schemeName = try string(methodTable, "scheme", at: methodAt) ?? "standard-webhooks"
            guard let reader = SchemeRegistry.reader(named: schemeName) else {
                throw fail(
                    "\(methodAt).scheme",
                    "\"\(schemeName)\" is not a known scheme (known: \(SchemeRegistry.names.joined(separator: ", ")))")
            }
            try checkKeys(
                methodTable, allowed: reader.keys.union(["scheme"]).union(reader.usesSecrets ? SecretSources.keys : []),
                at: methodAt)
            if schemeName == "none" {
                guard allowUnauthenticated else {
                    throw fail(
                        "\(methodAt).scheme",
                        "\"none\" accepts anyone; it needs allow_unauthenticated = true on the webhook")
                }
                warnings.append("\(label): NO AUTHENTICATION (scheme none): anyone who reaches \(urlPath) is accepted")
            }
            let reading = try reader.read(methodTable, at: methodAt, label: label, context: &self)
            if reading.verifier.summary.secretCount == 0, schemeName != "none" {
                problems.append(
                    "\(label): method \(number + 1) (\(schemeName)) has no usable secret; it refuses everything")
            }
            if let header = reading.eventHeader { namespaced.append(header) }
            verifiers.append(reading.verifier)
            summaries.append(MethodSummary(verifier: reading.verifier.summary, sources: reading.sources))
        }
        if allowUnauthenticated, !verifiers.contains(where: { $0.scheme == "none" }) {
            warnings.append("\(label): allow_unauthenticated = true has no effect without a scheme = \"none\" method")
        }
        if verifiers.allSatisfy({ $0.summary.secretCount == 0 && $0.scheme != "none" }) {
            problems.append("\(label): no usable secret; every request will be refused with 401 (fail closed)")
        }
        let webhook = WebhookEndpoint(
            name: name, enabled: enabled, entity: entity, events: events, path: urlPath, verifiers: verifiers,
            source: source, resolver: EventKeyResolver(extraHeader: eventHeader, namespacedHeaders: namespaced))
        return (
            webhook,
            WebhookSummary(
                name: name, path: urlPath, enabled: enabled, entity: entity.map { "\($0.name) (\($0.identifier))" },
                events: events.map(\.rawValue).sorted(), methods: summaries,
                allowFrom: source.allowFrom.map(\.description), trustedProxies: source.trustedProxies.map(\.description)
            )
        )
    }

    /// `verify` as one table (`[webhook.verify]`) or several (`[[webhook.verify]]`).
    private func verifyTables(_ table: TOMLTable, at: String) throws(ConfigurationError) -> [(TOMLTable, String)] {
        guard let value = table["verify"] else {
            throw fail("\(at).verify", "is required (how the sender is authenticated)")
        }
        if let single = value.table { return [(single, "\(at).verify")] }
        guard let array = value.array, !array.isEmpty else {
            throw fail("\(at).verify", "must be a table ([webhook.verify]) or tables ([[webhook.verify]])")
        }
        var out: [(TOMLTable, String)] = []
        for (index, element) in array.enumerated() {
            guard let method = element.table else { throw fail("\(at).verify[\(index)]", "must be a table") }
            out.append((method, "\(at).verify[\(index)]"))
        }
        return out
    }

    func ranges(_ table: TOMLTable, _ key: String, at: String) throws(ConfigurationError) -> [AddressRange] {
        var out: [AddressRange] = []
        for text in try strings(table, key, at: at) {
            guard let range = AddressRange(text) else {
                throw fail("\(at).\(key)", "has \"\(text)\", which is not an address or CIDR range")
            }
            out.append(range)
        }
        return out
    }
}
