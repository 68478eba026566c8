import ArgumentParser
import Glibc
import WebhookCore
import WinkhookConfig

/// `winkhook token`: URL tokens for senders that can only put a secret in the URL (Wink today).
struct TokenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token", abstract: "URL tokens (how Wink's deliveries are authenticated today).",
        subcommands: [New.self])

    /// `winkhook token new`: a fresh 256-bit token and the exact `eventUrl` to paste into Wink.
    struct New: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a fresh URL token and the Webhook URL (eventUrl) to paste into Wink.",
            discussion: """
                The token is 32 random bytes in base64url (256 bits). Without --config it prints the token only. \
                With --config it also prints the eventUrl of the webhook (--webhook, default the first), built from \
                --base-url or [server] public_url, and where the token goes; --append adds it to that webhook's \
                url-token secret_file (created with mode 0600). Keep the old token in the file until Wink uses the \
                new URL: every listed token is accepted.
                """)

        @OptionGroup var options: ConfigOption

        @OptionGroup var webhook: WebhookOption

        @Option(name: .long, help: "Public base URL, e.g. https://hooks.example.com (default: [server] public_url).")
        var baseURL: String?

        @Flag(name: .long, help: "Append the token to the url-token method's secret_file.")
        var append = false

        func run() throws {
            let token = TokenCommand.freshToken()
            let environment = ProcessEnvironment.current()
            guard options.config != nil || environment["WINKHOOK_CONFIG"] != nil || append || webhook.webhook != nil
            else {
                print(token)
                return
            }
            let configuration = try options.load(environment: environment)
            let index = try webhook.index(in: configuration)
            let endpoint = configuration.webhooks[index]
            let summary = configuration.summaries[index]
            guard
                let methodIndex = endpoint.authenticator.methods.firstIndex(where: { $0.scheme == "url-token" }),
                let tokenVerifier = endpoint.authenticator.methods[methodIndex] as? URLTokenVerifier
            else {
                throw ValidationError(
                    "webhook \(endpoint.name) has no url-token method; add one to its configuration first "
                        + "([[webhook.verify]] scheme = \"url-token\", see winkhook.toml.example)")
            }
            let base = (baseURL ?? configuration.publicURL ?? "https://YOUR-HOST").trimmingSuffix("/")
            let eventURL =
                tokenVerifier.acceptsPath
                ? "\(base)\(endpoint.path)/\(token)"
                : "\(base)\(endpoint.path)?\(tokenVerifier.queryParameter ?? "token")=\(token)"
            print("token:    \(token)")
            print("eventUrl: \(eventURL)")
            let files = summary.methods[methodIndex].sources.filter { $0.hasPrefix("file ") }.map {
                String($0.dropFirst(5))
            }
            if append {
                guard let file = files.first else {
                    throw ValidationError("the url-token method of \(endpoint.name) reads no secret_file to append to")
                }
                try TokenCommand.appendLine(token, to: file)
                print("appended to \(file); reload the workers (kill -HUP the serve process) before switching Wink")
            } else if let file = files.first {
                print("next:     add the token as a line of \(file) (--append does that), reload, then")
            } else {
                print("next:     add the token to the url-token method's secret source, reload, then")
            }
            print("          paste the eventUrl into Wink's \"Webhook URL\" field (HTTPS only; it stays out of logs).")
            if baseURL == nil, configuration.publicURL == nil {
                print("          (replace https://YOUR-HOST: pass --base-url or set [server] public_url)")
            }
        }
    }

    /// 32 bytes from the system's generator, base64url without padding: 43 characters.
    static func freshToken() -> String {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        var bytes: [UInt8] = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        bytes += [0]
        var out = ""
        var index = 0
        while index + 2 < bytes.count {
            let n = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
            for shift in [18, 12, 6, 0] { out.append(alphabet[Int(n >> UInt32(shift) & 63)]) }
            index += 3
        }
        return String(out.prefix(43))
    }

    static func appendLine(_ line: String, to path: String) throws {
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw ValidationError("cannot open \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        var info = stat()
        var prefix = ""
        if fstat(descriptor, &info) == 0, info.st_size > 0 {
            // Start on a new line if the file does not end with one.
            var last: UInt8 = 0
            let reader = open(path, O_RDONLY | O_CLOEXEC)
            if reader >= 0 {
                _ = pread(reader, &last, 1, off_t(info.st_size - 1))
                close(reader)
            }
            if last != UInt8(ascii: "\n") { prefix = "\n" }
        }
        let bytes = Array((prefix + line + "\n").utf8)
        guard write(descriptor, bytes, bytes.count) == bytes.count else {
            throw ValidationError("cannot write \(path): \(String(cString: strerror(errno)))")
        }
    }
}

extension String {
    fileprivate func trimmingSuffix(_ suffix: String) -> String {
        var text = self
        while text.hasSuffix(suffix) { text.removeLast(suffix.count) }
        return text
    }
}
