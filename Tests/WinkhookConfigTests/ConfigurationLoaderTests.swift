import Testing
import WebhookCore

@testable import WinkhookConfig

@Suite struct ConfigurationLoaderTests {
    static let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

    func parse(_ text: String, env: [String: String] = [:], files: [String: String] = [:]) throws(ConfigurationError)
        -> WinkhookConfiguration
    {
        try ConfigurationLoader.parse(
            text, path: "test.toml", environment: env,
            readSecretFile: { (path: String) throws(ConfigurationError) -> String in
                guard let content = files[path] else { throw ConfigurationError("cannot read \(path)") }
                return content
            })
    }

    let full = """
        [database]
        url = "host=/tmp dbname=x password=hunter2"

        [server]
        body_limit = 1000
        retry_after = 12

        [[webhook]]
        name = "wink"
        path = "/webhook/wink"
        events = ["booking.created", "booking.cancelled"]
        entity = { identifier = "5d668b3c-6c58-47d4-8124-7bc910ceb53e", name = "Hotel" }
        [webhook.verify]
        scheme = "standard-webhooks"
        secret_file = "/secrets/wink"
        secret_env = "WINK_SECRET"
        tolerance = 120

        [[webhook]]
        name = "trippay"
        path = "/webhook/trippay"
        enabled = false
        [webhook.verify]
        secret_env = "TRIPPAY_SECRET"
        """

    @Test func aFullFileResolves() throws {
        let config = try parse(
            full, env: ["WINK_SECRET": Self.secret, "TRIPPAY_SECRET": Self.secret],
            files: ["/secrets/wink": "# current\n\(Self.secret)\n"])
        #expect(config.settings == PipelineSettings(bodyLimit: 1000, retryAfterSeconds: 12))
        #expect(config.webhooks.map(\.name) == ["wink", "trippay"])
        #expect(config.webhooks[0].events == [EventKey("booking.create")!, EventKey("booking.cancelled")!])
        #expect(config.webhooks[1].enabled == false)
        #expect(config.summaries[0].secretCount == 2)
        #expect(config.summaries[0].methods[0].verifier.details.contains("±120 s"))
        #expect(config.summaries[0].methods[0].sources == ["file /secrets/wink", "env WINK_SECRET"])
        #expect(config.problems.isEmpty)
        #expect(config.redactedDatabaseURL == "host=/tmp dbname=x password=***")
    }

    @Test func environmentOverridesTheDatabase() throws {
        let config = try parse(full, env: ["WINKHOOK_DATABASE_URL": "dbname=override"])
        #expect(config.databaseURL == "dbname=override")
        #expect(config.databaseURLSource == "WINKHOOK_DATABASE_URL")
    }

    @Test func missingSecretsFailClosedAndAreReported() throws {
        let config = try parse(full, files: ["/secrets/wink": "\n"])
        #expect(config.problems.contains { $0.contains("secret file /secrets/wink is empty") })
        #expect(config.problems.contains { $0.contains("TRIPPAY_SECRET is unset") })
        #expect(config.problems.contains { $0.contains("fail closed") })
        #expect(config.summaries.allSatisfy { $0.secretCount == 0 })
    }

    @Test func inlineSecretsWorkWithAWarning() throws {
        let config = try parse(
            """
            [[webhook]]
            name = "a"
            path = "/a"
            verify = { secret = "\(Self.secret)" }
            """)
        #expect(config.summaries[0].secretCount == 1)
        #expect(config.warnings.contains { $0.contains("inline") })
        #expect(!config.warnings.joined().contains("MfKQ"))
    }

    @Test(arguments: [
        ("[[webhook]]\nname = \"a\"\npath = \"/a\"\nverify = {}\nnmae = 1", "unknown key webhook[0].nmae"),
        ("[[webhook]]\nname = \"a\"\npath = \"a\"\nverify = {}", "must start with /"),
        ("[[webhook]]\npath = \"/a\"\nverify = {}", "name is required"),
        ("[[webhook]]\nname = \"a\"\npath = \"/a\"", "verify is required"),
        ("[[webhook]]\nname = \"a\"\npath = \"/a\"\nevents = [\"not a key\"]\nverify = {}", "malformed event key"),
        ("[[webhook]]\nname = \"a\"\npath = \"/a\"\nverify = { scheme = \"nope\" }", "not a known scheme"),
        (
            "[[webhook]]\nname = \"a\"\npath = \"/a\"\nverify = {}\n[[webhook]]\nname = \"a\"\npath = \"/b\"\nverify = {}",
            "two webhooks are named"
        ),
        ("[server]\nbody_limit = 0\n[[webhook]]\nname = \"a\"\npath = \"/a\"\nverify = {}", "body_limit"),
        ("this is = = not toml", "not valid TOML"),
        ("[database]\nurl = 5", "must be a string"),
        ("", "no [[webhook]]"),
    ])
    func badFilesAreRefusedWithTheKeyNamed(text: String, expected: String) {
        let error = #expect(throws: ConfigurationError.self) { try parse(text) }
        #expect(error?.reason.contains(expected) == true, "\(error?.reason ?? "no error")")
    }

    @Test func uncatalogedEventsWarn() throws {
        let config = try parse(
            "[[webhook]]\nname = \"a\"\npath = \"/a\"\nevents = [\"made.up\"]\nverify = { secret = \"\(Self.secret)\" }"
        )
        #expect(config.warnings.contains { $0.contains("made.up is not in Wink's catalogs") })
    }

    @Test func locateOrder() {
        #expect(ConfigurationLoader.locate(explicit: "/x", environment: ["WINKHOOK_CONFIG": "/y"]) == "/x")
        #expect(ConfigurationLoader.locate(explicit: nil, environment: ["WINKHOOK_CONFIG": "/y"]) == "/y")
        #expect(ConfigurationLoader.locate(explicit: nil, environment: [:]) == "/etc/winkhook/winkhook.toml")
    }

    @Test(arguments: [
        ("postgres://u:secret@h/db", "postgres://u:***@h/db"),
        ("postgresql://h/db?user=u&password=secret", "postgresql://h/db?user=u&password=***"),
        ("host=h password = secret", "host=h password = ***"),
        ("host=h dbname=d", "host=h dbname=d"),
    ])
    func redaction(input: String, output: String) {
        #expect(ConninfoRedaction.redact(input) == output)
    }
}

@Suite struct ShippedExampleTests {
    @Test func theExampleConfigurationIsValid() throws {
        let root = String(#filePath.dropLast("Tests/WinkhookConfigTests/ConfigurationLoaderTests.swift".count))
        let path = root + "winkhook.toml.example"
        let text = String(decoding: try FileReading.bytes(at: path), as: UTF8.self)
        let files = [
            "/etc/winkhook/wink-bookings.tokens": "Wk7pQ2xZr9LmT4vB8nC1dF6gH3jK5sA0\n",
            "/etc/winkhook/partner.passwords": "wink:a-long-password-1\n",
        ]
        let config = try ConfigurationLoader.parse(
            text, path: path, environment: ["TRIPPAY_SECRET": ConfigurationLoaderTests.secret],
            readSecretFile: { (file: String) throws(ConfigurationError) -> String in
                files[file] ?? "a-shared-hmac-secret"
            })
        #expect(config.problems.isEmpty, "\(config.problems)")
        #expect(
            config.webhooks.map(\.name) == [
                "wink-bookings", "trippay", "partner-basic", "shop-hmac", "github", "stripe",
            ])
        let schemes = Set(config.webhooks.flatMap { $0.authenticator.methods.map(\.scheme) })
        #expect(schemes == ["url-token", "standard-webhooks", "basic", "hmac", "github", "stripe"])
        #expect(config.publicURL == "https://hooks.example.com")
    }

    /// The commented-out blocks are configuration too: uncommented, they must parse.
    @Test func theExamplesCommentedBlocksAreValidToo() throws {
        let root = String(#filePath.dropLast("Tests/WinkhookConfigTests/ConfigurationLoaderTests.swift".count))
        let text = String(decoding: try FileReading.bytes(at: root + "winkhook.toml.example"), as: UTF8.self)
        // A commented block starts at a "# [[…" line and runs to the next line that is not a comment.
        var inBlock = false
        let uncommented = text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            if line.hasPrefix("# [[") { inBlock = true }
            if !line.hasPrefix("#") { inBlock = false }
            return inBlock && line.hasPrefix("# ") ? String(line.dropFirst(2)) : String(line)
        }.joined(separator: "\n")
        let config = try ConfigurationLoader.parse(
            uncommented, path: "example", environment: ["TRIPPAY_SECRET": ConfigurationLoaderTests.secret],
            readSecretFile: { (file: String) throws(ConfigurationError) -> String in
                file.hasSuffix(".passwords") ? "wink:a-long-password-1" : "Wk7pQ2xZr9LmT4vB8nC1dF6gH3jK5sA0"
            })
        #expect(config.problems.isEmpty, "\(config.problems)")
        #expect(config.webhooks.first?.authenticator.methods.map(\.scheme) == ["url-token", "hmac"])
        #expect(config.webhooks.last?.authenticator.methods.map(\.scheme) == ["none"])
    }
}
