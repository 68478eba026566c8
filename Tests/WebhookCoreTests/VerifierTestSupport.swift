@testable import WebhookCore

/// Requests for verifier tests: a head with the given parts, at a fixed clock.
enum Req {
    static let now = Timestamp(seconds: 1_780_000_000)

    static func head(path: String = "/webhook/wink", query: String = "", headers: [(String, String)] = [])
        -> RequestHead
    {
        RequestHead(
            method: "POST", path: path, query: query, contentType: "application/json",
            headers: HTTPHeaders(headers), remoteAddress: "127.0.0.1")
    }

    static func request(
        _ body: String, path: String = "/webhook/wink", query: String = "", headers: [(String, String)] = []
    )
        -> WebhookRequest
    {
        WebhookRequest(head: head(path: path, query: query, headers: headers), body: Array(body.utf8), receivedAt: now)
    }

    /// A request carrying what `signer` produced for `body`.
    static func signed(
        _ signer: any RequestSigner, _ body: String, id: String = "msg_1", timestamp: Int64 = now.seconds,
        base: String = "/webhook/wink"
    ) -> WebhookRequest {
        let parts = signer.sign(id: id, timestamp: timestamp, body: Array(body.utf8))
        let path = parts.pathSegment.map { base + "/" + $0 } ?? base
        return request(body, path: path, query: parts.query ?? "", headers: parts.headers.map { ($0.name, $0.value) })
    }

    /// Whether `verifier` accepts `request`, through `check` then `verify` as the pipeline does.
    static func accepts(_ verifier: any SignatureVerifier, _ request: WebhookRequest) -> Bool {
        (try? Authenticator([verifier]).verify(request, now: now)) != nil
    }
}

/// A literal the test knows parses (a range, a template); stops the test run loudly if it does not.
func literal<T>(_ value: T?, _ text: String) -> T {
    guard let value else { fatalError("test literal \(text) did not parse") }
    return value
}
