/// The request headers as archived: a JSON object, minus anything that authenticates.
public enum HeaderArchive {
    /// Header names never archived (credentials and signatures).
    static let dropped: [String] = [
        "authorization", "proxy-authorization", "cookie", "set-cookie", "webhook-signature", "svix-signature",
        "x-hub-signature", "x-hub-signature-256", "stripe-signature", "x-api-key",
    ]

    /// Headers as `{name: value}` (a repeated name keeps its values joined by `, `), without `dropping`
    /// (the webhook's own credential headers) and with every `redactions` text (a URL token) masked.
    public static func archive(
        _ headers: HTTPHeaders, dropping: Set<String> = [], redactions: [String] = []
    ) -> JSONValue {
        var members: JSONObject = [:]
        for (name, original) in headers.fields where !isSecret(name) && (dropping.isEmpty || !dropping.contains(name)) {
            var value = original
            for secret in redactions where !secret.isEmpty && value.utf8.count >= secret.utf8.count {
                value = value.split(separator: secret, omittingEmptySubsequences: false).joined(separator: "***")
            }
            if case .string(let previous)? = members[name] {
                members[name] = .string(previous + ", " + value)
            } else {
                members[name] = .string(value)
            }
        }
        return .object(members)
    }

    static func isSecret(_ name: String) -> Bool {
        // No hashing: this runs for every header of every request.
        dropped.contains { HTTPHeaders.sameName($0, name) } || containsAny(name, ["secret", "token", "signature"])
    }

    /// Byte-wise substring test (the generic `String.contains` is costly on every request).
    static func containsAny(_ text: String, _ needles: [StaticString]) -> Bool {
        var text = text
        return text.withUTF8 { haystack in
            for needle in needles {
                let count = needle.utf8CodeUnitCount
                guard count > 0, haystack.count >= count else { continue }
                let pattern = UnsafeBufferPointer(start: needle.utf8Start, count: count)
                for start in 0...(haystack.count - count) where haystack[start] == pattern[0] {
                    var offset = 1
                    while offset < count, haystack[start + offset] == pattern[offset] { offset += 1 }
                    if offset == count { return true }
                }
            }
            return false
        }
    }
}
