import Glibc
import Testing

@testable import WebhookCore

/// The Standard Webhooks published test vector.
enum Vector {
    static let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    static let id = "msg_p5jXN8AQM9LWM0D4loKWxJek"
    static let timestamp: Int64 = 1_614_265_330
    static let body = #"{"test": 2432232314}"#
    static let signature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
}

/// Reads a fixture copied from shared/wink/samples.
func fixture(_ name: String) throws -> [UInt8] {
    let path = String(#filePath.dropLast("TestSupport.swift".count)) + "Fixtures/" + name
    guard let file = fopen(path, "rb") else { throw FixtureMissing(path: path) }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
        let n = fread(&buffer, 1, buffer.count, file)
        if n <= 0 { break }
        bytes += buffer[0..<n]
    }
    return bytes
}

struct FixtureMissing: Error { let path: String }

/// A pipeline with one webhook at /webhook/wink, signed with the vector's secret, and an in-memory store.
struct Harness {
    let store = InMemoryEventStore()
    let service: WebhookService
    let signer: StandardWebhooksSigner
    let now = Timestamp(seconds: 1_780_000_000)

    init(
        enabled: Bool = true, events: Set<EventKey> = [], secrets: [String] = [Vector.secret],
        bodyLimit: Int = 64 * 1024, verifiers: [any SignatureVerifier]? = nil, source: SourcePolicy = .open,
        store: (any EventStore)? = nil
    ) throws {
        let parsed = try secrets.map { try StandardWebhooksSecret($0) }
        let webhook = WebhookEndpoint(
            name: "wink", enabled: enabled,
            entity: .init(identifier: "configured-entity", name: "Configured"), events: events,
            path: "/webhook/wink", verifiers: verifiers ?? [StandardWebhooksVerifier(secrets: parsed)], source: source)
        let pipeline = try WebhookPipeline(
            webhooks: [webhook], settings: PipelineSettings(bodyLimit: bodyLimit, retryAfterSeconds: 30),
            router: HandlerRegistry.router())
        service = WebhookService(pipeline: pipeline, store: store ?? self.store)
        signer = StandardWebhooksSigner(secret: try StandardWebhooksSecret(Vector.secret))
    }

    func request(
        _ body: [UInt8], id: String = "msg_1", path: String = "/webhook/wink", method: String = "POST",
        contentType: String? = "application/json", signed: Bool = true, extraHeaders: [(String, String)] = []
    ) -> WebhookRequest {
        var headers = HTTPHeaders(extraHeaders)
        if signed {
            for (name, value) in signer.headers(id: id, timestamp: now.seconds, body: body) { headers.add(name, value) }
        }
        let head = RequestHead(
            method: method, path: path, contentType: contentType, contentLength: body.count, headers: headers)
        return WebhookRequest(head: head, body: body, receivedAt: now)
    }

    /// Runs preflight then, if it says so, the whole pipeline, as the transports do.
    func send(_ request: WebhookRequest) -> Outcome {
        if case .respond(let outcome) = service.preflight(request.head, now: now) { return outcome }
        return service.handle(request)
    }
}
