import Testing
import WebhookCore

@testable import WinkhookConfig

/// Each scheme's `[webhook.verify]` keys, several methods per webhook, `allow_from`, and `none`'s guard.
@Suite struct SchemeConfigurationTests {
    static let token = "Wk7pQ2xZr9LmT4vB8nC1dF6gH3jK5sA0"

    func parse(_ verify: String, webhook extra: String = "", files: [String: String] = [:], env: [String: String] = [:])
        throws(ConfigurationError) -> WinkhookConfiguration
    {
        try ConfigurationLoader.parse(
            """
            [[webhook]]
            name = "w"
            path = "/webhook/wink"
            \(extra)
            \(verify)
            """, path: "t.toml", environment: env,
            readSecretFile: { (path: String) throws(ConfigurationError) -> String in
                guard let content = files[path] else { throw ConfigurationError("cannot read \(path)") }
                return content
            })
    }

    @Test(arguments: [
        ("[webhook.verify]\nscheme = \"url-token\"\nsecret_env = \"T\"", "url-token"),
        ("[webhook.verify]\nscheme = \"basic\"\nsecret_file = \"/b\"", "basic"),
        ("[webhook.verify]\nscheme = \"hmac\"\nheader = \"X-Signature\"\nsecret_env = \"H\"", "hmac"),
        ("[webhook.verify]\nscheme = \"github\"\nsecret_env = \"H\"", "github"),
        ("[webhook.verify]\nscheme = \"stripe\"\nsecret_env = \"H\"\ntolerance = 60", "stripe"),
        ("[webhook.verify]\nsecret_env = \"S\"", "standard-webhooks"),
    ])
    func everySchemeReads(verify: String, scheme: String) throws {
        let config = try parse(
            verify, files: ["/b": "# pairs\nwink:a-long-password-1\n"],
            env: ["T": Self.token, "H": "hmac-secret-value", "S": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"])
        #expect(config.problems.isEmpty, "\(config.problems)")
        #expect(config.webhooks[0].authenticator.methods.map(\.scheme) == [scheme])
        #expect(config.summaries[0].methods[0].verifier.secretCount == 1)
        let printed = "\(config.summaries)"
        for secret in [Self.token, "hmac-secret-value", "a-long-password-1", "MfKQ9r8"] {
            #expect(!printed.contains(secret))
        }
    }

    @Test func severalMethodsAndGitHubsEventHeader() throws {
        let config = try parse(
            """
            [[webhook.verify]]
            scheme = "url-token"
            secret_env = "T"
            [[webhook.verify]]
            scheme = "github"
            secret_env = "H"
            """, env: ["T": Self.token, "H": "hmac-secret-value"])
        #expect(config.webhooks[0].authenticator.methods.map(\.scheme) == ["url-token", "github"])
        #expect(config.webhooks[0].resolver.namespacedHeaders.map(\.header) == ["x-github-event"])
        #expect(config.summaries[0].methods.count == 2)
    }

    @Test func hmacSettingsReachTheVerifier() throws {
        let config = try parse(
            """
            [webhook.verify]
            scheme = "hmac"
            header = "X-Sig"
            algorithm = "sha512"
            encoding = "base64"
            prefix = "v1="
            signed = "{timestamp}:{body}"
            timestamp_header = "X-Ts"
            id_header = "X-Id"
            tolerance = 120
            secret_env = "H"
            """, env: ["H": "hmac-secret-value"])
        let verifier = try #require(config.webhooks[0].authenticator.methods[0] as? HMACVerifier)
        #expect(
            verifier.settings
                == HMACVerifier.Settings(
                    header: "X-Sig", algorithm: .sha512, encoding: .base64, prefix: "v1=",
                    content: try #require(SignedContent(template: "{timestamp}:{body}")), timestampHeader: "X-Ts",
                    idHeader: "X-Id", toleranceSeconds: 120))
    }

    @Test(arguments: [
        ("[webhook.verify]\nscheme = \"none\"", "", "allow_unauthenticated"),
        ("[webhook.verify]\nscheme = \"hmac\"\nsecret_env = \"H\"", "", "header is required"),
        ("[webhook.verify]\nscheme = \"hmac\"\nheader = \"X\"\nalgorithm = \"md5\"", "", "sha256, sha512, sha1"),
        (
            "[webhook.verify]\nscheme = \"hmac\"\nheader = \"X\"\nsigned = \"{timestamp}.{body}\"", "",
            "timestamp_header"
        ),
        ("[webhook.verify]\nscheme = \"hmac\"\nheader = \"X\"\nsigned = \"{body}{body}\"", "", "{body} once"),
        ("[webhook.verify]\nscheme = \"url-token\"\nin_path = false\nquery_parameter = \"\"", "", "from nowhere"),
        ("[webhook.verify]\nscheme = \"github\"\ntolerance = 5", "", "unknown key webhook[0].verify.tolerance"),
        ("[webhook.verify]\nscheme = \"none\"\nsecret = \"x\"", "allow_unauthenticated = true", "unknown key"),
        ("[webhook.verify]\nsecret_env = \"S\"", "allow_from = [\"10.0.0.0/33\"]", "not an address or CIDR"),
        ("verify = []", "", "must be a table"),
        ("[webhook.verify]\nscheme = \"hmac\"\nheader = \"X\"\ntimestamp_header = \"X-Ts\"", "", "needs {timestamp}"),
        ("[webhook.verify]\nscheme = \"hmac\"\nheader = \"X_Sig\"", "", "letters, digits and -"),
        ("[webhook.verify]\nscheme = \"hmac\"\nheader = \"X\"\nprefix = \"a,b\"", "", "comma or a space"),
        ("[webhook.verify]\nsecret_env = \"S\"", "trusted_proxies = [\"0.0.0.0/0\"]", "trusts almost everyone"),
        ("[webhook.verify]\nsecret_env = \"S\"", "trusted_proxies = [\"::/16\"]", "trusts almost everyone"),
        ("[webhook.verify]\nsecret_env = \"S\"", "forwarded_header = \"Forwarded\"", "X-Forwarded-For or X-Real-IP"),
    ])
    func badMethodsAreRefused(verify: String, extra: String, expected: String) {
        let error = #expect(throws: ConfigurationError.self) { try parse(verify, webhook: extra) }
        #expect(error?.reason.contains(expected) == true, "\(error?.reason ?? "no error")")
    }

    @Test func anUnsignedIDHeaderIsWarnedAbout() throws {
        let config = try parse(
            "[webhook.verify]\nscheme = \"hmac\"\nheader = \"X-Sig\"\nid_header = \"X-Id\"\nsecret_env = \"H\"",
            env: ["H": "hmac-secret-value"])
        #expect(config.warnings.contains { $0.contains("id_header is not covered by the signature") })
    }

    @Test func noneNeedsItsGuardAndIsWarnedAbout() throws {
        let config = try parse("[webhook.verify]\nscheme = \"none\"", webhook: "allow_unauthenticated = true")
        #expect(config.problems.isEmpty)
        #expect(config.warnings.contains { $0.contains("NO AUTHENTICATION") })
    }

    @Test(arguments: [
        ("short-token", "128 bits"), ("slash/in/the/token/0123456789", "letters, digits"),
    ])
    func weakTokensAreUnusableAndFailClosed(token: String, expected: String) throws {
        let config = try parse(
            "[webhook.verify]\nscheme = \"url-token\"\nsecret_env = \"T\"", env: ["T": "\(token)"])
        #expect(config.problems.contains { $0.contains(expected) })
        #expect(config.problems.contains { $0.contains("fail closed") })
        #expect(!config.problems.joined().contains(token))
    }

    @Test func badBasicLinesAreProblemsWithoutThePassword() throws {
        let config = try parse(
            "[webhook.verify]\nscheme = \"basic\"\nsecret_file = \"/b\"",
            files: ["/b": "no-colon-here-secret\nwink:short\nok:a-long-password-1\n"])
        #expect(config.summaries[0].methods[0].verifier.secretCount == 1)
        #expect(config.problems.count == 2)
        #expect(!config.problems.joined().contains("no-colon-here-secret"))
        #expect(!config.problems.joined().contains("short"))
    }

    @Test func sourcePolicyIsRead() throws {
        let config = try parse(
            "[webhook.verify]\nsecret_env = \"S\"",
            webhook: "allow_from = [\"203.0.113.0/24\", \"2001:db8::/32\"]\ntrusted_proxies = \"127.0.0.1\"",
            env: ["S": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"])
        #expect(config.summaries[0].allowFrom == ["203.0.113.0/24", "2001:db8::/32"])
        #expect(config.webhooks[0].source.trustedProxies.map(\.description) == ["127.0.0.1"])
    }

    @Test func asymmetricKeysGoToV1a() throws {
        let config = try parse(
            "[webhook.verify]\nsecret_env = \"S\"",
            env: ["S": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw whpk_" + String(repeating: "A", count: 43) + "="])
        let verifier = try #require(config.webhooks[0].authenticator.methods[0] as? StandardWebhooksVerifier)
        #expect(verifier.secrets.count == 1 && verifier.keyPairs.count == 1)
    }
}
