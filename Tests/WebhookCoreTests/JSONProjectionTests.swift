import Testing

@testable import WebhookCore

/// The pipeline builds only what it reads of a body (`JSONProjection.eventBody`). These tests hold it to
/// what that must never change: the same texts refused with the same errors, and the same derivation.
@Suite struct JSONProjectionTests {
    static let fixtures = [
        "booking.create.json", "booking.cancelled.json", "booking.refund.partial.json", "bare-booking.json",
        "internal.payment.succeeded.json", "property.updated.json", "families/account.json",
        "families/channel_manager.json", "families/email.json", "families/inventory.json", "families/ledger.json",
        "families/managing_entity.json", "families/payee.json", "families/review.json",
        "families/sales_channel.json", "families/special_rate.json",
    ]

    /// Every projection a value may meet: all of it, none of it, some members of it.
    static func projections() throws -> [JSONProjection] {
        [
            .whole, .nothing, JSONProjection(paths: ["a", "x.y", "data.a"]),
            .eventBody(router: try HandlerRegistry.router()),
        ]
    }

    static func outcome(_ bytes: [UInt8], _ projection: JSONProjection) -> Result<JSONValue, JSONParseError> {
        Result { () throws(JSONParseError) in try JSONParser.parse(bytes, keeping: projection) }
    }

    @Test(arguments: [
        "", "{", "[1,]", "{\"a\":}", "01", "1.", "-", "tru", "nul", "\"\\x\"", "\"\\ud800\"", "\"\\udc00\"",
        "\"\\u0000\"", "{\"a\" 1}", "[1 2]", "1 2", "\"a\tb\"", "1e999999", "NaN", "Infinity", "{\"a\":1,}",
        "\"\\ud800\\u0041\"", "[[[[]]]", "1e", "-01", String(repeating: "9", count: 1001), "{\"a\":1}x",
    ])
    func everyProjectionRefusesWhatTheWholeParseRefusesAtTheSameByte(text: String) throws {
        // At the top level, and as a member the projection keeps (`a`) and skips (`b`), in an envelope.
        for body in [text, #"{"a":\#(text)}"#, #"{"b":\#(text)}"#, #"{"data":{"b":[0,\#(text)]},"a":1}"#] {
            let bytes = Array(body.utf8)
            guard case .failure(let expected) = JSONProjectionTests.outcome(bytes, .whole) else {
                Issue.record("\(body) parsed")
                continue
            }
            for projection in try JSONProjectionTests.projections() {
                #expect(JSONProjectionTests.outcome(bytes, projection) == .failure(expected), "\(body)")
            }
        }
    }

    @Test(
        arguments: [
            [0x22, 0xC3, 0x28, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22], [0x22, 0xC0, 0xAF, 0x22],
            [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22],
            [0x22, 0xE2, 0x82, 0x22], [0x22, 0x5C, 0x6E, 0xC3, 0x22], [0x22, 0xF0, 0x8F, 0xBF, 0xBF, 0x22],
            [0x22, 0xFF, 0x22],
        ] as [[UInt8]])
    func invalidUTF8IsRefusedWhereverItIs(string: [UInt8]) throws {
        for prefix in ["", #"{"a":"#, #"{"skipped":"#, #"{"#] {
            let suffix: [UInt8] = prefix.isEmpty ? [] : prefix == "{" ? Array(#":1}"#.utf8) : [0x7D]
            let bytes = Array(prefix.utf8) + string + suffix
            for projection in try JSONProjectionTests.projections() {
                guard case .failure(let error) = JSONProjectionTests.outcome(bytes, projection) else {
                    Issue.record("\(bytes) parsed")
                    continue
                }
                #expect(error.reason == "invalid UTF-8 in string")
            }
        }
    }

    @Test func validUTF8IsKeptWhereverItIs() throws {
        let text = #"{"a":"é ✓ 𝄞 \u00e9","skipped":"日本 \n 𝄞 ÿ","c":{"é":"x"}}"#
        for projection in try JSONProjectionTests.projections() {
            let value = try JSONParser.parse(Array(text.utf8), keeping: projection)
            if projection.isWhole || projection == JSONProjection(paths: ["a", "x.y", "data.a"]) {
                #expect(value["a"] == .string("é ✓ 𝄞 é"))
            }
        }
        #expect(try JSONParser.parse(Array(text.utf8))["c", "é"] == .string("x"))
    }

    @Test func aProjectionKeepsItsPathsWholeTheObjectsOnTheWayAndNothingElse() throws {
        let text =
            #"{"a":{"deep":[1,{"x":2}]},"x":{"y":"kept","z":"dropped"},"b":"dropped","data":"not an object","a":{"again":true}}"#
        let value = try JSONParser.parse(Array(text.utf8), keeping: JSONProjection(paths: ["a", "x.y", "data.a"]))
        #expect(
            value
                == .object(["a": .object(["again": .bool(true)]), "x": .object(["y": .string("kept")]), "data": .null]))
        #expect(try JSONParser.parse(Array(text.utf8), keeping: .nothing) == .object([:]))
        var merged = JSONProjection(paths: ["x.y"])
        merged.keep("x")
        #expect(merged == JSONProjection(paths: ["x"]))
    }

    /// The fixture bodies of every family, as sent (in an envelope) and bare (the `data` object alone), under
    /// every key of the catalog: what the pipeline derives from the projected body is what it derives
    /// from the whole one.
    @Test func theEventBodyProjectionDerivesWhatTheWholeBodyDoes() throws {
        let router = try HandlerRegistry.router()
        let projection = JSONProjection.eventBody(router: router)
        #expect(!projection.isWhole)
        let resolver = EventKeyResolver()
        var compared = 0
        for name in JSONProjectionTests.fixtures {
            guard case .object(let envelope) = try JSONParser.parse(try fixture(name)) else {
                Issue.record("\(name) is not an object")
                continue
            }
            var bodies = [envelope]
            if case .object(let data)? = envelope["data"] { bodies.append(data) }
            for var members in bodies {
                for key in EventCatalog.allKeys {
                    members["type"] = .string(key.rawValue)
                    let bytes = Array(JSONValue.object(members).jsonText.utf8)
                    let whole = try JSONParser.parse(bytes)
                    let projected = try JSONParser.parse(bytes, keeping: projection)
                    let resolution = resolver.resolve(body: projected, headers: HTTPHeaders(), pathSuffix: nil)
                    #expect(
                        resolution.key == resolver.resolve(body: whole, headers: HTTPHeaders(), pathSuffix: nil).key)
                    #expect(resolution.key == key)
                    #expect(
                        DeliveryIdentity.dedupeKey(signedID: nil, body: projected, bodySHA256: "h")
                            == DeliveryIdentity.dedupeKey(signedID: nil, body: whole, bodySHA256: "h"))
                    func derive(_ body: JSONValue) -> EventDerivation {
                        EventDerivation(
                            body: body, key: key, webhook: "wink", receivedAt: Timestamp(seconds: 1_780_000_000),
                            fallbackEntity: "fallback", router: router)
                    }
                    #expect(derive(projected) == derive(whole), "\(name) as \(key)")
                    compared += 1
                }
            }
        }
        #expect(compared >= EventCatalog.allKeys.count * JSONProjectionTests.fixtures.count)
    }

    /// A handler that does not say what it reads gets the whole body.
    @Test func aHandlerWithoutReadsGetsTheWholeBody() throws {
        struct Opaque: EventHandler {
            var keys: [EventKey] { [EventKey("booking.create")!] }
            func points(for event: Event) -> [MetricPoint] { [] }
        }
        let router = try EventRouter(handlers: [Opaque()], fallback: CountHandler())
        #expect(JSONProjection.eventBody(router: router).isWhole)
        #expect(try !JSONProjection.eventBody(router: EventRouter(handlers: [], fallback: CountHandler())).isWhole)
    }
}
