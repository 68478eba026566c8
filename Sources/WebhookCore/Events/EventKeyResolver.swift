/// Finds the event key of a delivery. Wink documents no envelope, so several places are tried in order:
/// the body fields `type`, `event`, `eventType`, `key`; then the configured and well-known headers; then
/// the last path segment after the webhook's path. The first well-formed candidate wins; aliases apply.
public struct EventKeyResolver: Sendable {
    /// Body members that may carry the key, in order.
    public static let bodyFields = ["type", "event", "eventType", "key"]
    /// Headers that may carry the key when the webhook names none of its own, in order.
    public static let defaultHeaders = ["x-wink-event", "x-event-type", "x-event-key", "webhook-event"]

    /// Headers consulted, lowercase.
    public let headers: [String]

    /// Creates a resolver that also reads `extraHeader` (checked first) when given.
    public init(extraHeader: String? = nil) {
        var names = EventKeyResolver.defaultHeaders
        if let extra = extraHeader?.lowercased(), !extra.isEmpty {
            names.removeAll { $0 == extra }
            names.insert(extra, at: 0)
        }
        self.headers = names
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
        if let suffix = pathSuffix, let last = suffix.split(separator: "/").last.map(String.init),
            let key = EventKey(last)
        {
            return Resolution(key: key, sentAs: last, source: .path)
        }
        return Resolution(key: .unknown, sentAs: nil, source: .none)
    }
}
