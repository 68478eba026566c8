import Testing

@testable import WebhookCore

/// No input may crash a worker: mutated bodies, hostile headers and CGI parameters all get a fixed answer.
@Suite struct RobustnessTests {
    /// SplitMix64: deterministic, so a failure reproduces.
    struct SeededGenerator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let interesting: [[UInt8]] = [
        Array(#"\u0000"#.utf8), Array(#"\ud800"#.utf8), [0xFF], [0xC3], [0x00], Array("1e99999".utf8),
        Array("[[[[[[[[".utf8), Array("\"".utf8), Array("}".utf8), Array("-".utf8), Array("NaN".utf8),
        Array(#""type":"booking.created""#.utf8), Array(#"{"data":"#.utf8), Array("9".utf8),
    ]

    func mutate(_ seed: [UInt8], _ rng: inout SeededGenerator) -> [UInt8] {
        var bytes = seed
        for _ in 0..<Int.random(in: 1...6, using: &rng) {
            let position = bytes.isEmpty ? 0 : Int.random(in: 0..<bytes.count, using: &rng)
            switch Int.random(in: 0..<4, using: &rng) {
            case 0 where !bytes.isEmpty: bytes[position] = UInt8.random(in: 0...255, using: &rng)
            case 1 where !bytes.isEmpty: bytes.remove(at: position)
            case 2: bytes.insert(contentsOf: Self.interesting.randomElement(using: &rng) ?? [], at: position)
            default: bytes = Array(bytes.prefix(position))
            }
        }
        return bytes
    }

    @Test func mutatedSignedBodiesGetAFixedAnswer() throws {
        let h = try Harness()
        let seed = try fixture("booking.create.json")
        var rng = SeededGenerator(state: 20_261_129)
        var seen: [Int: Int] = [:]
        for n in 0..<3000 {
            let body = mutate(seed, &rng)
            let outcome = h.send(h.request(body, id: "msg_fuzz_\(n)"))
            seen[outcome.response.status, default: 0] += 1
            #expect(
                [200, 400, 413].contains(outcome.response.status), "body: \(String(decoding: body, as: UTF8.self))")
        }
        #expect(seen[200, default: 0] > 0 && seen[400, default: 0] > 0)
        // Everything answered 200 was stored; everything answered 400 was kept raw.
        #expect(h.store.deliveries.count == seen[200, default: 0])
        #expect(h.store.rejected.count == seen[400, default: 0])
    }

    @Test func hostileHeadersGet401NotACrash() throws {
        let h = try Harness()
        var rng = SeededGenerator(state: 7)
        let values = [
            "", "nan", "-1", "99999999999999999999", "v1,", "v1,====", "v1a,AAAA", " ", "\u{0}", "é",
            String(repeating: "v1,AAAA ", count: 500), "msg.with.dots", String(repeating: "x", count: 5000),
        ]
        for _ in 0..<2000 {
            let body = Array(#"{"type":"booking.create"}"#.utf8)
            var headers = HTTPHeaders()
            for name in ["webhook-id", "webhook-timestamp", "webhook-signature"] where Bool.random(using: &rng) {
                headers.add(name, values.randomElement(using: &rng) ?? "")
            }
            let head = RequestHead(
                method: "POST", path: "/webhook/wink", contentType: "application/json",
                contentLength: body.count, headers: headers)
            let outcome = h.send(WebhookRequest(head: head, body: body, receivedAt: h.now))
            #expect(outcome.response.status == 401)
        }
        #expect(h.store.deliveries.isEmpty)
    }

    /// Random CGI parameter lists against a reference reading of RFC 3875: every list either parses to
    /// exactly what the rules say, or is refused for a malformed CONTENT_LENGTH, never anything else.
    @Test func arbitraryCGIParametersParseToWhatTheRulesSay() {
        var rng = SeededGenerator(state: 99)
        let names = [
            "CONTENT_LENGTH", "CONTENT_TYPE", "REQUEST_METHOD", "DOCUMENT_URI", "REQUEST_URI", "QUERY_STRING",
            "REMOTE_ADDR", "HTTP_", "HTTP_X", "HTTP_WEBHOOK_ID", "SCRIPT_NAME", "PATH_INFO",
        ]
        let values = [
            "", "-5", "18446744073709551616", "0x10", "1 2", "12", "POST", "post", "/", "?", "/webhook/wink?x=1",
            "\u{FFFD}", "/a\nb", "token=abc",
        ]
        var parsed = 0
        var refused = 0
        for _ in 0..<3000 {
            var parameters: [(String, String)] = []
            for _ in 0..<Int.random(in: 0...7, using: &rng) {
                parameters.append((names.randomElement(using: &rng) ?? "", values.randomElement(using: &rng) ?? ""))
            }
            var first: [String: String] = [:]
            for (name, value) in parameters where first[name] == nil { first[name] = value }
            let length = first["CONTENT_LENGTH"] ?? ""
            let lengthIsValid =
                length.isEmpty
                || (length.utf8.count <= 18 && length.allSatisfy(\.isASCII)
                    && length.allSatisfy(\.isNumber) && Int(length) != nil)
            guard let head = RequestHead(cgiParameters: parameters) else {
                refused += 1
                #expect(!lengthIsValid, "refused a valid list: \(parameters)")
                continue
            }
            parsed += 1
            #expect(lengthIsValid, "accepted CONTENT_LENGTH \(length)")
            #expect(head.contentLength == (length.isEmpty ? nil : Int(length)))
            #expect(head.method == (first["REQUEST_METHOD"] ?? "GET").uppercased())
            var path = first["DOCUMENT_URI"] ?? ""
            if path.isEmpty { path = String((first["REQUEST_URI"] ?? "").prefix { $0 != "?" }) }
            if path.isEmpty { path = (first["SCRIPT_NAME"] ?? "") + (first["PATH_INFO"] ?? "") }
            #expect(head.path == (path.isEmpty ? "/" : path))
            var query = first["QUERY_STRING"] ?? ""
            if query.isEmpty, let uri = first["REQUEST_URI"], let mark = uri.firstIndex(of: "?") {
                query = String(uri[uri.index(after: mark)...])
            }
            #expect(head.query == query)
            #expect(head.remoteAddress == first["REMOTE_ADDR"].flatMap { $0.isEmpty ? nil : $0 })
            let expectedIDs = parameters.filter { $0.0 == "HTTP_WEBHOOK_ID" }.map(\.1)
            #expect(head.headers.values("webhook-id") == expectedIDs)
            #expect(head.contentType == first["CONTENT_TYPE"].flatMap { $0.isEmpty ? nil : $0 })
        }
        #expect(parsed > 100 && refused > 100)
    }
}
