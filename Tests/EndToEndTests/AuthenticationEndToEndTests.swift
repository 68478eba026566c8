import Foundation
import Testing
import WebhookCore

@testable import PostgresStore

extension EndToEnd {
    /// M2 end to end: every verification method through nginx (signed by `winkhook send --scheme`) and as
    /// plain CGI; a URL token kept out of every log and table; allow_from behind a trusted proxy; a forged
    /// log line; `winkhook token new` as a Wink customer uses it.
    @Suite(.serialized)
    struct AuthenticationEndToEndTests {
        let environment: E2EEnvironment
        let webhook = "e2e-auth-\(UInt32.random(in: 0...UInt32.max))"
        static let token = "e2eTok_Q2xZr9LmT4vB8nC1dF6gH3jK5sA0eYuIoP"
        static let queryToken = "e2eQry_9LmT4vB8nC1dF6gH3jK5sA0eYuIoPQ2xZr"
        static let password = "e2e-basic-password-7"
        static let hmacSecret = "e2e-hmac-secret-0123"

        static let schemes = ["url-token", "basic", "hmac", "github", "stripe", "standard-webhooks"]

        init() throws {
            environment = try E2EEnvironment.require().second()
            try environment.migrate()
        }

        var url: String { environment.nginxURL + "/webhook/wink" }

        func file(_ name: String, _ content: String) throws -> String {
            let path = "\(environment.runDirectory)/\(webhook).\(name)"
            try content.write(toFile: path, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
            return path
        }

        /// One webhook with every method (any passes), plus `extra` webhook keys.
        func writeConfig(_ name: String, extra: String = "") throws -> String {
            let tokens = try file("tokens", Self.token + "\n")
            let queryTokens = try file("query-tokens", Self.queryToken + "\n")
            let passwords = try file("passwords", "wink:\(Self.password)\n")
            let hmac = try file("hmac", Self.hmacSecret + "\n")
            let standard = try file("sw", E2EEnvironment.secret + "\n")
            let text = """
                [database]
                url = "\(environment.databaseURL)"

                [server]
                public_url = "https://hooks.example.com"

                [[webhook]]
                name = "\(webhook)"
                path = "/webhook/wink"
                \(extra)
                [[webhook.verify]]
                scheme = "url-token"
                query_parameter = ""
                secret_file = "\(tokens)"
                [[webhook.verify]]
                scheme = "url-token"
                in_path = false
                secret_file = "\(queryTokens)"
                [[webhook.verify]]
                scheme = "basic"
                secret_file = "\(passwords)"
                [[webhook.verify]]
                scheme = "hmac"
                header = "X-Signature"
                prefix = "sha256="
                signed = "{timestamp}.{body}"
                timestamp_header = "X-Timestamp"
                secret_file = "\(hmac)"
                [[webhook.verify]]
                scheme = "github"
                secret_file = "\(hmac)"
                [[webhook.verify]]
                scheme = "stripe"
                secret_file = "\(hmac)"
                [[webhook.verify]]
                scheme = "standard-webhooks"
                secret_file = "\(standard)"
                """
            let path = "\(environment.runDirectory)/\(name).toml"
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }

        func deliveries(key: String) throws -> Int {
            try environment.count(
                "SELECT count(*) FROM winkhook.deliveries WHERE webhook = $1 AND event_key = $2", [webhook, key])
        }

        /// Everything winkhook wrote for this webhook, as text: archive, rejected bodies and points.
        func writtenRows() throws -> String {
            let connection = try PostgresConnection(conninfo: environment.databaseURL)
            var text = ""
            for sql in [
                "SELECT headers::text || body::text || coalesce(sent_key, '') || dedupe_key FROM winkhook.deliveries WHERE webhook = $1",
                "SELECT headers::text || encode(body, 'escape') || reason || coalesce(dedupe_key, '') FROM winkhook.rejected_deliveries WHERE webhook = $1",
                "SELECT metric || coalesce(booking_id, '') || coalesce(entity, '') FROM winkhook.points WHERE webhook = $1",
            ] {
                let result = try connection.execute(sql, [webhook])
                for row in 0..<result.rowCount { text += (result.value(row: row, column: 0) ?? "") + "\n" }
            }
            return text
        }

        @Test func everySchemeIsSignedBySendAndStoredThroughNginx() throws {
            let config = try writeConfig("auth-all")
            let server = try ServeProcess(environment: environment, config: config, name: "auth-all")
            for scheme in Self.schemes {
                let key = "e2e.\(scheme.replacingOccurrences(of: "-", with: "_"))"
                let (status, output) = try runBinary(
                    environment, ["send", "--config", config, "--scheme", scheme, "--url", url, "--sample", key])
                #expect(status == 0, "\(scheme): \(output)")
                #expect(output.hasPrefix("200 (stored)"), "\(scheme): \(output)")
                #expect(try deliveries(key: key) == 1, "\(scheme)")
            }
            // The token in the query, which send does not use for this webhook's first url-token method.
            let (status, _, _) = try HTTP.request(
                url + "?token=\(Self.queryToken)", body: Array(#"{"type":"e2e.query","id":"q1","data":{}}"#.utf8),
                headers: [("Content-Type", "application/json")])
            #expect(status == 200)
            #expect(try deliveries(key: "e2e.query") == 1)
            _ = server.stop()
            let log = server.log
            #expect(log.contains("stored e2e.url_token"))
            for secret in [Self.token, Self.queryToken, Self.password, Self.hmacSecret, "MfKQ9r8"] {
                #expect(!log.contains(secret), "the serve log holds \(secret)")
                #expect(try !writtenRows().contains(secret), "a table holds \(secret)")
            }
        }

        @Test func wrongCredentialsAre401ForEverySchemeAndStoreNothing() throws {
            let config = try writeConfig("auth-wrong")
            let server = try ServeProcess(environment: environment, config: config, name: "auth-wrong")
            let body = Array(#"{"type":"e2e.wrong","id":"w1","data":{}}"#.utf8)
            let now = Int64(Date().timeIntervalSince1970)
            let wrongHex = String(repeating: "ab", count: 32)
            let attempts: [(String, [(String, String)])] = [
                (url + "/" + String(Self.token.dropLast()) + "x", []),
                (url + "?token=" + Self.queryToken + "x", []),
                (url, [("Authorization", "Basic " + Data("wink:wrong-password-1".utf8).base64EncodedString())]),
                (url, [("X-Signature", "sha256=" + wrongHex), ("X-Timestamp", String(now))]),
                (url, [("X-Hub-Signature-256", "sha256=" + wrongHex), ("X-GitHub-Delivery", "gh-1")]),
                (url, [("Stripe-Signature", "t=\(now),v1=\(wrongHex)")]),
                (
                    url,
                    [
                        ("webhook-id", "msg_w"), ("webhook-timestamp", String(now)),
                        ("webhook-signature", "v1," + Data(repeating: 1, count: 32).base64EncodedString()),
                    ]
                ),
                (url, []),
            ]
            for (target, headers) in attempts {
                let (status, answer, fields) = try HTTP.request(
                    target, body: body, headers: [("Content-Type", "application/json")] + headers)
                #expect(status == 401, "\(target) \(headers)")
                #expect(answer == #"{"ok":false,"error":"unauthorized"}"#)
                #expect(fields["www-authenticate"] == #"Basic realm="winkhook""#)
            }
            #expect(try deliveries(key: "e2e.wrong") == 0)
            #expect(
                try environment.count("SELECT count(*) FROM winkhook.rejected_deliveries WHERE webhook = $1", [webhook])
                    == 0)
            _ = server.stop()
            #expect(server.log.contains("authentication failed"))
            #expect(!server.log.contains(String(Self.token.dropLast())))
        }

        @Test func theTokenStaysOutOfNginxsAccessLog() throws {
            let config = try writeConfig("auth-access-log")
            let server = try ServeProcess(environment: environment, config: config, name: "auth-access-log")
            let body = Array(#"{"type":"e2e.access","id":"a1","data":{}}"#.utf8)
            _ = try HTTP.request(url + "/" + Self.token, body: body, headers: [("Content-Type", "application/json")])
            _ = try HTTP.request(
                url + "?token=" + Self.queryToken, body: body, headers: [("Content-Type", "application/json")])
            _ = server.stop()
            let accessLog = try String(contentsOfFile: environment.runDirectory + "/nginx/access.log", encoding: .utf8)
            #expect(accessLog.contains("/webhook/wink/***"))
            #expect(!accessLog.contains(Self.token) && !accessLog.contains(Self.queryToken))
        }

        @Test func allowFromBehindATrustedProxyAnd403() throws {
            let config = try writeConfig(
                "auth-allow", extra: "allow_from = [\"192.0.2.0/24\"]\ntrusted_proxies = [\"127.0.0.1\", \"::1\"]")
            let server = try ServeProcess(environment: environment, config: config, name: "auth-allow")
            let body = Array(#"{"type":"e2e.allow","id":"al1","data":{}}"#.utf8)
            let target = url + "/" + Self.token
            let json = [("Content-Type", "application/json")]
            #expect(try HTTP.request(target, body: body, headers: json).0 == 403)
            #expect(
                try HTTP.request(target, body: body, headers: json + [("X-Forwarded-For", "198.51.100.9")]).0 == 403)
            #expect(try HTTP.request(target, body: body, headers: json + [("X-Forwarded-For", "192.0.2.5")]).0 == 200)
            #expect(try deliveries(key: "e2e.allow") == 1)
            _ = server.stop()
            #expect(server.log.contains("not in allow_from"))
        }

        @Test func aNewlineInThePathCannotForgeALogLine() throws {
            let config = try writeConfig("auth-forge")
            let server = try ServeProcess(environment: environment, config: config, name: "auth-forge")
            // nginx decodes %0A into DOCUMENT_URI; the log line must keep it escaped.
            let (status, _, _) = try HTTP.request(
                url + "/x%0A%0D2026-12-01T00:00:00+0000%20critical%20FORGED", body: Array("{}".utf8),
                headers: [("Content-Type", "application/json")])
            #expect(status == 401)
            let (missing, _, _) = try HTTP.request(
                environment.nginxURL + "/webhook/nothere%0AFORGED2", body: Array("{}".utf8))
            #expect(missing == 404)
            _ = server.stop()
            let lines = server.log.split(separator: "\n")
            #expect(lines.contains { $0.contains(#"\n"#) && $0.contains("FORGED") })
            #expect(!lines.contains { $0.hasPrefix("2026-12-01T00:00:00") || $0.hasPrefix("FORGED") })
        }

        @Test func oddDatesInAnAuthenticBookingAreDroppedAndItIsStored() throws {
            let config = try writeConfig("auth-dates")
            let server = try ServeProcess(environment: environment, config: config, name: "auth-dates")
            for (n, date) in ["0000-01-01", "2026-02-31", "2026-13-45T25:61:00Z"].enumerated() {
                let body =
                    Array(
                        #"{"id":"d\#(n)","type":"booking.created","createdDate":"\#(date)","data":{"id":"b\#(n)","#
                            .utf8)
                    + Array(#""bookingCode":"C","roomStay":{"roomNights":2,"startDate":"\#(date)"}}}"#.utf8)
                let (status, _, _) = try HTTP.request(
                    url + "/" + Self.token, body: body, headers: [("Content-Type", "application/json")])
                #expect(status == 200, "\(date)")
            }
            #expect(try deliveries(key: "booking.create") == 3)
            #expect(
                try environment.count(
                    "SELECT count(*) FROM winkhook.points WHERE webhook = $1 AND occurred_at IS NULL "
                        + "AND metric = 'booking.count'", [webhook]) == 3)
            _ = server.stop()
        }

        @Test func tokenNewPrintsAWorkingEventURL() throws {
            let config = try writeConfig("auth-token-new")
            let server = try ServeProcess(environment: environment, config: config, name: "auth-token-new")
            let (status, output) = try runBinary(
                environment, ["token", "new", "--config", config, "--webhook", webhook, "--append"])
            #expect(status == 0, "\(output)")
            let eventURL = try #require(
                output.split(separator: "\n").first { $0.hasPrefix("eventUrl: ") }.map { String($0.dropFirst(10)) })
            #expect(eventURL.hasPrefix("https://hooks.example.com/webhook/wink/"))
            let newToken = String(try #require(eventURL.split(separator: "/").last))
            #expect(newToken.count == 43)
            // Reload (as the output says), then deliver to the printed URL on this host.
            kill(server.pid, SIGHUP)
            let local = eventURL.replacingOccurrences(of: "https://hooks.example.com", with: environment.nginxURL)
            let body = Array(#"{"type":"e2e.token_new","id":"tn1","data":{}}"#.utf8)
            var answer = 0
            for _ in 0..<100 where answer != 200 {
                answer = try HTTP.request(local, body: body, headers: [("Content-Type", "application/json")]).0
                if answer != 200 { usleep(100_000) }
            }
            #expect(answer == 200)
            // The old token still works (rotation), and check-config never prints either.
            #expect(try HTTP.request(url + "/" + Self.token, body: body).0 == 200)
            let (checked, summary) = try runBinary(environment, ["check-config", "--config", config])
            #expect(checked == 0, "\(summary)")
            #expect(summary.contains("url-token") && summary.contains("2 secret(s)"))
            #expect(!summary.contains(newToken) && !summary.contains(Self.token))
            _ = server.stop()
            #expect(!server.log.contains(newToken))
        }

        @Test func aCGIBodyShorterThanItsContentLengthIs400() throws {
            let config = try writeConfig("auth-short")
            let body = Array(#"{"type":"e2e.short","id":"s1","data":{}}"#.utf8)
            let env = [
                "GATEWAY_INTERFACE": "CGI/1.1", "REQUEST_METHOD": "POST", "REQUEST_URI": "/webhook/wink/" + Self.token,
                "CONTENT_TYPE": "application/json", "CONTENT_LENGTH": String(body.count + 100),
                "WINKHOOK_CONFIG": config, "PATH": "/usr/bin:/bin",
            ]
            let (output, log) = try CGIRun.run(environment.binary, env: env, body: body)
            #expect(output.hasPrefix("Status: 400 Bad Request\r\n"), "\(output)")
            #expect(output.hasSuffix(#"{"ok":false,"error":"incomplete_body"}"#))
            #expect(log.contains("body ended after \(body.count) of \(body.count + 100) declared bytes"))
            #expect(try deliveries(key: "e2e.short") == 0)
        }

        @Test(arguments: schemes + ["url-token-query"])
        func eachSchemeWorksAsPlainCGI(scheme: String) throws {
            let config = try writeConfig("auth-cgi")
            let body = Array(#"{"type":"e2e.cgi","id":"cgi-\#(scheme)","data":{}}"#.utf8)
            let now = Int64(Date().timeIntervalSince1970)
            let hmacKey = Array(Self.hmacSecret.utf8)
            let signer: any RequestSigner =
                switch scheme {
                case "url-token": URLTokenVerifier(tokens: [Self.token], queryParameter: nil).signer!
                case "url-token-query": URLTokenVerifier(tokens: [Self.queryToken], acceptsPath: false).signer!
                case "basic": BasicAuthVerifier(credentials: [.init(user: "wink", password: Self.password)]).signer!
                case "hmac":
                    HMACVerifier(
                        settings: .init(
                            header: "X-Signature", prefix: "sha256=", content: .timestampDotBody,
                            timestampHeader: "X-Timestamp"), secrets: [hmacKey]
                    ).signer!
                case "github": HMACVerifier(scheme: "github", settings: .github, secrets: [hmacKey]).signer!
                case "stripe": StripeVerifier(secrets: [hmacKey]).signer!
                default: StandardWebhooksSigner(secret: try StandardWebhooksSecret(E2EEnvironment.secret))
                }
            let signed = signer.sign(id: "msg_cgi_\(scheme)", timestamp: now, body: body)
            let path = "/webhook/wink" + (signed.pathSegment.map { "/" + $0 } ?? "")
            var env = [
                "GATEWAY_INTERFACE": "CGI/1.1", "REQUEST_METHOD": "POST", "SCRIPT_NAME": "/webhook/wink",
                "PATH_INFO": signed.pathSegment.map { "/" + $0 } ?? "", "QUERY_STRING": signed.query ?? "",
                "REQUEST_URI": path + (signed.query.map { "?" + $0 } ?? ""), "REMOTE_ADDR": "203.0.113.7",
                "CONTENT_TYPE": "application/json", "CONTENT_LENGTH": String(body.count), "WINKHOOK_CONFIG": config,
                "SERVER_PROTOCOL": "HTTP/1.1", "PATH": "/usr/bin:/bin",
            ]
            for (name, value) in signed.headers {
                env["HTTP_" + name.uppercased().replacingOccurrences(of: "-", with: "_")] = value
            }
            let (output, log) = try CGIRun.run(environment.binary, env: env, body: body)
            #expect(output.hasPrefix("Status: 200 OK\r\n"), "\(scheme): \(output) \(log)")
            #expect(
                try environment.count(
                    "SELECT count(*) FROM winkhook.deliveries WHERE webhook = $1 AND dedupe_key = $2",
                    [
                        webhook,
                        scheme == "github" || scheme == "standard-webhooks"
                            ? "id:msg_cgi_\(scheme)" : "body:cgi-\(scheme)",
                    ])
                    == 1)
            // The same request without its credentials: 401, and stdin is still read to the end (fcgiwrap).
            env = env.filter { !$0.key.hasPrefix("HTTP_") }
            env["QUERY_STRING"] = ""
            env["PATH_INFO"] = ""
            env["REQUEST_URI"] = "/webhook/wink"
            let (refused, _) = try CGIRun.run(environment.binary, env: env, body: body)
            #expect(refused.hasPrefix("Status: 401 Unauthorized\r\n"))
            #expect(!log.contains(Self.token) && !log.contains(Self.queryToken))
        }
    }
}

/// Runs the binary as CGI: environment, body on stdin; returns (stdout, stderr).
enum CGIRun {
    static func run(_ binary: String, env: [String: String], body: [UInt8]) throws -> (String, String) {
        let result = try Program.run(binary, environment: env, input: body)
        return (result.output, result.errors)
    }
}
