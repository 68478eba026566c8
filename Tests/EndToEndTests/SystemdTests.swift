import Foundation
import Testing

extension EndToEnd {
    /// deploy/systemd as shipped: both units pass `systemd-analyze verify`, and `serve` takes its socket
    /// the way winkhook.socket hands it over (`LISTEN_FDS`, from Debian's systemd-socket-activate).
    @Suite(.serialized)
    struct SystemdTests {
        let environment: E2EEnvironment
        let units: String

        init() throws {
            environment = try E2EEnvironment.require()
            try environment.migrate()
            units =
                URL(fileURLWithPath: #filePath).deletingLastPathComponent()
                .appendingPathComponent("../../deploy/systemd").standardized.path
        }

        /// The units with the binary's path pointed at the one under test (verify checks it exists).
        func copyOfUnits() throws -> String {
            let folder = "\(environment.runDirectory)/systemd-units"
            try? FileManager.default.removeItem(atPath: folder)
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            for name in ["winkhook.service", "winkhook.socket"] {
                let text = try String(contentsOfFile: units + "/" + name, encoding: .utf8)
                    .replacingOccurrences(of: "/usr/bin/winkhook", with: environment.binary)
                try text.write(toFile: folder + "/" + name, atomically: true, encoding: .utf8)
            }
            return folder
        }

        @Test func unitsPassSystemdAnalyzeVerify() throws {
            let folder = try copyOfUnits()
            let log = folder + "/verify.log"
            let verify = try Daemon(
                [
                    "/usr/bin/systemd-analyze", "verify", "--man=no", folder + "/winkhook.service",
                    folder + "/winkhook.socket",
                ],
                log: log)
            let status = verify.wait(within: 60)
            let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            #expect(status == 0, "\(output)")
            #expect(output.isEmpty, "\(output)")
        }

        @Test func theServiceIsHardened() throws {
            let service = try String(contentsOfFile: units + "/winkhook.service", encoding: .utf8)
            for line in [
                "ProtectSystem=strict", "NoNewPrivileges=yes", "ReadWritePaths=/var/spool/winkhook",
                "ExecReload=/bin/kill -HUP $MAINPID", "User=winkhook",
            ] {
                #expect(service.contains(line + "\n"), "\(line)")
            }
            let socket = try String(contentsOfFile: units + "/winkhook.socket", encoding: .utf8)
            #expect(socket.contains("SocketMode=0660\n") && socket.contains("Accept=no\n"))
        }

        /// systemd-socket-activate opens the socket nginx routes to and execs `serve` with it as fd 3, as
        /// winkhook.socket would: serve must take it, without `--listen`, and answer through it.
        @Test func serveTakesTheActivatedSocket() throws {
            let webhook = "e2e-systemd-\(UInt32.random(in: 0...UInt32.max))"
            let config = try environment.writeConfig(name: "systemd", webhook: webhook)
            unlink(environment.socket)
            let log = "\(environment.runDirectory)/systemd.log"
            unlink(log)
            let activator = try Daemon(
                [
                    "/usr/bin/systemd-socket-activate", "--listen", environment.socket, environment.binary, "serve",
                    "--config", config, "--workers", "2",
                ], log: log)
            defer { activator.stop() }
            let url = environment.nginxURL + "/webhook/wink"
            let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
                .appendingPathComponent("../WebhookCoreTests/Fixtures/booking.create.json")
            let booking = Array(try Data(contentsOf: fixture))
            // The first connection starts serve; nginx answers 502 until a worker accepts.
            var answer = (0, "", [String: String]())
            for _ in 0..<100 where answer.0 != 200 && activator.isRunning {
                answer = (try? HTTP.signedPost(url, body: booking, id: "msg_systemd_1")) ?? answer
                if answer.0 != 200 { usleep(100_000) }
            }
            let text = { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }
            #expect(answer.0 == 200 && answer.2["winkhook-result"] == "stored", "\(answer) \(text())")
            #expect(
                try environment.count("SELECT count(*) FROM winkhook.deliveries WHERE webhook = $1", [webhook]) == 1)
            activator.stop()
            #expect(!activator.isRunning)
            #expect(text().contains("using the socket passed by systemd"), "\(text())")
        }
    }
}
