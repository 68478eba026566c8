/// The request headers as archived: a JSON object, minus anything that authenticates.
public enum HeaderArchive {
    /// Header names never archived (credentials and signatures).
    static let dropped: Set<String> = [
        "authorization", "proxy-authorization", "cookie", "set-cookie", "webhook-signature", "svix-signature",
        "x-hub-signature", "x-hub-signature-256", "stripe-signature", "x-api-key",
    ]

    /// Headers as `{name: value}` (a repeated name keeps its values joined by `, `).
    public static func archive(_ headers: HTTPHeaders) -> JSONValue {
        var members: [String: JSONValue] = [:]
        for (name, value) in headers.fields where !isSecret(name) {
            if case .string(let previous)? = members[name] {
                members[name] = .string(previous + ", " + value)
            } else {
                members[name] = .string(value)
            }
        }
        return .object(members)
    }

    static func isSecret(_ name: String) -> Bool {
        dropped.contains(name) || name.contains("secret") || name.contains("token") || name.contains("signature")
    }
}
