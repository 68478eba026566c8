import ArgumentParser
import FastCGITransport
import Glibc
import WebhookCore
import WinkhookConfig

/// `winkhook send`: signs a body for a configured webhook and POSTs it, printing the answer.
struct SendCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send",
        abstract: "Sign a body for a configured webhook and POST it (how to try an endpoint).",
        discussion: """
            The body is a file (--file), or a built-in sample for an event key (--sample booking.create; \
            bundled: \(SampleBodies.names.joined(separator: ", ")); any other key gets a minimal envelope). \
            Signed the way the webhook's verification method expects (its first method that can sign, or \
            --scheme), with that method's first secret: Standard Webhooks headers, a URL token in the path or \
            query, HTTP Basic, an HMAC header, GitHub's or Stripe's.
            """)

    @OptionGroup var options: ConfigOption

    @OptionGroup var webhook: WebhookOption

    @Option(name: .long, help: "Sign with this scheme of the webhook's methods (default: the first that can sign).")
    var scheme: String?

    @Option(name: .long, help: "Target URL (default: http://127.0.0.1:8080 + the webhook's path).")
    var url: String?

    @Option(name: .long, help: "File with the body to send.")
    var file: String?

    @Option(name: .long, help: "Send a sample body for this event key.")
    var sample: String?

    @Option(name: .long, help: "webhook-id to use (default: a fresh random id; reuse one to test de-duplication).")
    var id: String?

    @Option(name: .long, help: "An extra header, \"Name: value\" (repeatable), e.g. \"X-Wink-Event: booking.create\".")
    var header: [String] = []

    @Flag(name: .long, help: "Print the signed headers instead of sending (for curl, or https targets).")
    var print = false

    func validate() throws {
        guard (file == nil) != (sample == nil) else { throw ValidationError("give exactly one of --file or --sample") }
        for line in header where !line.contains(":") {
            throw ValidationError("--header takes \"Name: value\", got \(line)")
        }
    }

    var extraHeaders: [(String, String)] { header.compactMap(HTTPPost.headerField) }

    func run() throws {
        let environment = ProcessEnvironment.current()
        let config = try options.load(environment: environment)
        let endpoint = config.webhooks[try webhook.index(in: config)]
        let methods = endpoint.authenticator.methods.filter { scheme == nil || $0.scheme == scheme }
        guard let signer = methods.lazy.compactMap(\.signer).first else {
            let known = endpoint.authenticator.methods.map(\.scheme).joined(separator: ", ")
            throw ValidationError(
                scheme.map { "webhook \(endpoint.name) has no usable \($0) method (its methods: \(known))" }
                    ?? "webhook \(endpoint.name) has no method with a usable secret to sign with")
        }
        let now = RequestProcessor.now()
        let deliveryID = id ?? "msg_" + SendCommand.randomHex(12)
        let body: [UInt8]
        if let file {
            body = try FileReading.bytes(at: file, limit: 64 << 20)
        } else {
            body = Array(SampleBodies.body(for: sample ?? "", id: deliveryID, now: now).utf8)
        }
        let signed = signer.sign(id: deliveryID, timestamp: now.seconds, body: body)
        let headers = [("Content-Type", "application/json")] + extraHeaders + signed.headers.map { ($0.name, $0.value) }
        var target = url ?? "http://127.0.0.1:8080" + endpoint.path
        if let segment = signed.pathSegment { target += (target.hasSuffix("/") ? "" : "/") + segment }
        if let query = signed.query { target += (target.contains("?") ? "&" : "?") + query }
        if self.print {
            Swift.print("POST \(target)")
            for (name, value) in headers { Swift.print("\(name): \(value)") }
            return
        }
        let response = try HTTPPost(url: target).send(headers: headers, body: body)
        let result = response.headers.first { $0.0.lowercased() == "winkhook-result" }.map { " (\($0.1))" } ?? ""
        Swift.print("\(response.status)\(result) \(response.body)  ← \(sample ?? file ?? "") as \(deliveryID)")
        if !(200..<300).contains(response.status) { throw ExitCode(1) }
    }

    static func randomHex(_ bytes: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        let digits = Array("0123456789abcdef")
        return String((0..<bytes * 2).map { _ in digits[Int(generator.next() % 16)] })
    }
}
