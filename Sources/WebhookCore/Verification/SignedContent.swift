/// What a timestamped HMAC scheme signs, as a template over `{id}`, `{timestamp}` and `{body}`:
/// `"{body}"` (GitHub, Shopify), `"{timestamp}.{body}"` (Stripe-style), `"v0:{timestamp}:{body}"` (Slack).
///
/// The body appears exactly once; what comes before and after it is rendered per request, so the body
/// is fed to the MAC without being copied.
public struct SignedContent: Sendable, Equatable {
    enum Piece: Sendable, Equatable {
        case literal([UInt8])
        case id, timestamp
    }

    let before: [Piece]
    let after: [Piece]
    /// The template as configured.
    public let template: String

    /// The raw body alone.
    public static let body = SignedContent(template: "{body}", before: [], after: [])
    /// `{timestamp}.{body}`.
    public static let timestampDotBody = SignedContent(
        template: "{timestamp}.{body}", before: [.timestamp, .literal([UInt8(ascii: ".")])], after: [])

    private init(template: String, before: [Piece], after: [Piece]) {
        self.template = template
        self.before = before
        self.after = after
    }

    /// Parses a template. Returns `nil` unless `{body}` appears exactly once and every `{…}` is known.
    public init?(template: String) {
        var before: [Piece] = []
        var after: [Piece] = []
        var seenBody = false
        var rest = Substring(template)
        var literal: [UInt8] = []
        func flush() {
            guard !literal.isEmpty else { return }
            if seenBody { after.append(.literal(literal)) } else { before.append(.literal(literal)) }
            literal = []
        }
        while let open = rest.firstIndex(of: "{") {
            literal += Array(rest[..<open].utf8)
            guard let close = rest[open...].firstIndex(of: "}") else { return nil }
            let name = rest[rest.index(after: open)..<close]
            flush()
            switch name {
            case "body":
                guard !seenBody else { return nil }
                seenBody = true
            case "timestamp": if seenBody { after.append(.timestamp) } else { before.append(.timestamp) }
            case "id": if seenBody { after.append(.id) } else { before.append(.id) }
            default: return nil
            }
            rest = rest[rest.index(after: close)...]
        }
        literal += Array(rest.utf8)
        flush()
        guard seenBody else { return nil }
        self.init(template: template, before: before, after: after)
    }

    /// Whether the template uses the timestamp.
    public var usesTimestamp: Bool { (before + after).contains(.timestamp) }
    /// Whether the template uses the delivery id.
    public var usesID: Bool { (before + after).contains(.id) }

    /// The bytes before and after the body for one request.
    public func render(id: String, timestamp: String) -> (prefix: [UInt8], suffix: [UInt8]) {
        func bytes(_ pieces: [Piece]) -> [UInt8] {
            var out: [UInt8] = []
            for piece in pieces {
                switch piece {
                case .literal(let text): out += text
                case .id: out += Array(id.utf8)
                case .timestamp: out += Array(timestamp.utf8)
                }
            }
            return out
        }
        return (bytes(before), bytes(after))
    }
}
