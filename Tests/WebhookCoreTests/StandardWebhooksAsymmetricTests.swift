import Crypto
import FoundationEssentials
import Testing

@testable import WebhookCore

/// Standard Webhooks `v1a`: Ed25519 over `id.timestamp.body`, `whpk_` public and `whsk_` secret keys.
@Suite struct StandardWebhooksAsymmetricTests {
    let pair = StandardWebhooksKeyPair(privateKey: Curve25519.Signing.PrivateKey())

    func verifier(_ pairs: [StandardWebhooksKeyPair]) -> StandardWebhooksVerifier {
        StandardWebhooksVerifier(secrets: [], keyPairs: pairs)
    }

    @Test func aV1aSignatureVerifiesWithThePublicKeyOnly() throws {
        let publicOnly = try StandardWebhooksKeyPair(pair.publicText)
        #expect(publicOnly.privateKey == nil)
        let request = Req.signed(StandardWebhooksSigner(keyPair: pair), #"{"a":1}"#, id: "msg_v1a")
        #expect(request.head.headers["webhook-signature"]?.hasPrefix("v1a,") == true)
        let sender = try Authenticator([verifier([publicOnly])]).verify(request, now: Req.now)
        #expect(sender.deliveryID == "msg_v1a")
    }

    @Test func anotherKeyOrATamperedBodyFails() throws {
        let other = StandardWebhooksKeyPair(privateKey: Curve25519.Signing.PrivateKey())
        var request = Req.signed(StandardWebhooksSigner(keyPair: pair), #"{"a":1}"#)
        #expect(!Req.accepts(verifier([other]), request))
        request.body[2] ^= 1
        #expect(!Req.accepts(verifier([pair]), request))
    }

    @Test func v1AndV1aTogetherAnyMatches() throws {
        let secret = try StandardWebhooksSecret(Vector.secret)
        let both = StandardWebhooksVerifier(secrets: [secret], keyPairs: [pair])
        let v1a = Req.signed(StandardWebhooksSigner(keyPair: pair), "{}")
        let v1 = Req.signed(StandardWebhooksSigner(secret: secret), "{}")
        #expect(Req.accepts(both, v1a))
        #expect(Req.accepts(both, v1))
    }

    @Test func secretKeysParseFromSeedOrSeedAndPublicKey() throws {
        let seed = pair.privateKey!.rawRepresentation
        let fromSeed = try StandardWebhooksKeyPair("whsk_" + seed.base64EncodedString())
        let fromBoth = try StandardWebhooksKeyPair(
            "whsk_" + (seed + pair.publicKey.rawRepresentation).base64EncodedString())
        #expect(fromSeed.publicText == pair.publicText)
        #expect(fromBoth.publicText == pair.publicText)
    }

    @Test(arguments: [
        "whpk_", "whpk_AAAA", "whpk_!!!!", "whsk_AAAA", "whsec_AAAA", "pk_" + String(repeating: "A", count: 44),
    ])
    func badKeysAreRefused(text: String) {
        #expect(throws: SecretError.self) { try StandardWebhooksKeyPair(text) }
    }

    @Test func manyV1aEntriesCostAtMostFourVerifications() throws {
        // 16 bogus v1a entries and 8 keys: refused after the cap, not 128 Ed25519 checks.
        let keys = (0..<8).map { _ in StandardWebhooksKeyPair(privateKey: Curve25519.Signing.PrivateKey()) }
        let bogus = (0..<16).map { _ in "v1a," + Data(repeating: 1, count: 64).base64EncodedString() }
        let request = Req.request(
            "{}",
            headers: [
                ("webhook-id", "msg_x"), ("webhook-timestamp", String(Req.now.seconds)),
                ("webhook-signature", bogus.joined(separator: " ")),
            ])
        #expect(!Req.accepts(verifier(keys), request))
        #expect(StandardWebhooksVerifier.maximumAsymmetricChecks == 4)
    }
}
