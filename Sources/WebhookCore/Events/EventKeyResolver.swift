/// Finds the event key of a delivery. Wink documents no envelope, so several places are tried in order:
/// the body fields `type`, `event`, `eventType`, `key`; then the configured and well-known headers; then
/// the last path segment after the webhook's path that is shaped like a key. The first well-formed candidate wins; aliases apply.
public struct EventKeyResolver: Sendable {
    /// Body members that may carry the key, in order.
    public static let bodyFields = ["type", "event", "eventType", "key"]
    /// Headers that may carry the key when the webhook names none of its own, in order.
    public static let defaultHeaders = ["x-wink-event", "x-event-type", "x-event-key", "webhook-event"]

    /// Headers consulted, lowercase.
    public let headers: [String]
    /// Headers whose plain value names an event within a namespace (`X-GitHub-Event: push` →
    /// `github.push`), consulted after `headers`.
    public let namespacedHeaders: [(header: String, namespace: String)]

    /// Creates a resolver that also reads `extraHeader` (checked first) when given.
    public init(extraHeader: String? = nil, namespacedHeaders: [(header: String, namespace: String)] = []) {
        var names = EventKeyResolver.defaultHeaders
        if let extra = extraHeader?.lowercased(), !extra.isEmpty {
            names.removeAll { $0 == extra }
            names.insert(extra, at: 0)
        }
        self.headers = names
        self.namespacedHeaders = namespacedHeaders.map { ($0.header.lowercased(), $0.namespace) }
    }

    /// Where the key came from.
    public enum Source: String, Sendable {
        case body, header, path, none
    }

    /// The outcome: the canonical key (or `.unknown`), the text as sent, and its source.
    public struct Resolution: Sendable, Equatable {
        public var key: EventKey
        public var sentAs: String?
        public var source: Source
    }

    /// Resolves the key from a parsed body, the request headers and the path suffix after the webhook path.
    public func resolve(body: JSONValue, headers requestHeaders: HTTPHeaders, pathSuffix: String?) -> Resolution {
        for field in EventKeyResolver.bodyFields {
            if let text = body[field]?.stringValue, let key = EventKey(text) {
                return Resolution(key: key, sentAs: text, source: .body)
            }
        }
        for name in headers {
            if let text = requestHeaders[name], let key = EventKey(text) {
                return Resolution(key: key, sentAs: text, source: .header)
            }
        }
        for (name, namespace) in namespacedHeaders {
            guard let text = requestHeaders[name], !text.isEmpty else { continue }
            if let key = EventKey(text) ?? EventKey(namespace + "." + text) {
                return Resolution(key: key, sentAs: text, source: .header)
            }
        }
        if let suffix = pathSuffix {
            for segment in suffix.split(separator: "/").reversed().prefix(8) {
                if let key = EventKey(String(segment)) {
                    return Resolution(key: key, sentAs: String(segment), source: .path)
                }
            }
        }
        return Resolution(key: .unknown, sentAs: nil, source: .none)
    }
}
