import Crypto
import Foundation
import Testing

@testable import WebhookCore

/// Every signer and verifier against an independent implementation: Python's `hmac` and the
/// `cryptography` package (Fixtures/crosscheck.py). Under `CI=true` a missing python3 is a failure.
@Suite(.enabled(if: Python.available)) struct CrossCheckTests {
    struct Case {
        let secret: String
        let body: [UInt8]
        let id = "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W"
        let ts = Req.now.seconds
        let seed = Array((0..<32).map { UInt8($0 * 7 % 256) })
    }

    /// A few bodies, including bytes that are not UTF-8 and an empty one.
    static let cases: [Case] = [
        Case(secret: Vector.secret, body: Array(Vector.body.utf8)),
        Case(
            secret: "plain secret with spaces & ünïcode",
            body: Array(#"{"type":"booking.created","amount":540.00}"#.utf8)),
        Case(
            secret: "whsec_" + Data(repeating: 0x5A, count: 32).base64EncodedString(), body: [0xFF, 0x00, 0x7B, 0x0A]),
        Case(secret: "k-123456", body: []),
    ]

    func python(_ c: Case) throws -> [String: String] {
        let script = String(#filePath.dropLast("CrossCheckTests.swift".count)) + "Fixtures/crosscheck.py"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(Python.path, "python3 is not installed"))
        process.arguments = [script]
        let input = Pipe()
        let output = Pipe()
        let errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let query: [String: Any] = [
            "secret": c.secret, "id": c.id, "ts": c.ts, "body_b64": Data(c.body).base64EncodedString(),
            "ed25519_seed_b64": Data(c.seed).base64EncodedString(),
        ]
        input.fileHandleForWriting.write(try JSONSerialization.data(withJSONObject: query))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "crosscheck.py failed: \(stderr)")
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: String])
    }

    func request(_ c: Case, _ headers: [(String, String)]) -> WebhookRequest {
        WebhookRequest(head: Req.head(headers: headers), body: c.body, receivedAt: Req.now)
    }

    func header(_ signer: any RequestSigner, _ c: Case, _ name: String) -> String? {
        signer.sign(id: c.id, timestamp: c.ts, body: c.body).headers.first {
            $0.name.lowercased() == name.lowercased()
        }?.value
    }

    @Test(arguments: cases.indices)
    func hmacSchemesAgreeBothWays(index: Int) throws {
        let c = Self.cases[index]
        let theirs = try python(c)
        let key = Array(c.secret.utf8)
        let shapes: [(String, HMACVerifier.Settings, String)] = [
            ("github", .github, "X-Hub-Signature-256"),
            ("hmac-hex-sha256", .init(header: "X-Signature"), "X-Signature"),
            ("hmac-b64-sha256", .init(header: "X-Signature", encoding: .base64), "X-Signature"),
            ("hmac-hex-sha512", .init(header: "X-Signature", algorithm: .sha512), "X-Signature"),
            ("hmac-hex-sha1", .init(header: "X-Signature", algorithm: .sha1), "X-Signature"),
            (
                "hmac-ts",
                .init(
                    header: "X-Signature", prefix: "sha256=", content: .timestampDotBody, timestampHeader: "X-Timestamp"
                ),
                "X-Signature"
            ),
        ]
        for (name, settings, headerName) in shapes {
            let verifier = HMACVerifier(settings: settings, secrets: [key])
            let value = try #require(theirs[name])
            #expect(header(try #require(verifier.signer), c, headerName) == value, "\(name): our signer")
            var headers = [(headerName, value)]
            if settings.timestampHeader != nil { headers.append(("X-Timestamp", String(c.ts))) }
            #expect(Req.accepts(verifier, request(c, headers)), "\(name): python's signature")
        }
        let stripe = StripeVerifier(secrets: [key])
        #expect(header(try #require(stripe.signer), c, "Stripe-Signature") == theirs["stripe"])
        #expect(Req.accepts(stripe, request(c, [("Stripe-Signature", try #require(theirs["stripe"]))])))
        let basic = BasicAuthVerifier(credentials: [.init(user: "wink", password: c.secret)])
        #expect(header(try #require(basic.signer), c, "Authorization") == theirs["basic"])
    }

    @Test(arguments: cases.indices)
    func standardWebhooksAgreeBothWays(index: Int) throws {
        let c = Self.cases[index]
        let theirs = try python(c)
        let headers = { (signature: String) in
            [("webhook-id", c.id), ("webhook-timestamp", String(c.ts)), ("webhook-signature", signature)]
        }
        if let v1 = theirs["standard-webhooks"] {
            let secret = try StandardWebhooksSecret(c.secret)
            #expect(StandardWebhooksSigner(secret: secret).signature(id: c.id, timestamp: c.ts, body: c.body) == v1)
            #expect(Req.accepts(StandardWebhooksVerifier(secrets: [secret]), request(c, headers(v1))))
        }
        // v1a: python signs, we verify with its whpk_; we sign with the same seed and get its bytes
        // (Ed25519 is deterministic).
        let publicKey = try StandardWebhooksKeyPair(try #require(theirs["whpk"]))
        let v1a = try #require(theirs["v1a"])
        #expect(Req.accepts(StandardWebhooksVerifier(secrets: [], keyPairs: [publicKey]), request(c, headers(v1a))))
        let ours = try StandardWebhooksKeyPair("whsk_" + Data(c.seed).base64EncodedString())
        #expect(ours.publicText == theirs["whpk"])
        #expect(StandardWebhooksSigner(keyPair: ours).signature(id: c.id, timestamp: c.ts, body: c.body) == v1a)
    }
}

/// Where python3 is; its absence skips the suite, except under `CI=true`, where it fails.
enum Python {
    static let path = ["/usr/bin/python3", "/usr/local/bin/python3"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }
    static let available = path != nil || ProcessInfo.processInfo.environment["CI"] == "true"
}
