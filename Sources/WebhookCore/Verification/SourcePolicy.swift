/// Which source addresses may deliver to a webhook (`allow_from`), and which proxies may say who the
/// client was (`trusted_proxies`). Independent of the verification method; a refusal is a 403.
///
/// The client is `REMOTE_ADDR`, unless that is a trusted proxy: then the one forwarding header the
/// proxies set is read (`X-Forwarded-For` by default: from the right, skipping trusted proxies, the first
/// other address; or `X-Real-IP`). The other header is never read, so a client cannot slip an address
/// past a proxy that does not overwrite it. Headers from an untrusted peer are ignored.
public struct SourcePolicy: Sendable {
    /// Which header trusted proxies set.
    public enum ForwardingHeader: String, Sendable, CaseIterable {
        case xForwardedFor = "x-forwarded-for"
        case xRealIP = "x-real-ip"
    }

    /// Allowed client ranges; empty allows everyone.
    public let allowFrom: [AddressRange]
    /// Proxies whose forwarding header is believed.
    public let trustedProxies: [AddressRange]
    /// The header those proxies set.
    public let forwardingHeader: ForwardingHeader

    /// Creates a policy.
    public init(
        allowFrom: [AddressRange] = [], trustedProxies: [AddressRange] = [],
        forwardingHeader: ForwardingHeader = .xForwardedFor
    ) {
        self.allowFrom = allowFrom
        self.trustedProxies = trustedProxies
        self.forwardingHeader = forwardingHeader
    }

    /// Everyone, no proxies.
    public static let open = SourcePolicy()

    /// The client address of `head`, if known.
    public func clientAddress(_ head: RequestHead) -> String? {
        guard let peer = head.remoteAddress else { return nil }
        guard isTrusted(peer) else { return peer }
        switch forwardingHeader {
        case .xRealIP:
            let values = head.headers.values("x-real-ip")
            guard values.count == 1 else { return peer }
            let real = values[0].trimmingWhitespace()
            return real.isEmpty ? peer : real
        case .xForwardedFor:
            let forwarded = head.headers.values("x-forwarded-for").joined(separator: ",")
                .split(separator: ",").map { String($0).trimmingWhitespace() }.filter { !$0.isEmpty }
            // From the right: the proxies appended what they saw. Every examined hop trusted: the
            // leftmost examined one (never a client-written entry beyond the examined ones).
            var last = peer
            for address in forwarded.reversed().prefix(32) {
                guard isTrusted(address) else { return address }
                last = address
            }
            return last
        }
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
