import Testing

@testable import WebhookCore

@Suite struct URLTokenVerifierTests {
    static let token = "tok_3f9a7c2b1d4e6f8091a2b3c4d5e6f708"
    let verifier = URLTokenVerifier(tokens: ["old_token_kept_for_rotation_0001", URLTokenVerifierTests.token])

    @Test func tokenAsTheLastPathSegmentPassesOnTheHeadAlone() {
        guard case .verified(let sender) = verifier.check(Req.head(path: "/webhook/wink/\(Self.token)"), now: Req.now)
        else {
            Issue.record("a correct path token was refused")
            return
        }
        #expect(sender.tokenInPath)
        #expect(sender.scheme == "url-token")
    }

    @Test func tokenInTheQueryPasses() {
        guard case .verified(let sender) = verifier.check(Req.head(query: "a=1&token=\(Self.token)&b"), now: Req.now)
        else {
            Issue.record("a correct query token was refused")
            return
        }
        #expect(!sender.tokenInPath)
    }

    @Test func percentEncodedQueryTokenIsDecoded() {
        let encoded = Self.token.replacingOccurrences("_", "%5F")
        #expect(Req.accepts(verifier, Req.request("{}", query: "token=\(encoded)")))
    }

    @Test func everyConfiguredTokenIsAccepted() {
        #expect(Req.accepts(verifier, Req.request("{}", path: "/webhook/wink/old_token_kept_for_rotation_0001")))
    }

    @Test(arguments: [
        ("/webhook/wink", ""), ("/webhook/wink/\(String(token.dropLast()))", ""),
        ("/webhook/wink/\(token)x", ""), ("/webhook/wink", "token=\(String(token.dropLast()))"),
        ("/webhook/wink", "Token=\(token)"), ("/webhook/wink", "token"), ("/webhook/wink/\(token)/x", ""),
        ("/webhook/wink", "token=%ZZ"),
    ])
    func wrongOrMissingTokensAreRefused(path: String, query: String) {
        guard case .failed(let failure) = verifier.check(Req.head(path: path, query: query), now: Req.now) else {
            Issue.record("accepted \(path)?\(query)")
            return
        }
        #expect(!failure.description.contains(Self.token))
        #expect(!failure.description.contains(String(Self.token.prefix(10))))
    }

    @Test func placesCanBeTurnedOff() {
        let queryOnly = URLTokenVerifier(tokens: [Self.token], acceptsPath: false)
        #expect(!Req.accepts(queryOnly, Req.request("{}", path: "/webhook/wink/\(Self.token)")))
        #expect(Req.accepts(queryOnly, Req.request("{}", query: "token=\(Self.token)")))
        let pathOnly = URLTokenVerifier(tokens: [Self.token], queryParameter: nil)
        #expect(!Req.accepts(pathOnly, Req.request("{}", query: "token=\(Self.token)")))
        let named = URLTokenVerifier(tokens: [Self.token], queryParameter: "key", acceptsPath: false)
        #expect(Req.accepts(named, Req.request("{}", query: "key=\(Self.token)")))
    }

    @Test func noTokenFailsClosed() {
        #expect(!Req.accepts(URLTokenVerifier(tokens: []), Req.request("{}", path: "/webhook/wink/anything")))
    }

    @Test(arguments: [
        ("short", false), (String(repeating: "a", count: 21), false), (String(repeating: "a", count: 22), true),
        ("has space in it 0123456789", false), ("slash/in/the/token/0123456", false), (token, true),
        ("dots.make.it.look.like.a.key", false),
    ])
    func tokensMustBeLongAndURLSafe(token: String, fine: Bool) {
        #expect((URLTokenVerifier.problem(with: token) == nil) == fine)
    }

    @Test func signerPutsTheTokenWhereTheVerifierLooks() throws {
        for verifier in [
            URLTokenVerifier(tokens: [Self.token]), URLTokenVerifier(tokens: [Self.token], acceptsPath: false),
        ] {
            let signer = try #require(verifier.signer)
            #expect(Req.accepts(verifier, Req.signed(signer, "{}")))
        }
    }
}

extension String {
    func replacingOccurrences(_ target: String, _ replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
