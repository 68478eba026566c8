import WebhookCore

/// One fuzz input through the request head parser, the JSON parser, every verifier and the whole
/// pipeline. The first byte picks the target; the rest is its input. Anything that traps here would trap
/// a worker: libFuzzer reports it, and `FuzzRegressionTests` replays the committed corpus and crashes.
public enum FuzzHarness {
    /// Runs one input. Never traps by itself.
    public static func run(_ bytes: [UInt8]) {
        guard let selector = bytes.first else { return }
        let input = Array(bytes.dropFirst())
        switch selector % 5 {
        case 0: parseHead(input)
        case 1: parseJSON(input)
        case 2: verify(input)
        case 3: pipeline(input)
        default: parseFields(input)
        }
    }

    static let now = Timestamp(seconds: 1_780_000_000)

    /// `NAME=value` entries separated by NUL bytes.
    static func parameters(_ bytes: ArraySlice<UInt8>) -> [(String, String)] {
        bytes.split(separator: 0, omittingEmptySubsequences: true).prefix(64).compactMap { entry in
            let text = String(decoding: entry, as: UTF8.self)
            guard let equals = text.firstIndex(of: "=") else { return nil }
            return (String(text[..<equals]), String(text[text.index(after: equals)...]))
        }
    }

    static func parseHead(_ input: [UInt8]) {
        guard let head = RequestHead(cgiParameters: parameters(input[...])) else { return }
        _ = head.queryParameter("token")
        _ = LogText.safe(head.path, limit: 200)
    }

    /// What the pipeline builds of a body.
    static let projection = (try? HandlerRegistry.router()).map(JSONProjection.eventBody) ?? .whole

    /// Parses whole and projected: the projection must refuse exactly what the whole parse refuses, at
    /// the same byte, and read the same dimensions (a difference traps, so the fuzzer reports it).
    static func parseJSON(_ input: [UInt8]) {
        let whole = Result { () throws(JSONParseError) in try JSONParser.parse(input) }
        let projected = Result { () throws(JSONParseError) in try JSONParser.parse(input, keeping: projection) }
        switch (whole, projected) {
        case (.failure(let refused), .failure(let alsoRefused)):
            precondition(refused == alsoRefused, "the projection refused \(input) differently")
        case (.success(let value), .success(let part)):
            _ = value.jsonText
            _ = DecimalText(value["amount"])
            let key = EventKey("booking.create") ?? .unknown
            precondition(
                EventDimensions(body: value, key: key, fallbackEntity: nil)
                    == EventDimensions(body: part, key: key, fallbackEntity: nil),
                "the projection read other dimensions of \(input)")
        default:
            preconditionFailure("the projection and the whole parse disagree on \(input)")
        }
    }

    static func parseFields(_ input: [UInt8]) {
        let text = String(decoding: input, as: UTF8.self)
        _ = Timestamp(iso8601: text)
        _ = AddressRange(text)?.contains(text)
        _ = SignedContent(template: text)
        _ = UnixTimestamp.parse(text)
        _ = Hex.decode(text[...])
        _ = try? StandardWebhooksSecret(text)
        _ = try? StandardWebhooksKeyPair(text)
        _ = BasicAuthVerifier.Credential(line: text)
        _ = EventKey(text)
        _ = LogText.safe(text, limit: 64)
    }

    /// Every scheme, with fixed secrets; input: CGI parameters, a NUL NUL separator, then the body.
    static let verifiers: [any SignatureVerifier] = [
        StandardWebhooksVerifier(secrets: [StandardWebhooksSecret(keyBytes: Array(repeating: 1, count: 24))]),
        URLTokenVerifier(tokens: ["fuzz-token-0123456789abcdef"]),
        BasicAuthVerifier(credentials: [.init(user: "wink", password: "fuzz-password")]),
        HMACVerifier(settings: .init(header: "X-Signature"), secrets: [Array("k".utf8)]),
        HMACVerifier(
            settings: .init(
                header: "X-Sig", encoding: .base64, prefix: "v1=", content: .timestampDotBody, timestampHeader: "X-Ts",
                idHeader: "X-Id"), secrets: [Array("k".utf8)]),
        HMACVerifier(scheme: "github", settings: .github, secrets: [Array("k".utf8)]),
        StripeVerifier(secrets: [Array("k".utf8)]),
        UnauthenticatedVerifier(),
    ]

    static func split(_ input: [UInt8]) -> ([(String, String)], [UInt8]) {
        var index = 0
        while index + 1 < input.count, !(input[index] == 0 && input[index + 1] == 0) { index += 1 }
        let head = parameters(input[..<index])
        let body = index + 2 <= input.count ? Array(input[(index + 2)...]) : []
        return (head, body)
    }

    static func verify(_ input: [UInt8]) {
        let (parameters, body) = split(input)
        guard let head = RequestHead(cgiParameters: parameters) else { return }
        let request = WebhookRequest(head: head, body: body, receivedAt: now)
        for verifier in verifiers {
            if case .needsBody = verifier.check(head, now: now) { _ = try? verifier.verify(request, now: now) }
        }
        _ = SourcePolicy(allowFrom: [AddressRange("10.0.0.0/8")].compactMap { $0 }, trustedProxies: [])
            .refusal(head)
    }

    // Stateless (the store keeps nothing), so sharing it between threads is safe.
    nonisolated(unsafe) static let service: WebhookService? = {
        let webhooks = [
            WebhookEndpoint(name: "any", path: "/webhook/any", verifier: UnauthenticatedVerifier()),
            WebhookEndpoint(name: "all", path: "/webhook/all", verifiers: verifiers.dropLast().map { $0 }),
        ]
        guard
            let pipeline = try? WebhookPipeline(
                webhooks: webhooks, settings: PipelineSettings(bodyLimit: 64 * 1024), router: HandlerRegistry.router())
        else { return nil }
        return WebhookService(pipeline: pipeline, store: DiscardingStore())
    }()

    static func pipeline(_ input: [UInt8]) {
        let (parameters, body) = split(input)
        guard let service, let head = RequestHead(cgiParameters: parameters) else { return }
        _ = service.pipeline.loggablePath(head.path)
        if case .readBody(let limit) = service.preflight(head, now: now) {
            _ = service.handle(WebhookRequest(head: head, body: Array(body.prefix(limit + 1)), receivedAt: now))
        }
    }
}

/// Accepts everything and keeps nothing, so millions of runs use no memory.
final class DiscardingStore: EventStore {
    func record(_ delivery: Delivery) throws(EventStoreError) -> RecordResult {
        _ = delivery.headersJSON
        return .inserted(points: delivery.points.count)
    }

    func recordRejected(_ rejected: RejectedDelivery) throws(EventStoreError) {}
}
