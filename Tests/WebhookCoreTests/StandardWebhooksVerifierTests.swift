import Testing

@testable import WebhookCore

@Suite struct StandardWebhooksVerifierTests {
    func request(id: String = Vector.id, timestamp: String, signature: String, body: String = Vector.body)
        -> WebhookRequest
    {
        let headers = HTTPHeaders([
            ("webhook-id", id), ("webhook-timestamp", timestamp), ("webhook-signature", signature),
        ])
        return WebhookRequest(
            head: RequestHead(method: "POST", path: "/", headers: headers), body: Array(body.utf8),
            receivedAt: Timestamp(seconds: Vector.timestamp))
    }

    func verifier(_ secrets: [String] = [Vector.secret]) throws -> StandardWebhooksVerifier {
        StandardWebhooksVerifier(secrets: try secrets.map { try StandardWebhooksSecret($0) })
    }

    @Test func knownAnswerVectorSigns() throws {
        let signer = StandardWebhooksSigner(secret: try StandardWebhooksSecret(Vector.secret))
        #expect(
            signer.signature(id: Vector.id, timestamp: Vector.timestamp, body: Array(Vector.body.utf8))
                == Vector.signature)
    }

    @Test func knownAnswerVectorVerifies() throws {
        let result = try verifier().verify(
            request(timestamp: String(Vector.timestamp), signature: Vector.signature),
            now: Timestamp(seconds: Vector.timestamp))
        #expect(result.deliveryID == Vector.id)
    }

    @Test func keyIsTheDecodedSecretNotItsText() throws {
        // The vector signed with the secret's text as key must fail (receivers.md §5).
        let wrong = "v1,TcxlhK9b6UD6iVI1ZU2tTqp8PEVfYRseNNfa6b+LcUg="
        #expect(throws: VerificationFailure.self) {
            try verifier().verify(
                request(timestamp: String(Vector.timestamp), signature: wrong),
                now: Timestamp(seconds: Vector.timestamp))
        }
    }

    @Test func anyOfSeveralSignaturesMatches() throws {
        let header = "v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= v2,xyz v1a,AAAA \(Vector.signature) v1,bogus"
        let result = try verifier().verify(
            request(timestamp: String(Vector.timestamp), signature: header), now: Timestamp(seconds: Vector.timestamp))
        #expect(result.deliveryID == Vector.id)
    }

    @Test func anyOfSeveralSecretsMatches() throws {
        let other = StandardWebhooksSecret(keyBytes: Array(repeating: 7, count: 32)).text
        let result = try verifier([other, Vector.secret]).verify(
            request(timestamp: String(Vector.timestamp), signature: Vector.signature),
            now: Timestamp(seconds: Vector.timestamp))
        #expect(result.deliveryID == Vector.id)
    }

    @Test func secretWithoutPrefixAndWithV1PrefixBothWork() throws {
        for text in ["MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "v1,whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"] {
            let result = try verifier([text]).verify(
                request(timestamp: String(Vector.timestamp), signature: Vector.signature),
                now: Timestamp(seconds: Vector.timestamp))
            #expect(result.deliveryID == Vector.id)
        }
    }

    @Test(arguments: [
        (-301, false), (-300, true), (0, true), (300, true), (301, false),
    ])
    func timestampWindowIsTwoSided(offset: Int64, accepted: Bool) throws {
        let signer = StandardWebhooksSigner(secret: try StandardWebhooksSecret(Vector.secret))
        let ts = Vector.timestamp + offset
        let sig = signer.signature(id: Vector.id, timestamp: ts, body: Array(Vector.body.utf8))
        let verify = {
            try verifier().verify(
                request(timestamp: String(ts), signature: sig), now: Timestamp(seconds: Vector.timestamp))
        }
        if accepted {
            #expect(throws: Never.self) { _ = try verify() }
        } else {
            let error = #expect(throws: VerificationFailure.self) { _ = try verify() }
            #expect(error?.code == .timestampOutsideWindow)
        }
    }

    @Test(arguments: [
        "nan", "1e9", "+1614265330", "1614265330.0", "", " 1614265330", "-1", "0", "9999999999999", "inf",
    ])
    func nonIntegerTimestampsAreRejectedWithoutTrapping(text: String) throws {
        let error = #expect(throws: VerificationFailure.self) {
            try verifier().verify(
                request(timestamp: text, signature: Vector.signature), now: Timestamp(seconds: Vector.timestamp))
        }
        #expect(error?.code == .malformedHeader || error?.code == .missingHeader)
    }

    @Test func missingHeadersFail() throws {
        for missing in ["webhook-id", "webhook-timestamp", "webhook-signature"] {
            var headers = HTTPHeaders()
            for (name, value) in [
                ("webhook-id", Vector.id), ("webhook-timestamp", String(Vector.timestamp)),
                ("webhook-signature", Vector.signature),
            ] where name != missing {
                headers.add(name, value)
            }
            let req = WebhookRequest(
                head: RequestHead(method: "POST", path: "/", headers: headers), body: Array(Vector.body.utf8),
                receivedAt: Timestamp(seconds: Vector.timestamp))
            let error = #expect(throws: VerificationFailure.self) {
                try verifier().verify(req, now: Timestamp(seconds: Vector.timestamp))
            }
            #expect(error?.code == .missingHeader)
        }
    }

    @Test func duplicateSignatureHeadersAreRejected() throws {
        var req = request(timestamp: String(Vector.timestamp), signature: Vector.signature)
        req.head.headers.add("webhook-signature", Vector.signature)
        #expect(throws: VerificationFailure.self) {
            try verifier().verify(req, now: Timestamp(seconds: Vector.timestamp))
        }
    }

    @Test func tamperedBodyFails() throws {
        let error = #expect(throws: VerificationFailure.self) {
            try verifier().verify(
                request(
                    timestamp: String(Vector.timestamp), signature: Vector.signature, body: #"{"test": 2432232315}"#),
                now: Timestamp(seconds: Vector.timestamp))
        }
        #expect(error?.code == .noMatchingSignature)
    }

    @Test func noSecretsFailsClosed() throws {
        let error = #expect(throws: VerificationFailure.self) {
            try StandardWebhooksVerifier(secrets: []).verify(
                request(timestamp: String(Vector.timestamp), signature: Vector.signature),
                now: Timestamp(seconds: Vector.timestamp))
        }
        #expect(error?.code == .noSecrets)
    }

    @Test(arguments: ["", "whsec_", "whsec_!!!notbase64", "whsec_AAAA"])
    func unusableSecretsAreRefused(text: String) {
        #expect(throws: SecretError.self) { try StandardWebhooksSecret(text) }
    }
}
