/// Which source addresses may deliver to a webhook (`allow_from`), and which proxies may say who the
/// client was (`trusted_proxies`). Independent of the verification method; a refusal is a 403.
///
/// The client is `REMOTE_ADDR`, unless that is a trusted proxy: then the `X-Forwarded-For` list is read
/// from the right, skipping trusted proxies, and the first other address is the client (`X-Real-IP`
/// when there is no `X-Forwarded-For`). Headers from an untrusted peer are ignored.
public struct SourcePolicy: Sendable {
    /// Allowed client ranges; empty allows everyone.
    public let allowFrom: [AddressRange]
    /// Proxies whose forwarding headers are believed.
    public let trustedProxies: [AddressRange]

    /// Creates a policy.
    public init(allowFrom: [AddressRange] = [], trustedProxies: [AddressRange] = []) {
        self.allowFrom = allowFrom
        self.trustedProxies = trustedProxies
    }

    /// Everyone, no proxies.
    public static let open = SourcePolicy()

    /// The client address of `head`, if known.
    public func clientAddress(_ head: RequestHead) -> String? {
        guard let peer = head.remoteAddress else { return nil }
        guard isTrusted(peer) else { return peer }
        let forwarded = head.headers.values("x-forwarded-for").joined(separator: ",")
            .split(separator: ",").map { String($0).trimmingWhitespace() }.filter { !$0.isEmpty }
        if !forwarded.isEmpty {
            for address in forwarded.reversed().prefix(32) where !isTrusted(address) { return address }
            return forwarded.first
        }
        if let real = head.headers["x-real-ip"]?.trimmingWhitespace(), !real.isEmpty { return real }
        return peer
    }

    /// `nil` when `head` may deliver; otherwise the reason (for the log).
    public func refusal(_ head: RequestHead) -> String? {
        guard !allowFrom.isEmpty else { return nil }
        guard let client = clientAddress(head) else { return "the client address is unknown (no REMOTE_ADDR)" }
        guard allowFrom.contains(where: { $0.contains(client) }) else {
            return "client address \(client.prefix(64)) is not in allow_from"
        }
        return nil
    }

    private func isTrusted(_ address: String) -> Bool {
        trustedProxies.contains { $0.contains(address) }
    }
}
