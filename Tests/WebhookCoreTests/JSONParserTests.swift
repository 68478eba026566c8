import Testing

@testable import WebhookCore

@Suite struct JSONParserTests {
    func parse(_ text: String) throws -> JSONValue { try JSONParser.parse(Array(text.utf8)) }

    @Test func numbersKeepTheirExactText() throws {
        #expect(try parse(#"{"a":540.00,"b":-1.5e3,"c":0}"#)["a"] == .number("540.00"))
        #expect(try parse(#"{"b":-1.5e3}"#)["b"] == .number("-1.5e3"))
    }

    @Test func escapesAndSurrogatePairs() throws {
        #expect(try parse(#"["\"\\\/\n\u00e9\ud83d\ude00"]"#) == .array([.string("\"\\/\né😀")]))
    }

    @Test(arguments: [
        "", "{", "[1,]", "{\"a\":}", "01", "1.", "-", "tru", "nul", "\"\\x\"", "\"\\ud800\"", "\"\\udc00\"",
        "\"\\u0000\"", "{\"a\" 1}", "[1 2]", "1 2", "\"a\tb\"", "1e999999", "NaN", "Infinity",
    ])
    func invalidTextsThrow(text: String) {
        #expect(throws: JSONParseError.self) { try parse(text) }
    }

    @Test func aRepeatedNameKeepsItsLastValueInItsFirstPlaceInSmallAndLargeObjects() throws {
        let small = try parse(#"{"a":1,"b":2,"a":3}"#)
        #expect(small["a"] == .number("3") && small.objectValue?.keys == ["a", "b"])
        // Past the index threshold (32 members) lookups and repeats go through the dictionary index.
        let members = (0..<40_000).map { #""k\#($0)":\#($0)"# }.joined(separator: ",")
        let large = try parse("{" + members + #","k7":"again","k39999":null}"#)
        #expect(large.objectValue?.count == 40_000)
        #expect(large["k7"] == .string("again") && large["k39999"] == .null && large["k123"] == .number("123"))
        #expect(large.objectValue?.keys.prefix(3) == ["k0", "k1", "k2"])
        #expect(large["missing"] == nil)
    }

    @Test func nonASCIIStringsAreValidatedWithAndWithoutEscapes() throws {
        #expect(try parse(#"["é ✓ 𝄞"]"#) == .array([.string("é ✓ 𝄞")]))
        #expect(try parse(#"["é\n✓"]"#) == .array([.string("é\n✓")]))
        #expect(throws: JSONParseError.self) { try JSONParser.parse([0x22, 0x5C, 0x6E, 0xC3, 0x28, 0x22]) }
        #expect(throws: JSONParseError.self) { try JSONParser.parse([0x22, 0xED, 0xA0, 0x80, 0x22]) }
    }

    @Test func invalidUTF8Throws() {
        #expect(throws: JSONParseError.self) { try JSONParser.parse([0x22, 0xC3, 0x28, 0x22]) }
    }

    @Test func deepNestingIsRefusedNotACrash() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONParseError.self) { try parse(deep) }
    }

    @Test func encodingRoundTrips() throws {
        let value = try parse(#"{"b":[1,true,null],"a":"x\"y\u0001"}"#)
        #expect(try JSONParser.parse(Array(value.jsonText.utf8)) == value)
        #expect(value.jsonText == #"{"a":"x\"y\u0001","b":[1,true,null]}"#)
    }

    @Test(arguments: ["booking.create.json", "booking.cancelled.json", "bare-booking.json", "property.updated.json"])
    func samplesParse(name: String) throws {
        guard case .object = try JSONParser.parse(try fixture(name)) else {
            Issue.record("\(name) is not an object")
            return
        }
    }
}

@Suite struct HeaderArchiveTests {
    @Test(arguments: [
        ("x-webhook-secret", true), ("x-auth-token", true), ("x-hub-signature-256", true), ("authorization", true),
        ("cookie", true), ("user-agent", false), ("webhook-id", false), ("x-tok", false), ("", false),
    ])
    func secretHeaderNames(name: String, secret: Bool) {
        #expect(HeaderArchive.isSecret(name) == secret)
    }
}
