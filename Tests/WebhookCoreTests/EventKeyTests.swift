import Testing

@testable import WebhookCore

@Suite struct EventKeyTests {
    @Test func catalogHas129Keys() {
        #expect(EventCatalog.allKeys.count == 129)
        #expect(Set(EventCatalog.allKeys).count == 129)
    }

    @Test func aliasMapsToCanonical() {
        #expect(EventKey("booking.created")?.rawValue == "booking.create")
        #expect(EventKey("booking.create")?.rawValue == "booking.create")
        #expect(EventKey("booking.created") == EventKey("booking.create"))
    }

    @Test(arguments: ["account.url-name.update", "channel-manager.update.rate", "some.new_key"])
    func oddButWellFormedKeysAreKept(text: String) {
        #expect(EventKey(text)?.rawValue == text)
    }

    @Test(arguments: [
        "", "booking", ".booking", "booking.", "a..b", "booking create", "bö.king", String(repeating: "a.", count: 80),
    ])
    func malformedKeysAreRefused(text: String) {
        #expect(EventKey(text) == nil)
    }

    @Test func resolverOrderBodyThenHeaderThenPath() throws {
        let resolver = EventKeyResolver()
        let headers = HTTPHeaders([("X-Event-Type", "booking.cancelled")])
        let body = try JSONParser.parse(Array(#"{"event":"booking.created","type":"NOT A KEY"}"#.utf8))
        #expect(resolver.resolve(body: body, headers: headers, pathSuffix: "/x.y").key.rawValue == "booking.create")
        let bare = try JSONParser.parse(Array(#"{"type":"STANDARD"}"#.utf8))
        #expect(resolver.resolve(body: bare, headers: headers, pathSuffix: "/x.y").source == .header)
        #expect(resolver.resolve(body: bare, headers: HTTPHeaders(), pathSuffix: "/x.y").key.rawValue == "x.y")
        #expect(resolver.resolve(body: bare, headers: HTTPHeaders(), pathSuffix: nil).key == .unknown)
    }

    @Test func configuredHeaderComesFirst() throws {
        let resolver = EventKeyResolver(extraHeader: "X-My-Event")
        let headers = HTTPHeaders([("x-wink-event", "a.b"), ("x-my-event", "c.d")])
        #expect(resolver.resolve(body: .object([:]), headers: headers, pathSuffix: nil).key.rawValue == "c.d")
    }
}
