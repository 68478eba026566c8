import Foundation
import Testing
import WebhookCore

extension EndToEnd {
    /// `winkhook wink …` against scripts/fake-wink (Wink's management API and its deliveries, over HTTPS
    /// with a certificate of its own), with a real `serve` behind nginx receiving what the fake delivers.
    @Suite(.serialized)
    struct WinkTests {
        let environment: E2EEnvironment
        let directory: String
        let fakeURL: String
        let fake: Daemon
        let entity = "0c8a6a42-3d7e-4a6b-9b8e-3b5f0e1c2d3a"

        init() throws {
            environment = try E2EEnvironment.require()
            directory = environment.runDirectory + "/wink-\(UInt32.random(in: 0...UInt32.max))"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let made = try Program.run(
                "/usr/bin/openssl",
                [
                    "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", directory + "/fake.key", "-out",
                    directory + "/fake.pem",
                ])
            try #require(made.status == 0, "openssl: \(made.errors)")
            let port = try HTTP.freePort()
            fakeURL = "https://127.0.0.1:\(port)"
            let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..")
                .standardized.path
            // The catalog as events.tsv has it, from this build (the checkout need not sit beside shared/).
            let catalog = EventCatalog.allKeys.compactMap(EventCatalog.entry(for:)).map {
                "\($0.key)\t\($0.group)\t\($0.catalog)"
            }
            try (["key\tgroup\tcatalog"] + catalog).joined(separator: "\n")
                .write(toFile: directory + "/events.tsv", atomically: true, encoding: .utf8)
            fake = try Daemon(
                [
                    "/usr/bin/python3", root + "/scripts/fake-wink", "--port", String(port), "--cert",
                    directory + "/fake.pem", "--key", directory + "/fake.key", "--client-id", "winkhook-test",
                    "--client-secret", "s3cr3t-client", "--events", directory + "/events.tsv",
                ], log: directory + "/fake.log")
            let deadline = Date().addingTimeInterval(20)
            while try curl(["-o", "/dev/null", fakeURL + "/_fake/calls"]).status != 0 {
                try #require(
                    Date() < deadline && fake.isRunning,
                    "fake-wink did not start: \((try? String(contentsOfFile: directory + "/fake.log", encoding: .utf8)) ?? "")"
                )
                usleep(100_000)
            }
        }

        /// A configuration with one url-token webhook for `name`, and `[wink]` pointing at the fake.
        func writeConfig(_ name: String, events: [String] = ["booking.created"], enabled: Bool = true) throws -> String
        {
            try "s3cr3t-client\n".write(toFile: directory + "/client.secret", atomically: true, encoding: .utf8)
            let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")
            let token = (0..<43).map { _ in alphabet[Int.random(in: 0..<alphabet.count)] }
            try (String(token) + "\n").write(toFile: directory + "/\(name).tokens", atomically: true, encoding: .utf8)
            chmod(directory + "/\(name).tokens", 0o600)
            let text = """
                [database]
                url = "\(environment.databaseURL)"

                [server]
                public_url = "\(environment.nginxURL)"

                [spool]
                path = "\(directory)/\(name).spool"

                [wink]
                api_url = "\(fakeURL)"
                token_url = "\(fakeURL)/oauth2/token"
                client_id = "winkhook-test"
                client_secret_file = "\(directory)/client.secret"
                ca_file = "\(directory)/fake.pem"
                state_file = "\(directory)/\(name).state.json"

                [[webhook]]
                name = "\(name)"
                path = "/webhook/wink"
                enabled = \(enabled)
                events = [\(events.map { "\"\($0)\"" }.joined(separator: ", "))]
                entity = { identifier = "\(entity)", name = "Cool Account" }
                [[webhook.verify]]
                scheme = "url-token"
                secret_file = "\(directory)/\(name).tokens"
                """
            let path = directory + "/\(name).toml"
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }

        func winkhook(_ arguments: [String]) throws -> (status: Int32, output: String) {
            let result = try Program.run(environment.binary, arguments, environment: ["PATH": "/usr/bin:/bin"])
            return (result.status, result.output + result.errors)
        }

        func curl(_ arguments: [String], body: String? = nil, method: String? = nil) throws -> (
            status: Int32, output: String
        ) {
            var all = ["-sS", "--cacert", directory + "/fake.pem", "--max-time", "20"]
            if let method { all += ["-X", method] }
            if let body { all += ["-H", "Content-Type: application/json", "--data-binary", body] }
            let result = try Program.run("/usr/bin/curl", all + arguments)
            return (result.status, result.output + result.errors)
        }

        /// Asks the fake to deliver `event` with `body`: the status each subscription's URL answered.
        func deliver(_ event: String, _ body: String) throws -> [(url: String, status: Int)] {
            let request = try JSONSerialization.data(withJSONObject: ["event": event, "body": body])
            let answer = try curl([fakeURL + "/_fake/deliver"], body: String(decoding: request, as: UTF8.self))
            let items = try JSONSerialization.jsonObject(with: Data(answer.output.utf8)) as? [[String: Any]] ?? []
            return items.map { ($0["url"] as? String ?? "", $0["status"] as? Int ?? -1) }
        }

        func sample(_ name: String, id: String) throws -> String {
            let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
                .appendingPathComponent("../WebhookCoreTests/Fixtures")
            let text = try String(contentsOf: fixtures.appendingPathComponent("\(name).json"), encoding: .utf8)
            // The envelope's id is its first member: a fresh one makes a new delivery, not a duplicate.
            guard let range = text.range(of: #""id": "[^"]*""#, options: .regularExpression) else { return text }
            return text.replacingCharacters(in: range, with: "\"id\": \"\(id)\"")
        }

        func stored(_ webhook: String) throws -> Int {
            try environment.count("SELECT count(*) FROM winkhook.deliveries WHERE webhook = $1", [webhook])
        }

        func recordedID(_ config: String, _ name: String) throws -> String {
            let data = try Data(contentsOf: URL(fileURLWithPath: directory + "/\(name).state.json"))
            let root = try JSONSerialization.jsonObject(with: data) as? [String: Any]
            let webhooks = root?["webhooks"] as? [String: [String: String]]
            return try #require(webhooks?[name]?["id"], "no id recorded for \(name)")
        }
    }
}

extension EndToEnd.WinkTests {
    /// The seed's journey: create "Wink Stalker" for "Cool Account" on booking.created → delivered and
    /// stored; disabled → nothing delivered; more events → delivered; a new URL → delivered there; removed.
    @Test func theWholeJourneyOfOneSubscription() throws {
        let name = "wink-journey-\(UInt32.random(in: 0...UInt32.max))"
        let config = try writeConfig(name)
        let server = try ServeProcess(environment: environment, config: config, name: name)
        defer { _ = server.stop() }

        let created = try winkhook(["wink", "create", "--config", config, "--webhook", name, "--name", "Wink Stalker"])
        #expect(created.status == 0, "\(created.output)")
        #expect(created.output.contains("name:      Wink Stalker"))
        #expect(created.output.contains("events:    booking.created"))
        #expect(created.output.contains("entity:    \(entity) (Cool Account)"))
        #expect(
            !created.output.contains(
                try String(contentsOfFile: directory + "/\(name).tokens", encoding: .utf8)
                    .trimmingCharacters(in: .whitespacesAndNewlines)), "the token is masked")
        let id = try recordedID(config, name)
        let listed = try winkhook(["wink", "list", "--config", config])
        #expect(listed.output.contains("\(id)  enabled   Wink Stalker  1 event(s)"), "\(listed.output)")
        #expect(try winkhook(["wink", "sync", "--config", config]).output.contains("in step with \(id)"))

        var delivered = try deliver("booking.created", try sample("booking.create", id: "journey-1-\(name)"))
        #expect(delivered.map(\.status) == [200], "\(delivered)")
        #expect(try stored(name) == 1)

        let disabled = try winkhook(["wink", "update", id, "--config", config, "--disable"])
        #expect(disabled.status == 0, "\(disabled.output)")
        #expect(disabled.output.contains("enabled:   false"))
        delivered = try deliver("booking.created", try sample("booking.create", id: "journey-2-\(name)"))
        #expect(delivered.isEmpty, "a disabled subscription gets nothing")
        #expect(try stored(name) == 1)

        let more = try winkhook([
            "wink", "update", name, "--config", config, "--enable", "--add-event", "booking.cancelled",
        ])
        #expect(more.status == 0, "\(more.output)")
        #expect(more.output.contains("events:    booking.created, booking.cancelled"))
        delivered = try deliver("booking.cancelled", try sample("booking.cancelled", id: "journey-3-\(name)"))
        #expect(delivered.map(\.status) == [200], "\(delivered)")
        #expect(try stored(name) == 2)

        // The same token in the query instead of the path: a new URL that authenticates too.
        let token = try String(contentsOfFile: directory + "/\(name).tokens", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let newURL = environment.nginxURL + "/webhook/wink?token=" + token
        let moved = try winkhook(["wink", "update", id, "--config", config, "--url", newURL])
        #expect(moved.status == 0, "\(moved.output)")
        delivered = try deliver("booking.created", try sample("booking.create", id: "journey-4-\(name)"))
        #expect(delivered.map(\.url) == [newURL])
        #expect(delivered.map(\.status) == [200], "\(delivered)")
        #expect(try stored(name) == 3)
        let drift = try winkhook(["wink", "sync", "--config", config])
        #expect(drift.status == 1)
        #expect(drift.output.contains("eventUrl: Wink has"), "\(drift.output)")

        let refused = try winkhook(["wink", "remove", id, "--config", config])
        #expect(refused.status != 0, "no terminal to confirm on: nothing removed")
        #expect(try winkhook(["wink", "list", "--config", config]).output.contains(id))
        // On a terminal (script(1) gives it one) it asks, like Wink's OK button: "n" keeps it, "y" removes it.
        let command = "\(environment.binary) wink remove \(id) --config \(config)"
        let kept = try Program.run("/usr/bin/script", ["-qec", command, "/dev/null"], input: Array("n\n".utf8))
        #expect(kept.output.contains("Delivery stops for good. [y/N]"), "\(kept.output)")
        #expect(kept.output.contains("not removed"))
        #expect(try winkhook(["wink", "list", "--config", config]).output.contains(id))
        let removed = try Program.run("/usr/bin/script", ["-qec", command, "/dev/null"], input: Array("y\n".utf8))
        #expect(removed.status == 0, "\(removed.output)")
        #expect(removed.output.contains("removed Wink webhook \(id)"), "\(removed.output)")
        #expect(try winkhook(["wink", "list", "--config", config]).output.contains("no webhooks at Wink"))
        let state = try String(contentsOfFile: directory + "/\(name).state.json", encoding: .utf8)
        #expect(!state.contains(id), "the local record of the id is gone")
        #expect(try deliver("booking.created", try sample("booking.create", id: "journey-5-\(name)")).isEmpty)

        // Every API call carried Wink-Version 2.0; every update was conditional on the version read.
        let calls =
            try JSONSerialization.jsonObject(with: Data(try curl([fakeURL + "/_fake/calls"]).output.utf8))
            as? [[String: Any]] ?? []
        #expect(!calls.isEmpty)
        #expect(calls.allSatisfy { $0["wink_version"] as? String == "2.0" })
        #expect(calls.filter { $0["method"] as? String == "PATCH" }.allSatisfy { $0["if_match"] is String })
    }

    /// A subscription changed at Wink is reported by `sync` (and `check-config --wink`) and repaired by
    /// `sync --apply`.
    @Test func driftIsReportedAndRepaired() throws {
        let name = "wink-drift-\(UInt32.random(in: 0...UInt32.max))"
        let config = try writeConfig(name, events: ["booking.created", "booking.cancelled"])
        #expect(try winkhook(["wink", "create", "--config", config, "--webhook", name]).status == 0)
        let id = try recordedID(config, name)
        let changed = try curl(
            [fakeURL + "/_fake/webhook/" + id],
            body: #"{"enabled": false, "eventList": ["booking.created", "payee.update"]}"#,
            method: "PATCH")
        #expect(changed.status == 0)

        let report = try winkhook(["wink", "sync", "--config", config])
        #expect(report.status == 1)
        #expect(report.output.contains("enabled: Wink has false, local true"), "\(report.output)")
        #expect(report.output.contains("missing at Wink: booking.cancelled; only at Wink: payee.update"))
        let check = try winkhook(["check-config", "--config", config, "--wink"])
        #expect(check.status == 1, "\(check.output)")
        #expect(check.output.contains("differs from \(id)"))

        let applied = try winkhook(["wink", "sync", "--config", config, "--apply"])
        #expect(applied.status == 0, "\(applied.output)")
        #expect(applied.output.contains("→ updated at Wink"))
        let again = try winkhook(["wink", "sync", "--config", config])
        #expect(again.status == 0, "\(again.output)")
        #expect(again.output.contains("in step with \(id)"))
        #expect(try winkhook(["check-config", "--config", config, "--wink"]).status == 0)
        #expect(try winkhook(["wink", "remove", name, "--config", config, "--yes"]).status == 0)
    }

    /// 429 with Retry-After is waited out; bad credentials, a certificate nobody vouches for and a
    /// missing id each end in one clear line.
    @Test func failuresAreOneClearLine() throws {
        let name = "wink-fail-\(UInt32.random(in: 0...UInt32.max))"
        let config = try writeConfig(name)
        _ = try curl([fakeURL + "/_fake/throttle"], body: #"{"count": 2, "retry_after": 1}"#)
        let started = Date()
        let listed = try winkhook(["wink", "list", "--config", config, "--verbose"])
        #expect(listed.status == 0, "\(listed.output)")
        #expect(listed.output.contains("answered 429; trying again in 1.0 s"))
        #expect(Date().timeIntervalSince(started) >= 2)

        let missing = try winkhook(["wink", "show", "00000000-0000-4000-8000-000000000000", "--config", config])
        #expect(missing.status == 1)
        #expect(missing.output.contains("Wink answered 404 Not Found: no webhook"), "\(missing.output)")

        try "wrong-secret\n".write(toFile: directory + "/client.secret", atomically: true, encoding: .utf8)
        let refused = try winkhook(["wink", "list", "--config", config])
        #expect(refused.status == 1)
        #expect(refused.output.contains("Wink refused the client credentials: 401 bad client credentials"))
        #expect(!refused.output.contains("wrong-secret"))

        let untrusted = try winkhook([
            "wink", "list", "--config", config, "--ca-file", "/etc/ssl/certs/ca-certificates.crt",
        ])
        #expect(untrusted.status == 1)
        #expect(untrusted.output.contains("cannot reach Wink"), "\(untrusted.output)")
    }
}
