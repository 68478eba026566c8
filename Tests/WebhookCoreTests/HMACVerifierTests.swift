import Crypto
import FoundationEssentials
import Testing

@testable import WebhookCore

@Suite struct HMACVerifierTests {
    /// A key made ready once gives, message after message, the MAC swift-crypto computes afresh over the
    /// whole message (its state is copied, never advanced), for every algorithm and for keys longer than a
    /// block.
    @Test(arguments: MACAlgorithm.allCases)
    func aPreparedKeyGivesTheMACAFreshKeyGives(algorithm: MACAlgorithm) {
        func reference(_ key: SymmetricKey, _ message: [UInt8]) -> [UInt8] {
            switch algorithm {
            case .sha1: Array(HMAC<Insecure.SHA1>.authenticationCode(for: message, using: key))
            case .sha256: Array(HMAC<SHA256>.authenticationCode(for: message, using: key))
            case .sha512: Array(HMAC<SHA512>.authenticationCode(for: message, using: key))
            }
        }
        for keyBytes in [Array("k".utf8), [UInt8](repeating: 7, count: 200)] {
            let key = SymmetricKey(data: keyBytes)
            let prepared = algorithm.prepared(key)
            for n in 0..<3 {
                let body = [UInt8](repeating: UInt8(n), count: 100 * n)
                let prefix = Array("id.\(n).".utf8)
                #expect(prepared.code(prefix: prefix, body: body, suffix: [1]) == reference(key, prefix + body + [1]))
                #expect(prepared.code(body: body) == reference(key, body))
                #expect(algorithm.code(key: key, prefix: prefix, body: body) == reference(key, prefix + body))
            }
        }
    }

    /// GitHub's documented example (docs: "Validating webhook deliveries"): this secret and payload give
    /// this `X-Hub-Signature-256`.
    enum GitHubVector {
        static let secret = "It's a Secret to Everybody"
        static let body = "Hello, World!"
        static let signature = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
    }

    let github = HMACVerifier(scheme: "github", settings: .github, secrets: [Array(GitHubVector.secret.utf8)])

    @Test func githubsPublishedExampleVerifies() throws {
        let request = Req.request(
            GitHubVector.body,
            headers: [("X-Hub-Signature-256", GitHubVector.signature), ("X-GitHub-Delivery", "72d3162e-cc78")])
        let sender = try Authenticator([github]).verify(request, now: Req.now)
        #expect(sender.deliveryID == "72d3162e-cc78")
        #expect(sender.scheme == "github")
    }

    @Test func githubsExampleSignsToThePublishedValue() throws {
        let signed = try #require(github.signer).sign(id: "d", timestamp: 0, body: Array(GitHubVector.body.utf8))
        #expect(signed.headers.first { $0.name == "X-Hub-Signature-256" }?.value == GitHubVector.signature)
    }

    @Test(arguments: [
        GitHubVector.signature.uppercased().replacingOccurrences("SHA256=", "sha256=")  // hex in capitals is fine
    ])
    func hexIsCaseInsensitive(signature: String) {
        #expect(Req.accepts(github, Req.request(GitHubVector.body, headers: [("X-Hub-Signature-256", signature)])))
    }

    @Test(arguments: [
        "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",  // prefix missing
        "sha1=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",
        "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e18",
        "sha256=757107ea", "sha256=", "", "sha256=zz7107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",
    ])
    func wrongSignaturesAreRefused(signature: String) {
        #expect(!Req.accepts(github, Req.request(GitHubVector.body, headers: [("X-Hub-Signature-256", signature)])))
    }

    @Test func aTamperedBodyIsRefused() {
        let request = Req.request("Hello, World?", headers: [("X-Hub-Signature-256", GitHubVector.signature)])
        #expect(!Req.accepts(github, request))
    }

    @Test func missingHeaderIsRefusedOnTheHead() {
        guard case .failed(let failure) = github.check(Req.head(), now: Req.now) else {
            Issue.record("no signature header was not refused on the head")
            return
        }
        #expect(failure.code == .missingHeader)
    }

    static let settings: [HMACVerifier.Settings] = [
        .init(header: "X-Signature"),
        .init(header: "X-Shopify-Hmac-Sha256", encoding: .base64),
        .init(header: "X-Sig", algorithm: .sha512, prefix: "sha512="),
        .init(header: "X-Sig", algorithm: .sha1, prefix: "sha1="),
        .init(
            header: "X-Signature", prefix: "sha256=", content: .timestampDotBody, timestampHeader: "X-Timestamp"),
        .init(
            header: "X-Slack-Signature", prefix: "v0=",
            content: literal(SignedContent(template: "v0:{timestamp}:{body}"), "v0:{timestamp}:{body}"),
            timestampHeader: "X-Slack-Request-Timestamp"),
        .init(
            header: "X-Sig",
            content: literal(SignedContent(template: "{id}.{timestamp}.{body}.end"), "{id}.{timestamp}.{body}.end"),
            timestampHeader: "X-Ts", idHeader: "X-Id"),
    ]

    @Test(arguments: settings)
    func everyShapeRoundTripsAndRefusesAnotherSecret(settings: HMACVerifier.Settings) throws {
        let verifier = HMACVerifier(settings: settings, secrets: [Array("the-right-secret".utf8)])
        let other = HMACVerifier(settings: settings, secrets: [Array("another-secret!!".utf8)])
        let body = #"{"type":"booking.created","n":1}"#
        let request = Req.signed(try #require(verifier.signer), body, id: "evt_7")
        #expect(Req.accepts(verifier, request))
        #expect(!Req.accepts(verifier, Req.signed(try #require(other.signer), body, id: "evt_7")))
        var tampered = request
        tampered.body[3] ^= 1
        #expect(!Req.accepts(verifier, tampered))
    }

    @Test(arguments: [(-301, false), (-300, true), (0, true), (300, true), (301, false)])
    func timestampWindowIsTwoSided(offset: Int64, accepted: Bool) throws {
        let verifier = HMACVerifier(settings: Self.settings[4], secrets: [Array("the-right-secret".utf8)])
        let request = Req.signed(try #require(verifier.signer), "{}", timestamp: Req.now.seconds + offset)
        #expect(Req.accepts(verifier, request) == accepted)
    }

    @Test(arguments: ["nan", "-1", "1e9", "0x10", " 1780000000", "17800000000000"])
    func timestampsMustBePlainDigits(text: String) throws {
        let verifier = HMACVerifier(settings: Self.settings[4], secrets: [Array("the-right-secret".utf8)])
        var request = Req.signed(try #require(verifier.signer), "{}")
        var headers = HTTPHeaders()
        for (name, value) in request.head.headers.fields { headers.add(name, name == "x-timestamp" ? text : value) }
        request.head.headers = headers
        #expect(!Req.accepts(verifier, request))
    }

    @Test func anyOfSeveralSecretsAndCandidates() throws {
        let verifier = HMACVerifier(
            settings: Self.settings[0], secrets: [Array("old-secret-0001".utf8), Array("new-secret-0002".utf8)])
        let signed = HMACVerifier(settings: Self.settings[0], secrets: [Array("new-secret-0002".utf8)])
        let good = try #require(signed.signer).sign(id: "", timestamp: 0, body: Array("{}".utf8)).headers[0].value
        let header = String(repeating: "00", count: 32) + ", " + good
        #expect(Req.accepts(verifier, Req.request("{}", headers: [("X-Signature", header)])))
    }

    @Test(arguments: ["{body}", "{timestamp}.{body}", "v0:{timestamp}:{body}", "{id}.{timestamp}.{body}"])
    func templatesParse(template: String) {
        #expect(SignedContent(template: template)?.template == template)
    }

    @Test(arguments: ["", "{timestamp}", "{body}{body}", "{bodyx}", "{body", "{nonce}.{body}"])
    func badTemplatesAreRefused(template: String) {
        #expect(SignedContent(template: template) == nil)
    }
}

extension HMACVerifier.Settings: CustomTestStringConvertible {
    public var testDescription: String { "\(header) \(algorithm) \(encoding) \(content.template)" }
}
