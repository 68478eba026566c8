import Testing

@testable import WebhookCore

@Suite struct WebhookPipelineTests {
    let booking = Array(
        #"{"id":"evt-1","type":"booking.created","data":{"id":"b-1","roomStay":{"roomNights":3}}}"#.utf8)

    @Test func unknownPathIs404() throws {
        let h = try Harness()
        let outcome = h.send(h.request(booking, path: "/other"))
        #expect(outcome.response.status == 404)
        #expect(h.store.deliveries.isEmpty)
    }

    @Test func disabledWebhookIs503WithRetryAfterAndWritesNothing() throws {
        let h = try Harness(enabled: false)
        let outcome = h.send(h.request(booking))
        #expect(outcome.response.status == 503)
        #expect(outcome.response.header("Retry-After") == "30")
        #expect(h.store.deliveries.isEmpty && h.store.rejected.isEmpty)
    }

    @Test(arguments: ["GET", "PUT", "DELETE", "HEAD"])
    func otherMethodsAre405WithAllow(method: String) throws {
        let h = try Harness()
        let outcome = h.send(h.request(booking, method: method))
        #expect(outcome.response.status == 405)
        #expect(outcome.response.header("Allow") == "POST")
    }

    @Test func declaredOversizeIs413BeforeReading() throws {
        let h = try Harness(bodyLimit: 64)
        let head = RequestHead(
            method: "POST", path: "/webhook/wink", contentType: "application/json", contentLength: 65)
        guard case .respond(let outcome) = h.service.preflight(head, now: h.now) else {
            Issue.record("preflight asked to read an oversize body")
            return
        }
        #expect(outcome.response.status == 413)
    }

    @Test func undeclaredOversizeIs413AfterReadingLimitPlusOne() throws {
        let h = try Harness(bodyLimit: 64)
        var request = h.request(Array(repeating: UInt8(ascii: " "), count: 65))
        request.head.contentLength = nil
        guard case .readBody(let limit) = h.service.preflight(request.head, now: h.now) else {
            Issue.record("preflight refused an undeclared length")
            return
        }
        #expect(limit == 64)
        #expect(h.service.handle(request).response.status == 413)
    }

    @Test func aBodyShorterThanDeclaredIs400IncompleteAndNothingIsKept() throws {
        let h = try Harness()
        var request = h.request(booking)  // signed over exactly these bytes
        request.head.contentLength = booking.count + 10
        let outcome = h.send(request)
        #expect(outcome.response.status == 400)
        #expect(outcome.response.body == #"{"ok":false,"error":"incomplete_body"}"#)
        #expect(outcome.message.contains("\(booking.count) of \(booking.count + 10)"))
        #expect(h.store.deliveries.isEmpty && h.store.rejected.isEmpty)
    }

    @Test(arguments: ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"])
    func nonJSONContentTypeIs415(type: String) throws {
        let h = try Harness()
        #expect(h.send(h.request(booking, contentType: type)).response.status == 415)
    }

    @Test(arguments: [
        "application/json", "application/json; charset=utf-8", "Application/JSON", "application/cloudevents+json",
    ])
    func jsonContentTypesPass(type: String) throws {
        let h = try Harness()
        #expect(h.send(h.request(booking, contentType: type)).response.status == 200)
    }

    /// The media type is read on its bytes when it is ASCII, and through Unicode's rules otherwise.
    @Test func contentTypesAreReadTheSameOnBytesAndAsUnicode() {
        let json = [
            " Application/JSON ; charset=utf-8", "\tapplication/json\r", "TEXT/json", "application/+json",
            "application/vnd.api+JSON;x=y", "application/json\u{00A0}", "\u{2003}text/json",
        ]
        let other = [
            "application/json5", "application/jsonx", "text/jsonp", "application+json", "application/json+",
            "json", "", ";application/json", "application/jsön", "x-application/json", "application/json\u{0085}x",
        ]
        for type in json { #expect(WebhookPipeline.isJSON(type), "\(type)") }
        for type in other { #expect(!WebhookPipeline.isJSON(type), "\(type)") }
    }

    @Test func missingContentTypeIsTolerated() throws {
        let h = try Harness()
        #expect(h.send(h.request(booking, contentType: nil)).response.status == 200)
    }

    @Test func unsignedIs401WithGenericBodyAndNothingStored() throws {
        let h = try Harness()
        let outcome = h.send(h.request(booking, signed: false))
        #expect(outcome.response.status == 401)
        #expect(outcome.response.body == #"{"ok":false,"error":"unauthorized"}"#)
        #expect(outcome.message.contains("missing"))
        #expect(h.store.deliveries.isEmpty && h.store.rejected.isEmpty)
    }

    @Test func wrongSecretIs401WithTheSameBody() throws {
        let h = try Harness(secrets: [StandardWebhooksSecret(keyBytes: Array(repeating: 1, count: 24)).text])
        let outcome = h.send(h.request(booking))
        #expect(outcome.response == .unauthorized)
    }

    @Test(arguments: [
        #"{"type": "booking.create", "data": {"#, "not json", "[1,2,3]", #""a string""#, "", #"{"a":"\u0000"}"#,
    ])
    func authenticatedNonObjectIs400AndKeptRaw(body: String) throws {
        let h = try Harness()
        let outcome = h.send(h.request(Array(body.utf8)))
        #expect(outcome.response.status == 400)
        #expect(h.store.rejected.count == 1)
        #expect(h.store.rejected.first?.body == Array(body.utf8))
        #expect(h.store.deliveries.isEmpty)
    }

    @Test func acceptedIs200OkAndStored() throws {
        let h = try Harness()
        let outcome = h.send(h.request(booking))
        #expect(outcome.response.status == 200)
        #expect(outcome.response.body == #"{"ok":true}"#)
        #expect(h.store.deliveries.count == 1)
        #expect(h.store.deliveries.first?.eventKey.rawValue == "booking.create")
        #expect(h.store.deliveries.first?.sentKey == "booking.created")
        #expect(h.store.points.contains { $0.metric == "booking.room_nights" && $0.value.text == "3" })
    }

    @Test func duplicateIs200AndWritesNothingNew() throws {
        let h = try Harness()
        #expect(h.send(h.request(booking, id: "msg_same")).response.status == 200)
        let again = h.send(h.request(booking, id: "msg_same"))
        #expect(again.response.status == 200)
        #expect(again.response.body == #"{"ok":true}"#)
        #expect(again.response.header("Winkhook-Result") == "duplicate")
        #expect(h.store.deliveries.count == 1)
    }

    @Test func unsubscribedEventIs200AndArchivedAsIgnored() throws {
        let h = try Harness(events: [EventKey("booking.cancelled")!])
        let outcome = h.send(h.request(booking))
        #expect(outcome.response.status == 200)
        #expect(outcome.response.header("Winkhook-Result") == "ignored")
        #expect(h.store.deliveries.first?.disposition == .ignored)
        #expect(h.store.points.isEmpty)
    }

    @Test func subscriptionListUsesAliases() throws {
        let h = try Harness(events: [EventKey("booking.created")!])
        #expect(h.send(h.request(booking)).response.header("Winkhook-Result") == "stored")
    }

    @Test func unresolvableKeyIs200ArchivedAsUnknownWithACountPoint() throws {
        let h = try Harness()
        let outcome = h.send(h.request(Array(#"{"hello":"world"}"#.utf8)))
        #expect(outcome.response.status == 200)
        #expect(h.store.deliveries.first?.eventKey == .unknown)
        #expect(h.store.points.map(\.metric) == ["event.count"])
    }

    @Test func storageOutageIs503WithRetryAfterNeverA2xx() throws {
        let h = try Harness()
        h.store.failure = EventStoreError(.unavailable, "connection refused")
        let outcome = h.send(h.request(booking))
        #expect(outcome.response.status == 503)
        #expect(outcome.response.header("Retry-After") == "30")
        #expect(!outcome.response.body.contains("connection refused"))
    }

    @Test func keyInThePathAfterTheWebhookPath() throws {
        let h = try Harness()
        let body = try fixture("bare-booking.json")
        let outcome = h.send(h.request(body, path: "/webhook/wink/booking.created"))
        #expect(outcome.response.status == 200)
        #expect(h.store.deliveries.first?.eventKey.rawValue == "booking.create")
    }

    @Test func keyInAHeader() throws {
        let h = try Harness()
        let body = try fixture("bare-booking.json")
        _ = h.send(h.request(body, extraHeaders: [("X-Wink-Event", "booking.cancelled")]))
        #expect(h.store.deliveries.first?.eventKey.rawValue == "booking.cancelled")
    }

    @Test func archivedHeadersDropTheSignature() throws {
        let h = try Harness()
        _ = h.send(h.request(booking, extraHeaders: [("Authorization", "Bearer x"), ("User-Agent", "wink")]))
        let headers = h.store.deliveries.first?.headers
        #expect(headers?["webhook-signature"] == nil)
        #expect(headers?["authorization"] == nil)
        #expect(headers?["user-agent"] == .string("wink"))
        #expect(headers?["webhook-id"] == .string("msg_1"))
    }

    @Test func duplicateNamesOrPathsAreAConfigurationError() throws {
        let verifier = StandardWebhooksVerifier(secrets: [])
        let a = WebhookEndpoint(name: "a", path: "/x", verifier: verifier)
        let b = WebhookEndpoint(name: "b", path: "/x/", verifier: verifier)
        #expect(throws: PipelineConfigurationError.self) {
            try WebhookPipeline(webhooks: [a, b], settings: PipelineSettings(), router: HandlerRegistry.router())
        }
    }

    @Test func routerRefusesAKeyClaimedTwice() {
        #expect(throws: RoutingError.self) {
            try EventRouter(
                handlers: [
                    MetricHandler(["booking.create"], rules: [.count("a")]),
                    MetricHandler(["booking.created"], rules: [.count("b")]),  // the same key, by its alias
                ], fallback: CountHandler())
        }
    }
}
