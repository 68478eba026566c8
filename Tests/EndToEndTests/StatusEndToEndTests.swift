import Foundation
import Testing

extension EndToEnd {
    /// `[status]` through nginx to `winkhook serve`: ping, status (text and ?json) and Prometheus metrics
    /// agree with the requests sent, across both workers and a worker killed and replaced; promtool
    /// accepts the exposition, and a real Prometheus scrapes it and reports the same counts.
    @Suite(.serialized)
    struct StatusEndToEndTests {
        let environment: E2EEnvironment
        let webhook = "e2e-status-\(UInt32.random(in: 0...UInt32.max))"

        init() throws {
            environment = try E2EEnvironment.require()
            try environment.migrate()
        }

        var base: String { environment.nginxURL }

        func booking() throws -> [UInt8] {
            let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
                .appendingPathComponent("../WebhookCoreTests/Fixtures/booking.create.json").path
            return Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        }

        func serve(_ name: String, status: String = "") throws -> ServeProcess {
            let config = try environment.writeConfig(name: name, webhook: webhook)
            if !status.isEmpty {
                let text = try String(contentsOfFile: config, encoding: .utf8)
                try (text.replacingOccurrences(of: "[[webhook]]", with: status + "\n[[webhook]]"))
                    .write(toFile: config, atomically: true, encoding: .utf8)
            }
            return try ServeProcess(environment: environment, config: config, name: name)
        }

        /// Sends 3 stored, 1 duplicate, 2 unauthorized, 1 GET and 1 to no webhook.
        func sendTheMix(prefix: String) throws {
            let body = try booking()
            for index in 0..<3 {
                #expect(try HTTP.signedPost(base + "/webhook/wink", body: body, id: "\(prefix)-\(index)").0 == 200)
            }
            #expect(try HTTP.signedPost(base + "/webhook/wink", body: body, id: "\(prefix)-0").0 == 200)
            for _ in 0..<2 {
                #expect(
                    try HTTP.request(
                        base + "/webhook/wink", body: body, headers: [("Content-Type", "application/json")]
                    )
                    .0 == 401)
            }
            #expect(try HTTP.request(base + "/webhook/wink", method: "GET").0 == 405)
            #expect(try HTTP.request(base + "/webhook/nowhere", body: body).0 == 404)
        }

        func statusJSON() throws -> [String: Any] {
            let (code, body, headers) = try HTTP.request(base + "/status?json", method: "GET")
            #expect(code == 200 && headers["content-type"] == "application/json", "\(body)")
            return try #require(JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any], "\(body)")
        }

        @Test func pagesAgreeWithWhatWasSentAcrossWorkersAndARestart() throws {
            let server = try serve("status")
            let ping = try HTTP.request(base + "/ping", method: "GET")
            #expect(ping.0 == 200 && ping.1 == "pong\n")
            // serve's start-up check (GETs until a worker answers) counts too: compare with a baseline.
            let baseline = try statusJSON()
            let before = baseline["accepted_conn"] as? Int ?? 0
            let gets = (baseline["by_cause"] as? [String: Int])?["method_not_allowed"] ?? 0
            try sendTheMix(prefix: "msg_status_a")

            var status = try statusJSON()
            #expect(status["accepted_conn"] as? Int == before + 8, "\(status)")
            #expect(status["workers_total"] as? Int == 2)
            #expect(status["postgresql"] as? String == "up")
            let causes = status["by_cause"] as? [String: Int] ?? [:]
            #expect(
                causes == [
                    "stored": 3, "duplicate": 1, "unauthorized": 2, "method_not_allowed": gets + 1, "not_found": 1,
                ], "\(causes)")
            let points = try environment.count("SELECT count(*) FROM winkhook.points WHERE webhook = $1", [webhook])
            #expect(points >= 15 && status["points_stored"] as? Int == points, "\(points) \(status)")
            let mine = (status["by_webhook"] as? [String: [String: Int]])?[webhook] ?? [:]
            #expect(mine["stored"] == 3 && mine["unauthorized"] == 2, "\(status)")
            let text = try HTTP.request(base + "/status", method: "GET")
            #expect(
                text.0 == 200 && text.1.contains("answers by status:   200=4 401=2 404=1 405=\(gets + 1)\n"),
                "\(text.1)")

            // A worker killed: replaced, counted as a restart, and no count lost.
            let victim = try #require(server.workerPIDs().first)
            kill(victim, SIGKILL)
            var restarted = false
            for _ in 0..<100 where !restarted {
                usleep(50_000)
                restarted = server.workerPIDs().count == 2 && !server.workerPIDs().contains(victim)
            }
            #expect(restarted)
            try sendTheMix(prefix: "msg_status_b")
            status = try statusJSON()
            #expect(status["accepted_conn"] as? Int == before + 16, "\(status)")
            #expect(status["worker_restarts"] as? Int == 1)

            let metrics = try HTTP.request(base + "/metrics", method: "GET")
            #expect(metrics.0 == 200 && metrics.2["content-type"]?.hasPrefix("text/plain; version=0.0.4") == true)
            let line = #"winkhook_requests_total{webhook="\#(webhook)",status="200",cause="stored"} 6"#
            #expect(metrics.1.contains(line + "\n"), "\(metrics.1)")
            #expect(metrics.1.contains("winkhook_worker_restarts_total 1\n"))
            #expect(metrics.1.contains("winkhook_request_duration_seconds_count \(before + 16)\n"))
            let file = environment.runDirectory + "/metrics.txt"
            try metrics.1.write(toFile: file, atomically: true, encoding: .utf8)
            let check = try run("/usr/bin/promtool", ["check", "metrics"], input: metrics.1)
            #expect(check.0 == 0, "promtool: \(check.1)")

            #expect(try HTTP.request(base + "/status", body: [0x7B, 0x7D]).0 == 405)
            // The CLI asks the socket itself.
            let cli = try run(
                environment.binary, ["status", "--socket", "unix:" + environment.socket, "--json"], input: "")
            #expect(cli.0 == 0 && cli.1.contains(#""accepted_conn":\#(before + 16)"#), "\(cli.1)")
            let cliPing = try run(
                environment.binary, ["status", "--socket", "unix:" + environment.socket, "--ping"], input: "")
            #expect(cliPing.0 == 0 && cliPing.1 == "pong\n", "\(cliPing.1)")
            try prometheusScrapes(expecting: 6, server: server)
        }

        @Test func onlyAllowedAddressesAndNothingWhenOff() throws {
            do {
                let fenced = try serve("status-fenced", status: "[status]\nallow_from = [\"192.0.2.0/24\"]\n")
                for path in ["/ping", "/status", "/metrics"] {
                    #expect(try HTTP.request(base + path, method: "GET").0 == 403, "\(path) \(fenced.log)")
                }
                // Stopped with its workers: killing only the supervisor (the end of its scope) left them
                // a moment to answer the next server's first requests from this configuration.
                #expect(fenced.stop() != nil)
            }
            let off = try serve("status-off", status: "[status]\nenabled = false\n")
            #expect(try HTTP.request(base + "/status", method: "GET").0 == 404, "\(off.log)")
        }

        /// A real Prometheus scrapes /metrics through nginx every second; its query API must report
        /// `stored` requests of this webhook.
        func prometheusScrapes(expecting stored: Int, server: ServeProcess) throws {
            let directory = environment.runDirectory + "/prometheus"
            try? FileManager.default.removeItem(atPath: directory)
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let target = URL(string: base)?.host.map { "\($0):\(URL(string: base)?.port ?? 80)" } ?? ""
            try """
            global:
              scrape_interval: 1s
            scrape_configs:
              - job_name: winkhook
                metrics_path: /metrics
                static_configs:
                  - targets: ["\(target)"]
            """.write(toFile: directory + "/prometheus.yml", atomically: true, encoding: .utf8)
            let port = try HTTP.freePort()
            let prometheus = try Daemon(
                [
                    "/usr/bin/prometheus", "--config.file=\(directory)/prometheus.yml",
                    "--storage.tsdb.path=\(directory)/data", "--web.listen-address=127.0.0.1:\(port)",
                ], log: directory + "/prometheus.log")
            defer { prometheus.stop() }
            let query =
                "winkhook_requests_total{webhook=\"\(webhook)\",cause=\"stored\"}"
                .addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
            var seen = ""
            for _ in 0..<120 where !seen.contains("\"\(stored)\"") {
                usleep(250_000)
                seen =
                    (try? HTTP.request("http://127.0.0.1:\(port)/api/v1/query?query=" + query, method: "GET"))?.1 ?? ""
            }
            let log = (try? String(contentsOfFile: directory + "/prometheus.log", encoding: .utf8)) ?? ""
            #expect(
                seen.contains(#""status":"success""#) && seen.contains("\"\(stored)\""), "\(seen) \(log.suffix(2000))")
            let up = try HTTP.request(
                "http://127.0.0.1:\(port)/api/v1/query?query=up%7Bjob%3D%22winkhook%22%7D", method: "GET")
            #expect(up.1.contains(#""1"]"#), "\(up.1)")
        }

        func run(_ program: String, _ arguments: [String], input: String) throws -> (Int32, String) {
            let result = try Program.run(program, arguments, input: Array(input.utf8))
            return (result.status, result.output + result.errors)
        }

    }
}
