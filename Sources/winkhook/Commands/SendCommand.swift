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
            The body is a file (--file), or a sample for an event key (--sample booking.create): every key of \
            the catalog and its aliases has one (ASSUMED shapes: Wink documents no payload). Bundled as they \
            are: \(SampleBodies.names.joined(separator: ", ")); any other key gets its family's sample with its \
            own type, id and time. --all sends one of each and prints a table. \
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

    @Flag(name: .long, help: "Send a sample of every catalog key and alias, each with a fresh id; print a table.")
    var all = false

    @Option(name: .long, help: "webhook-id to use (default: a fresh random id; reuse one to test de-duplication).")
    var id: String?

    @Option(name: .long, help: "An extra header, \"Name: value\" (repeatable), e.g. \"X-Wink-Event: booking.create\".")
    var header: [String] = []

    @Flag(name: .long, help: "Print the signed headers instead of sending (for curl, or https targets).")
    var print = false

    func validate() throws {
        guard [file != nil, sample != nil, all].filter({ $0 }).count == 1 else {
            throw ValidationError("give exactly one of --file, --sample or --all")
        }
        if all, id != nil || self.print { throw ValidationError("--all takes neither --id nor --print") }
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
        if all { return try sendAll(endpoint: endpoint, signer: signer) }
        let now = RequestProcessor.now()
        let deliveryID = id ?? "msg_" + SendCommand.randomHex(12)
        let body: [UInt8]
        if let file {
            body = try FileReading.bytes(at: file, limit: 64 << 20)
        } else {
            body = Array(SampleBodies.body(for: sample ?? "", id: deliveryID, now: now).utf8)
        }
        let request = signedRequest(endpoint: endpoint, signer: signer, id: deliveryID, now: now, body: body)
        if self.print {
            Swift.print("POST \(request.target)")
            for (name, value) in request.headers { Swift.print("\(name): \(value)") }
            return
        }
        let response = try HTTPPost(url: request.target).send(headers: request.headers, body: body)
        let result = response.result.map { " (\($0))" } ?? ""
        Swift.print("\(response.status)\(result) \(response.body)  ← \(sample ?? file ?? "") as \(deliveryID)")
        if !(200..<300).contains(response.status) { throw ExitCode(1) }
    }

    /// The target URL and headers of one signed POST of `body`.
    func signedRequest(endpoint: WebhookEndpoint, signer: any RequestSigner, id: String, now: Timestamp, body: [UInt8])
        -> (target: String, headers: [(String, String)])
    {
        let signed = signer.sign(id: id, timestamp: now.seconds, body: body)
        let headers = [("Content-Type", "application/json")] + extraHeaders + signed.headers.map { ($0.name, $0.value) }
        var target = url ?? "http://127.0.0.1:8080" + endpoint.path
        if let segment = signed.pathSegment { target += (target.hasSuffix("/") ? "" : "/") + segment }
        if let query = signed.query { target += (target.contains("?") ? "&" : "?") + query }
        return (target, headers)
    }

    /// `--all`: one sample of every key, a row each (key, status, result, the points this binary's handlers
    /// derive from the body); exit 1 if any answer was not 2xx.
    func sendAll(endpoint: WebhookEndpoint, signer: any RequestSigner) throws {
        let router = try HandlerRegistry.router()
        let keys = SampleBodies.allKeys
        let width = keys.map(\.count).max() ?? 3
        func pad(_ text: String, _ count: Int) -> String {
            text + String(repeating: " ", count: max(0, count - text.count))
        }
        Swift.print(pad("key", width) + "  status  " + pad("result", 10) + "  points")
        var failed = 0
        for key in keys {
            let now = RequestProcessor.now()
            let deliveryID = "msg_" + SendCommand.randomHex(12)
            let body = Array(SampleBodies.body(for: key, id: deliveryID, now: now, fresh: true).utf8)
            let request = signedRequest(endpoint: endpoint, signer: signer, id: deliveryID, now: now, body: body)
            let response = try HTTPPost(url: request.target).send(headers: request.headers, body: body)
            let points = (try? JSONParser.parse(body)).map { parsed in
                EventDerivation(
                    body: parsed, key: EventKey(key) ?? .unknown, webhook: endpoint.name, receivedAt: now,
                    fallbackEntity: nil, router: router
                ).points.count
            }
            if !(200..<300).contains(response.status) { failed += 1 }
            Swift.print(
                pad(key, width) + "  " + pad(String(response.status), 6) + "  " + pad(response.result ?? "-", 10)
                    + "  " + (points.map(String.init) ?? "-"))
        }
        Swift.print("\(keys.count) sent, \(keys.count - failed) answered 2xx, \(failed) not")
        if failed > 0 { throw ExitCode(1) }
    }

    static func randomHex(_ bytes: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        let digits = Array("0123456789abcdef")
        return String((0..<bytes * 2).map { _ in digits[Int(generator.next() % 16)] })
    }
}
