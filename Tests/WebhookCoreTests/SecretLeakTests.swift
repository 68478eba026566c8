import FoundationEssentials
import Testing

@testable import WebhookCore

/// What a failed (or passed) verification writes — failure texts, the pipeline's log message, the answer —
/// never holds a secret, a token, a password or a signature that was sent, in any common encoding.
@Suite struct SecretLeakTests {
    static let secretText = "leak-test-secret-0123456789abcdef"
    static let secretBytes = Array(secretText.utf8)

    /// Every form in which `value` could show up.
    static func forms(of value: String) -> [String] {
        let bytes = Array(value.utf8)
        return [
            value, String(value.prefix(12)), Hex.encode(bytes), Data(bytes).base64EncodedString(),
            String(Data(bytes).base64EncodedString().prefix(12)),
        ].filter { $0.count >= 8 }
    }

    /// The first form of any of `values` found in `text`.
    static func leak(in text: String, of values: [String]) -> String? {
        values.flatMap(forms(of:)).first { text.contains($0) }
    }

    @Test func theDetectorFindsALeakWhenThereIsOne() {
        // Control: without this, a detector that finds nothing would pass every test below.
        #expect(Self.leak(in: "reason: bad \(Self.secretText)", of: [Self.secretText]) != nil)
        #expect(Self.leak(in: "x" + Hex.encode(Self.secretBytes), of: [Self.secretText]) != nil)
        #expect(Self.leak(in: Data(Self.secretBytes).base64EncodedString(), of: [Self.secretText]) != nil)
        #expect(Self.leak(in: "nothing here", of: [Self.secretText]) == nil)
    }

    /// (verifier, a request it refuses, the secret material and sent credentials that must not leak).
    static func cases() throws -> [(String, any SignatureVerifier, WebhookRequest, [String])] {
        let body = #"{"type":"booking.created"}"#
        let wrongMAC = Hex.encode(Array(repeating: 0xAB, count: 32))
        let sw = StandardWebhooksVerifier(secrets: [StandardWebhooksSecret(keyBytes: secretBytes)])
        let swSent = "v1," + Data(Array(repeating: 0xCD, count: 32)).base64EncodedString()
        let basicSent = "Basic " + Data("wink:\(secretText)X".utf8).base64EncodedString()
        return [
            (
                "standard-webhooks", sw,
                Req.request(
                    body,
                    headers: [
                        ("webhook-id", "msg_1"), ("webhook-timestamp", String(Req.now.seconds)),
                        ("webhook-signature", swSent),
                    ]), [StandardWebhooksSecret(keyBytes: secretBytes).text, swSent]
            ),
            (
                "url-token", URLTokenVerifier(tokens: [secretText]),
                Req.request(body, path: "/webhook/wink/\(secretText)X", query: "token=\(secretText)Y"),
                [secretText]
            ),
            (
                "basic", BasicAuthVerifier(credentials: [.init(user: "wink", password: secretText)]),
                Req.request(body, headers: [("Authorization", basicSent)]), [secretText, basicSent]
            ),
            (
                "hmac", HMACVerifier(settings: .init(header: "X-Signature"), secrets: [secretBytes]),
                Req.request(body, headers: [("X-Signature", wrongMAC)]), [secretText, wrongMAC]
            ),
            (
                "stripe", StripeVerifier(secrets: [secretBytes]),
                Req.request(body, headers: [("Stripe-Signature", "t=\(Req.now.seconds),v1=\(wrongMAC)")]),
                [secretText, wrongMAC]
            ),
        ]
    }

    @Test func failureTextsAndAnswersNeverCarryTheSecretOrWhatWasSent() throws {
        for (scheme, verifier, request, secrets) in try Self.cases() {
            var texts: [String] = []
            do {
                _ = try Authenticator([verifier]).verify(request, now: Req.now)
                Issue.record("\(scheme): the refused request passed")
            } catch {
                texts += ["\(error)", error.detail, String(describing: error.code)]
            }
            let webhook = WebhookEndpoint(name: "w", path: "/webhook/wink", verifier: verifier)
            let pipeline = try WebhookPipeline(
                webhooks: [webhook], settings: PipelineSettings(), router: HandlerRegistry.router())
            let service = WebhookService(pipeline: pipeline, store: InMemoryEventStore())
            var outcome: Outcome
            if case .respond(let early) = service.preflight(request.head, now: Req.now) {
                outcome = early
            } else {
                outcome = service.handle(request)
            }
            #expect(outcome.response.status == 401, "\(scheme)")
            texts += [
                outcome.message, outcome.response.body, String(describing: outcome.response.headers),
                pipeline.loggablePath(request.head.path), String(describing: verifier.summary),
            ]
            for text in texts {
                #expect(Self.leak(in: text, of: secrets) == nil, "\(scheme) wrote \(text)")
            }
        }
    }
}
