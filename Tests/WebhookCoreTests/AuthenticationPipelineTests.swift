import FoundationEssentials
import Testing

@testable import WebhookCore

/// The pipeline with M2's methods: any-of, head-only refusal, 401/403 answers, URL tokens kept out of
/// event keys, logs and the archive, and 400s kept once.
@Suite struct AuthenticationPipelineTests {
    static let token = "Wk7pQ2xZr9LmT4vB8nC1dF6gH3jK5sA0eYuIoP_-"
    static let hmacSecret = Array("hmac-secret-for-tests".utf8)
    let hmac = HMACVerifier(settings: .init(header: "X-Signature"), secrets: [AuthenticationPipelineTests.hmacSecret])
    let token = URLTokenVerifier(tokens: [AuthenticationPipelineTests.token])
    let basic = BasicAuthVerifier(credentials: [.init(user: "wink", password: "basic-password-1")])
    let booking = #"{"type":"booking.created","data":{"id":"b-1","bookingCode":"X","roomStay":{"roomNights":2}}}"#

    func harness(_ verifiers: [any SignatureVerifier], source: SourcePolicy = .open) throws -> Harness {
        try Harness(verifiers: verifiers, source: source)
    }

    func send(_ h: Harness, _ request: WebhookRequest) -> Outcome {
        var request = request
        request.receivedAt = h.now
        if case .respond(let outcome) = h.service.preflight(request.head, now: h.now) { return outcome }
        return h.service.handle(request)
    }

    @Test func anyConfiguredMethodIsEnough() throws {
        let h = try harness([token, hmac, basic])
        let viaToken = Req.signed(try #require(token.signer), booking, id: "a")
        let viaHMAC = Req.signed(try #require(hmac.signer), booking.replacingOccurrences("b-1", "b-2"), id: "b")
        let viaBasic = Req.signed(try #require(basic.signer), booking.replacingOccurrences("b-1", "b-3"), id: "c")
        for request in [viaToken, viaHMAC, viaBasic] {
            #expect(send(h, request).response.status == 200)
        }
        #expect(h.store.deliveries.count == 3)
    }

    @Test func unauthenticatedRequestsAreRefusedBeforeTheBodyIsRead() throws {
        let h = try harness([token, hmac])
        guard case .respond(let outcome) = h.service.preflight(Req.head(), now: h.now) else {
            Issue.record("preflight asked for the body of a request without any credential")
            return
        }
        #expect(outcome.response.status == 401)
        #expect(outcome.response.body == #"{"ok":false,"error":"unauthorized"}"#)
        #expect(outcome.message.contains("url-token") && outcome.message.contains("hmac"))
    }

    @Test func aSignatureHeaderNeedsTheBodyAndAWrongOneIs401() throws {
        let h = try harness([hmac])
        let head = Req.head(headers: [("X-Signature", String(repeating: "ab", count: 32))])
        guard case .readBody = h.service.preflight(head, now: h.now) else {
            Issue.record("a plausible signature was refused before the body")
            return
        }
        #expect(
            h.service.handle(WebhookRequest(head: head, body: Array(booking.utf8), receivedAt: h.now)).response.status
                == 401)
        #expect(h.store.deliveries.isEmpty && h.store.rejected.isEmpty)
    }

    @Test func basicChallengeIsSentWith401() throws {
        let h = try harness([token, basic])
        let outcome = send(h, Req.request(booking))
        #expect(outcome.response.status == 401)
        #expect(outcome.response.header("WWW-Authenticate") == #"Basic realm="winkhook""#)
        #expect(try send(harness([token]), Req.request(booking)).response.header("WWW-Authenticate") == nil)
    }

    @Test func thePathTokenIsNeverAnEventKeyAndIsMaskedInLogs() throws {
        let h = try harness([token])
        let path = "/webhook/wink/booking.cancelled/\(Self.token)"
        let bare = #"{"data":{"id":"b-9"}}"#
        #expect(send(h, Req.request(bare, path: path)).response.status == 200)
        #expect(h.store.deliveries.last?.eventKey == EventKey("booking.cancelled"))
        // A token that looks like a key is still not taken for one.
        let dotted = "tok.en-looks.like_a.key-0123456789"
        let h2 = try harness([URLTokenVerifier(tokens: [dotted])])
        #expect(send(h2, Req.request(bare, path: "/webhook/wink/\(dotted)")).response.status == 200)
        #expect(h2.store.deliveries.last?.eventKey == .unknown)
        #expect(h2.store.deliveries.last?.sentKey == nil)
        #expect(h.service.pipeline.loggablePath(path) == "/webhook/wink/booking.cancelled/***")
        #expect(h.service.pipeline.loggablePath("/webhook/wink") == "/webhook/wink")
        #expect(h.service.pipeline.loggablePath("/elsewhere/\(Self.token)") == "/elsewhere/***")
        #expect(h.service.pipeline.loggablePath("/elsewhere/booking.create") == "/elsewhere/booking.create")
        // Wherever the token is put below the webhook, it is masked: a trailing slash, a key after it.
        #expect(h.service.pipeline.loggablePath("/webhook/wink/\(Self.token)/") == "/webhook/wink/***/")
        #expect(
            h.service.pipeline.loggablePath("/webhook/wink/\(Self.token)/booking.create")
                == "/webhook/wink/***/booking.create")
        #expect(send(h, Req.request(bare, path: "/webhook/wink/\(Self.token)/")).response.status == 200)
    }

    @Test func aPathTokenIsNotAKeyEvenWhenAnotherMethodPassed() throws {
        let h = try harness([hmac, token])
        let signed = Req.signed(try #require(hmac.signer), #"{"data":{"id":"b-9"}}"#)
        var request = signed
        request.head.path = "/webhook/wink/booking.cancelled/\(Self.token)"
        #expect(send(h, request).response.status == 200)
        #expect(h.store.deliveries.last?.eventKey == EventKey("booking.cancelled"))
    }

    @Test func credentialHeadersAndEchoedTokensAreNotArchived() throws {
        let shopify = HMACVerifier(
            settings: .init(header: "X-Shopify-Hmac-Sha256", encoding: .base64), secrets: [Self.hmacSecret])
        let h = try harness([token, shopify])
        let byHMAC = Req.signed(try #require(shopify.signer), booking)
        #expect(send(h, byHMAC).response.status == 200)
        var byToken = Req.request(
            booking.replacingOccurrences("b-1", "b-2"), path: "/webhook/wink/\(Self.token)",
            headers: [("X-Original-URI", "/webhook/wink/\(Self.token)")])
        byToken.receivedAt = h.now
        #expect(send(h, byToken).response.status == 200)
        let archived = h.store.deliveries.map(\.headers.jsonText)
        #expect(!archived[0].contains("x-shopify-hmac-sha256"))
        #expect(archived[1].contains(#""x-original-uri":"/webhook/wink/***""#))
        #expect(!archived.joined().contains(Self.token))
    }

    @Test func githubEventsAreNamespacedKeys() throws {
        let github = HMACVerifier(scheme: "github", settings: .github, secrets: [Self.hmacSecret])
        let webhook = WebhookEndpoint(
            name: "gh", path: "/webhook/wink", verifier: github,
            resolver: EventKeyResolver(namespacedHeaders: [("X-GitHub-Event", "github")]))
        let pipeline = try WebhookPipeline(
            webhooks: [webhook], settings: PipelineSettings(), router: HandlerRegistry.router())
        let store = InMemoryEventStore()
        let service = WebhookService(pipeline: pipeline, store: store)
        var request = Req.signed(try #require(github.signer), #"{"ref":"refs/heads/main"}"#, id: "gh-1")
        request.head.headers.add("X-GitHub-Event", "pull_request")
        #expect(service.handle(request).response.status == 200)
        #expect(store.deliveries.last?.eventKey.rawValue == "github.pull_request")
        #expect(store.deliveries.last?.dedupeKey == "id:gh-1")
    }

    @Test func theTokenNeverReachesTheArchiveOrAnyMessage() throws {
        let h = try harness([token])
        var outcomes: [Outcome] = []
        for request in [
            Req.request(booking, path: "/webhook/wink/\(Self.token)"),
            Req.request(booking, query: "token=\(Self.token)"),
            Req.request("{not json", query: "token=\(Self.token)"),
            Req.request(booking, path: "/webhook/wink/\(Self.token.dropLast())"),
        ] {
            outcomes.append(send(h, request))
        }
        #expect(outcomes.map(\.response.status) == [200, 200, 400, 401])
        let written =
            h.store.deliveries.map { $0.headers.jsonText + String(decoding: $0.body, as: UTF8.self) }
            + h.store.rejected.map { $0.headers.jsonText + $0.reason }
            + outcomes.map { $0.message + $0.response.body + $0.response.headers.map(\.value).joined() }
        for text in written {
            #expect(!text.contains(String(Self.token.prefix(16))), "\(text)")
        }
    }

    @Test func sourceAddressesOutsideAllowFromAre403BeforeAnythingElse() throws {
        let source = SourcePolicy(allowFrom: [literal(AddressRange("203.0.113.0/24"), "203.0.113.0/24")])
        let h = try Harness(enabled: false, verifiers: [token], source: source)
        var request = Req.request(booking, path: "/webhook/wink/\(Self.token)")
        request.head.remoteAddress = "198.51.100.1"
        #expect(send(h, request).response.status == 403)
        request.head.remoteAddress = "203.0.113.1"
        #expect(send(h, request).response.status == 503)  // then the other steps, in order
    }

    @Test func anAuthenticBodyThatIsNotJSONIsKeptOncePerDelivery() throws {
        let h = try Harness()
        for _ in 0..<3 {
            let outcome = h.send(h.request(Array("{truncated".utf8), id: "msg_bad_json"))
            #expect(outcome.response.status == 400)
            #expect(outcome.response.header("webhook-delivery") == "abort-message")
        }
        #expect(h.store.rejected.count == 1)
        #expect(h.store.rejected.first?.dedupeKey == "id:msg_bad_json")
        // Unsigned schemes: kept once per body; no Standard Webhooks header.
        let t = try harness([token])
        for _ in 0..<2 {
            let outcome = send(t, Req.request("[1,2]", query: "token=\(Self.token)"))
            #expect(outcome.response.status == 400)
            #expect(outcome.response.header("webhook-delivery") == nil)
        }
        #expect(t.store.rejected.count == 1)
    }

    @Test(arguments: ["0000-01-01", "2026-02-31", "2026-13-01", "9999-12-31T23:59:60Z", "2025-02-29"])
    func oddDatesAreDroppedNotRefused(date: String) throws {
        let h = try harness([token])
        let body = #"{"type":"booking.created","createdDate":"\#(date)","data":{"id":"b","bookingCode":"c"}}"#
        #expect(send(h, Req.request(body, query: "token=\(Self.token)")).response.status == 200)
        #expect(h.store.deliveries.allSatisfy { $0.dimensions.occurredAt == nil || date.hasPrefix("9999") })
    }

    /// A store whose database refuses what it is given: points always, bodies when told to.
    final class RefusingStore: EventStore {
        var refuseBodies = false
        var recorded: [Delivery] = []
        var rejected: [RejectedDelivery] = []
        func record(_ delivery: Delivery) throws(EventStoreError) -> RecordResult {
            if refuseBodies || !delivery.points.isEmpty {
                throw EventStoreError(.invalidData, "invalid input syntax (simulated)")
            }
            recorded.append(delivery)
            return .inserted(points: 0)
        }
        func recordRejected(_ rejected: RejectedDelivery) throws(EventStoreError) { self.rejected.append(rejected) }
    }

    @Test func refusedPointsCostThePointsNotTheDelivery() throws {
        let store = RefusingStore()
        let h = try Harness(store: store)
        let outcome = h.send(h.request(Array(booking.utf8), id: "msg_points"))
        #expect(outcome.response.status == 200)
        #expect(outcome.message.contains("points were dropped"))
        #expect(store.recorded.count == 1 && store.recorded[0].points.isEmpty)
    }

    @Test func aBodyTheDatabaseRefusesIs400AndKeptRaw() throws {
        let store = RefusingStore()
        store.refuseBodies = true
        let h = try Harness(store: store)
        let outcome = h.send(h.request(Array(#"{"type":"x.y","s":"\u0000"}"#.utf8), id: "msg_nul"))
        #expect(outcome.response.status == 400)
        #expect(store.rejected.count == 1)
        #expect(store.rejected[0].dedupeKey == "id:msg_nul")
        #expect(store.rejected[0].body == Array(#"{"type":"x.y","s":"\u0000"}"#.utf8))
    }
}
