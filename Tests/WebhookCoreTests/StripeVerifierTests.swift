import Crypto
import Testing

@testable import WebhookCore

@Suite struct StripeVerifierTests {
    static let secret = "whsec_test_secret_for_stripe_0123"
    let verifier = StripeVerifier(secrets: [Array(StripeVerifierTests.secret.utf8)])
    let body = #"{"id":"evt_1","type":"payment_intent.succeeded"}"#

    /// Stripe's documented scheme, computed independently here: HMAC-SHA256, key = the secret's text,
    /// over "t.body", lowercase hex.
    func v1(_ timestamp: Int64, _ body: String, secret: String = StripeVerifierTests.secret) -> String {
        let mac = HMAC<SHA256>.authenticationCode(
            for: Array("\(timestamp).\(body)".utf8), using: SymmetricKey(data: Array(secret.utf8)))
        return Hex.encode(mac)
    }

    func request(_ header: String) -> WebhookRequest {
        Req.request(body, headers: [("Stripe-Signature", header)])
    }

    @Test func aSignedEventVerifies() {
        #expect(Req.accepts(verifier, request("t=\(Req.now.seconds),v1=\(v1(Req.now.seconds, body))")))
    }

    @Test func theValidV1MayComeAfterOthersAndV0IsIgnored() {
        let ts = Req.now.seconds
        let header = "t=\(ts),v0=\(v1(ts, body)),v1=\(String(repeating: "0", count: 64)),v1=\(v1(ts, body))"
        #expect(Req.accepts(verifier, request(header)))
    }

    @Test(arguments: [(-301, false), (-300, true), (300, true), (301, false)])
    func toleranceBothWays(offset: Int64, accepted: Bool) {
        let ts = Req.now.seconds + offset
        #expect(Req.accepts(verifier, request("t=\(ts),v1=\(v1(ts, body))")) == accepted)
    }

    @Test func theKeyIsTheSecretTextNotDecoded() {
        let ts = Req.now.seconds
        #expect(!Req.accepts(verifier, request("t=\(ts),v1=\(v1(ts, body, secret: "test_secret_for_stripe_0123"))")))
    }

    @Test(arguments: [
        "", "t=1780000000", "v1=abc", "t=nan,v1=00", "t=1780000000,t=1780000000,v1=00", "garbage",
        "t=-1780000000,v1=" + String(repeating: "0", count: 64),
    ])
    func malformedHeadersAreRefused(header: String) {
        #expect(!Req.accepts(verifier, request(header)))
    }

    @Test func signerRoundTrips() throws {
        #expect(Req.accepts(verifier, Req.signed(try #require(verifier.signer), body)))
    }
}
