import FastCGITransport
import Foundation
import Testing
import WebhookCore

@testable import PostgresStore

extension EndToEnd {
    /// The built binary, for real: behind nginx under `winkhook serve`, and as plain CGI.
    @Suite(.serialized)
    struct EndToEndTests {
        let environment: E2EEnvironment
        let webhook = "e2e-\(UInt32.random(in: 0...UInt32.max))"

        init() throws {
            environment = try E2EEnvironment.require()
            try environment.migrate()
        }

        var url: String { environment.nginxURL + "/webhook/wink" }

        func booking() throws -> [UInt8] {
            let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
                .appendingPathComponent("../WebhookCoreTests/Fixtures/booking.create.json").path
            return Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        }

        func deliveries(_ id: String? = nil) throws -> Int {
            if let id {
                return try environment.count(
                    "SELECT count(*) FROM winkhook.deliveries WHERE webhook = $1 AND dedupe_key = $2",
                    [webhook, "id:" + id])
            }
            return try environment.count("SELECT count(*) FROM winkhook.deliveries WHERE webhook = $1", [webhook])
        }

        func points() throws -> Int {
            try environment.count("SELECT count(*) FROM winkhook.points WHERE webhook = $1", [webhook])
        }

        func serve(_ name: String, enabled: Bool = true, databaseURL: String? = nil) throws -> ServeProcess {
            let config = try environment.writeConfig(
                name: name, webhook: webhook, enabled: enabled, databaseURL: databaseURL)
            return try ServeProcess(environment: environment, config: config, name: name)
        }

        @Test func signedBookingIsStoredAndTheSameAgainAddsNothing() throws {
            let server = try serve("stored")
            let (status, body, headers) = try HTTP.signedPost(url, body: try booking(), id: "msg_e2e_1")
            #expect(status == 200)
            #expect(body == #"{"ok":true}"#)
            #expect(headers["winkhook-result"] == "stored")
            #expect(try deliveries() == 1)
            let pointsAfterFirst = try points()
            #expect(pointsAfterFirst >= 5)
            #expect(
                try environment.count(
                    "SELECT count(*) FROM winkhook.points WHERE webhook = $1 AND metric = 'booking.gross_amount' "
                        + "AND value = 540.00 AND currency = 'EUR'", [webhook]) == 1)

            let (again, againBody, againHeaders) = try HTTP.signedPost(url, body: try booking(), id: "msg_e2e_1")
            #expect(again == 200)
            #expect(againBody == #"{"ok":true}"#)
            #expect(againHeaders["winkhook-result"] == "duplicate")
            #expect(try deliveries() == 1)
            #expect(try points() == pointsAfterFirst)
            _ = server.stop()
        }

        @Test func badSignatureIs401AndStoresNothing() throws {
            let server = try serve("unauthorized")
            let wrong = "whsec_" + Data("this is not the right secret".utf8).base64EncodedString()
            let (status, body, _) = try HTTP.signedPost(url, body: try booking(), id: "msg_bad", secret: wrong)
            #expect(status == 401)
            #expect(body == #"{"ok":false,"error":"unauthorized"}"#)
            #expect(try deliveries() == 0)
            #expect(server.log.contains("authentication failed"))
            #expect(!server.log.contains("MfKQ9r8"))
            _ = server.stop()
        }

        @Test func oversizeBodyIs413() throws {
            let server = try serve("oversize")
            let big =
                Array(#"{"type":"booking.created","pad":""#.utf8)
                + Array(repeating: UInt8(ascii: "x"), count: 300 * 1024)
                + Array(#""}"#.utf8)
            let (status, _, _) = try HTTP.signedPost(url, body: big, id: "msg_big")
            #expect(status == 413)
            #expect(try deliveries() == 0)
            _ = server.stop()
        }

        @Test func malformedJSONIs400AndKeptAsRejected() throws {
            let server = try serve("malformed")
            let body = Array(#"{"type": "booking.create", "data": {"#.utf8)
            let (status, _, _) = try HTTP.signedPost(url, body: body, id: "msg_malformed")
            #expect(status == 400)
            #expect(
                try environment.count(
                    "SELECT count(*) FROM winkhook.rejected_deliveries WHERE webhook = $1 AND body = convert_to($2, 'UTF8')",
                    [webhook, String(decoding: body, as: UTF8.self)]) == 1)
            _ = server.stop()
        }

        @Test func unknownPathIs404AndGetIs405() throws {
            let server = try serve("paths")
            #expect(try HTTP.request(environment.nginxURL + "/webhook/other", body: [0x7B, 0x7D]).0 == 404)
            let (status, _, headers) = try HTTP.request(url, method: "GET")
            #expect(status == 405)
            #expect(headers["allow"] == "POST")
            _ = server.stop()
        }

        @Test func databaseDownIsSpooledAnd200ThenDrainedExactlyOnce() throws {
            let down = "host=/nonexistent-winkhook port=1 dbname=x connect_timeout=1"
            let config = try environment.writeConfig(name: "nodb", webhook: webhook, databaseURL: down)
            let server = try ServeProcess(environment: environment, config: config, name: "nodb")
            for id in ["msg_nodb_1", "msg_nodb_1", "msg_nodb_2"] {  // a retry of the same delivery too
                let (status, body, headers) = try HTTP.signedPost(url, body: try booking(), id: id)
                #expect(status == 200)
                #expect(body == #"{"ok":true}"#)
                #expect(headers["winkhook-result"] == "spooled")
            }
            let (_, status) = try runBinary(environment, ["spool", "status", "--config", config])
            #expect(status.contains("records:  3"), "\(status)")
            _ = server.stop()
            #expect(server.log.contains("spooled booking.create"))
            let (drained, report) = try runBinary(
                environment, ["drain", "--config", config, "--database", environment.databaseURL])
            #expect(drained == 0, "\(report)")
            #expect(report.contains("2 stored, 1 duplicate(s)"), "\(report)")
            #expect(try deliveries("msg_nodb_1") == 1)
            #expect(try deliveries("msg_nodb_2") == 1)
            #expect(try points() > 0)
            let (_, again) = try runBinary(
                environment, ["drain", "--config", config, "--database", environment.databaseURL])
            #expect(again.contains("drained 0 segment(s)"), "\(again)")
        }

        @Test func aHandDrainLeavesASegmentAnotherDrainerHoldsAndTakesItOnceFree() throws {
            let down = "host=/nonexistent-winkhook port=1 dbname=x connect_timeout=1"
            let config = try environment.writeConfig(name: "leased", webhook: webhook, databaseURL: down)
            let server = try ServeProcess(environment: environment, config: config, name: "leased")
            for id in ["msg_leased_1", "msg_leased_2"] {
                #expect(try HTTP.signedPost(url, body: try booking(), id: id).2["winkhook-result"] == "spooled")
            }
            _ = server.stop()
            let spool = "\(environment.runDirectory)/leased.spool"
            let segments = try FileManager.default.contentsOfDirectory(atPath: spool).filter {
                $0.hasSuffix(".spool") && !$0.hasPrefix(".")
            }
            try #require(!segments.isEmpty)
            // This process plays the other drainer: its lock on the lease byte meets the binary's
            // open-file-description lock (the two kinds conflict), on every segment.
            var held: [Int32] = []
            defer { for fd in held { close(fd) } }
            for name in segments {
                let fd = open(spool + "/" + name, O_RDWR)
                var lock = flock()
                lock.l_type = Int16(F_WRLCK)
                lock.l_whence = Int16(SEEK_SET)
                lock.l_start = off_t(1) << 62
                lock.l_len = 1
                #expect(fd >= 0 && fcntl(fd, F_SETLK, &lock) == 0)
                held.append(fd)
            }
            let (left, report) = try runBinary(
                environment, ["drain", "--config", config, "--database", environment.databaseURL])
            #expect(left == 0, "\(report)")
            #expect(report.contains("drained 0 segment(s)"), "\(report)")
            #expect(report.contains("\(segments.count) segment(s) left to another drainer"), "\(report)")
            #expect(try deliveries("msg_leased_1") == 0)
            for fd in held { close(fd) }
            held = []
            let (drained, again) = try runBinary(
                environment, ["drain", "--config", config, "--database", environment.databaseURL])
            #expect(drained == 0, "\(again)")
            #expect(again.contains("2 stored, 0 duplicate(s)"), "\(again)")
            #expect(try deliveries("msg_leased_1") == 1 && deliveries("msg_leased_2") == 1)
        }

        @Test func theSupervisedDrainerStoresTheSpoolOnceTheDatabaseIsBack() throws {
            let down = "host=/nonexistent-winkhook port=1 dbname=x connect_timeout=1"
            let config = try environment.writeConfig(name: "drainer", webhook: webhook, databaseURL: down)
            let server = try ServeProcess(environment: environment, config: config, name: "drainer")
            let first = try #require(server.drainerPID(), "serve runs no drainer")
            for id in ["msg_drainer_1", "msg_drainer_2"] {
                #expect(try HTTP.signedPost(url, body: try booking(), id: id).2["winkhook-result"] == "spooled")
            }
            // The drainer is supervised like the workers: killed, it is replaced.
            kill(first, SIGKILL)
            var replaced: Int32?
            for _ in 0..<100 where replaced == nil {
                usleep(50_000)
                replaced = server.drainerPID().flatMap { $0 == first ? nil : $0 }
            }
            #expect(replaced != nil, "the drainer was not replaced: \(server.log)")
            // The database "comes back" (the right address now), and serve is told: nothing by hand.
            _ = try environment.writeConfig(name: "drainer", webhook: webhook)
            kill(server.pid, SIGHUP)
            var stored = 0
            for _ in 0..<200 where stored < 2 {
                usleep(100_000)
                stored = try deliveries()
            }
            #expect(stored == 2, "\(server.log)")
            #expect(try deliveries("msg_drainer_1") == 1 && deliveries("msg_drainer_2") == 1)
            let (_, status) = try runBinary(environment, ["spool", "status", "--config", config])
            #expect(status.contains("records:  0"), "\(status)")
            _ = server.stop()
            #expect(server.log.contains("drained the spool"))
        }

        @Test func databaseAndSpoolDownIs503WithRetryAfterAndNeverA2xx() throws {
            let config = try environment.writeConfig(
                name: "nodb-nospool", webhook: webhook,
                databaseURL: "host=/nonexistent-winkhook port=1 dbname=x connect_timeout=1",
                spool: "/proc/winkhook-cannot-spool-here")
            let server = try ServeProcess(environment: environment, config: config, name: "nodb-nospool")
            let (status, body, headers) = try HTTP.signedPost(url, body: try booking(), id: "msg_nodb")
            #expect(status == 503)
            #expect(headers["retry-after"] == "7")
            #expect(!body.contains("nonexistent"))
            _ = server.stop()
            #expect(server.log.contains("the spool refused it too"))
        }

        @Test func disabledWebhookIs503AndSighupReloadsTheConfiguration() throws {
            let config = try environment.writeConfig(name: "reload", webhook: webhook, enabled: false)
            let server = try ServeProcess(environment: environment, config: config, name: "reload")
            #expect(try HTTP.signedPost(url, body: try booking(), id: "msg_reload").0 == 503)
            _ = try environment.writeConfig(name: "reload", webhook: webhook, enabled: true)
            let before = server.workerPIDs()
            kill(server.pid, SIGHUP)
            let deadline = Date().addingTimeInterval(10)
            var status = 0
            while Date() < deadline {
                status = try HTTP.signedPost(url, body: try booking(), id: "msg_reload").0
                if status == 200 { break }
                usleep(100_000)
            }
            #expect(status == 200)
            #expect(server.workerPIDs().isDisjoint(with: before))
            #expect(try deliveries("msg_reload") == 1)
            _ = server.stop()
        }

        @Test func childrenAreForkedCopiesAndAReplacedBinaryIsExecdAtTheNextReload() throws {
            let folder = "\(environment.runDirectory)/upgrade"
            try? FileManager.default.removeItem(atPath: folder)
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let binary = "\(folder)/winkhook"
            try FileManager.default.copyItem(atPath: environment.binary, toPath: binary)
            let config = try environment.writeConfig(name: "upgrade", webhook: webhook)
            let server = try ServeProcess(environment: environment, config: config, name: "upgrade", binary: binary)
            func inode(_ path: String) -> UInt64 {
                var info = stat()
                return stat(path, &info) == 0 ? UInt64(info.st_ino) : 0
            }
            let first = server.workerPIDs()
            #expect(first.count == 2)
            // Forked: they run the supervisor's file, and ps shows the command line an exec would have had.
            for pid in first {
                #expect(inode("/proc/\(pid)/exe") == inode(binary))
                #expect(
                    ServeProcess.commandLine(pid).contains("--config \(config)"), "\(ServeProcess.commandLine(pid))")
            }
            #expect(server.drainerPID() != nil)
            #expect(try HTTP.signedPost(url, body: try booking(), id: "msg_upgrade_1").0 == 200)
            // An upgrade renames a new file over the old one: the next workers run the new file.
            try FileManager.default.copyItem(atPath: environment.binary, toPath: binary + ".new")
            #expect(rename(binary + ".new", binary) == 0)
            kill(server.pid, SIGHUP)
            var replaced: Set<Int32> = []
            for _ in 0..<100 where replaced.count < 2 {
                usleep(100_000)
                replaced = server.workerPIDs().subtracting(first)
            }
            #expect(replaced.count == 2, "\(server.log)")
            for pid in replaced { #expect(inode("/proc/\(pid)/exe") == inode(binary)) }
            #expect(try HTTP.signedPost(url, body: try booking(), id: "msg_upgrade_2").0 == 200)
            #expect(try deliveries("msg_upgrade_1") == 1 && deliveries("msg_upgrade_2") == 1)
            _ = server.stop()
        }

        @Test func aKilledWorkerIsReplacedAndTheNextRequestSucceeds() throws {
            let server = try serve("kill9")
            let workers = server.workerPIDs()
            #expect(workers.count == 2)
            let victim = try #require(workers.first)
            kill(victim, SIGKILL)
            let deadline = Date().addingTimeInterval(10)
            var replaced = false
            while Date() < deadline {
                let now = server.workerPIDs()
                if now.count == 2, !now.contains(victim) {
                    replaced = true
                    break
                }
                usleep(50_000)
            }
            #expect(replaced, "workers now: \(server.workerPIDs()), log: \(server.log)")
            for n in 0..<4 {
                #expect(try HTTP.signedPost(url, body: try booking(), id: "msg_after_kill_\(n)").0 == 200)
            }
            #expect(server.log.contains("worker exited"))
            _ = server.stop()
        }

        @Test func sigtermStopsCleanlyWithinFiveSeconds() throws {
            let server = try serve("sigterm")
            #expect(try HTTP.signedPost(url, body: try booking(), id: "msg_before_term").0 == 200)
            let workers = server.workerPIDs()
            let result = try #require(server.stop(SIGTERM, within: 10), "serve still running 10 s after SIGTERM")
            #expect(result.0 == 0)
            #expect(result.1 < 5)
            #expect(!FileManager.default.fileExists(atPath: environment.socket))
            #expect(workers.allSatisfy { kill($0, 0) != 0 })
            #expect(server.log.contains("stopped"))
        }

        @Test func sigtermLetsARequestInFlightFinish() throws {
            let server = try serve("drain")
            // Hold a lock that the write needs, so the request is in flight when SIGTERM arrives.
            let blocker = try PostgresConnection(conninfo: environment.databaseURL)
            try blocker.execute("BEGIN; LOCK TABLE winkhook.dedupe IN EXCLUSIVE MODE")
            let body = try booking()
            let result = ResultBox()
            let done = DispatchSemaphore(value: 0)
            let target = url
            Thread.detachNewThread {
                result.value = Result { try HTTP.signedPost(target, body: body, id: "msg_in_flight") }
                done.signal()
            }
            // Wait until the worker's write is really queued behind the lock.
            let waitingUntil = Date().addingTimeInterval(15)
            while Date() < waitingUntil,
                try environment.count(
                    "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'",
                    ["winkhook"]) == 0
            {
                usleep(20_000)
            }
            let stopped = Date()
            kill(server.pid, SIGTERM)
            usleep(1_000_000)
            #expect(server.process.isRunning, "serve exited with a request in flight")
            try blocker.execute("COMMIT")
            #expect(done.wait(timeout: .now() + 10) == .success)
            #expect((try? result.value?.get())?.0 == 200)
            #expect(try deliveries("msg_in_flight") == 1)
            while server.process.isRunning, Date().timeIntervalSince(stopped) < 10 { usleep(20_000) }
            #expect(!server.process.isRunning)
            #expect(Date().timeIntervalSince(stopped) < 5)
            #expect(server.process.terminationStatus == 0)
        }

        @Test func workersRecycleAfterMaxRequests() throws {
            let config = try environment.writeConfig(name: "recycle", webhook: webhook)
            let server = try ServeProcess(
                environment: environment, config: config, name: "recycle", workers: 1, extra: ["--max-requests", "2"])
            for n in 0..<6 {
                #expect(try HTTP.signedPost(url, body: try booking(), id: "msg_recycle_\(n)").0 == 200)
            }
            #expect(try deliveries() == 6)
            #expect(server.log.contains("served max_requests"))
            #expect(!server.log.contains("back-off"), "a recycle was treated as a crash: \(server.log)")
            _ = server.stop()
        }

        @Test func withStdinClosedTheLifelineStaysOffFdZeroAndEveryChildStopsWithTheSupervisor() throws {
            let config = try environment.writeConfig(name: "nostdin", webhook: webhook)
            let log = environment.runDirectory + "/nostdin.log"
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/bash")
            process.arguments = [
                "-c",
                "exec 0<&-; exec \"$0\" serve --config \"$1\" --listen \"unix:$2\" --workers 2 2>>\"$3\"",
                environment.binary, config, environment.socket, log,
            ]
            try process.run()
            var status = 0
            for _ in 0..<100 where status != 200 {
                usleep(100_000)
                status = (try? HTTP.signedPost(url, body: try booking(), id: "msg_nostdin"))?.0 ?? 0
            }
            #expect(status == 200)
            let pipes =
                ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(process.processIdentifier)/fd")) ?? [])
                .filter { fd in
                    (try? FileManager.default.destinationOfSymbolicLink(
                        atPath: "/proc/\(process.processIdentifier)/fd/\(fd)"))?.hasPrefix("pipe:") == true
                }.compactMap { Int($0) }.filter { $0 != 1 && $0 != 2 }  // stdout and stderr may be pipes
            #expect(!pipes.isEmpty && pipes.allSatisfy { $0 >= 10 }, "lifeline fds: \(pipes)")
            let children = ServeProcess.children(of: process.processIdentifier)
            #expect(children.count == 4, "two workers, the drainer and maintenance: \(children)")
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            let deadline = Date().addingTimeInterval(5)
            while Date() < deadline, children.contains(where: { kill($0, 0) == 0 }) { usleep(50_000) }
            #expect(children.allSatisfy { kill($0, 0) != 0 }, "children outlived their supervisor")
            unlink(environment.socket)
        }

        @Test func workersStopWhenTheSupervisorIsKilled() throws {
            let server = try serve("orphans")
            let workers = server.workerPIDs()
            #expect(workers.count == 2)
            _ = server.stop(SIGKILL)
            let deadline = Date().addingTimeInterval(5)
            while Date() < deadline, workers.contains(where: { kill($0, 0) == 0 }) { usleep(50_000) }
            #expect(workers.allSatisfy { kill($0, 0) != 0 }, "workers outlived their supervisor")
            unlink(environment.socket)
        }

        @Test func servePidFileAndSendHeaderForABareBody() throws {
            let config = try environment.writeConfig(name: "pidfile", webhook: webhook)
            let pidFile = environment.runDirectory + "/winkhook-serve.pid"
            let server = try ServeProcess(
                environment: environment, config: config, name: "pidfile", extra: ["--pid-file", pidFile])
            let written = try String(contentsOfFile: pidFile, encoding: .utf8)
            #expect(written == "\(server.pid)\n")
            let (status, output) = try runBinary(
                environment,
                [
                    "send", "--config", config, "--url", url, "--sample", "bare-booking", "--header",
                    "X-Wink-Event: booking.created",
                ])
            #expect(status == 0, "\(output)")
            #expect(
                try environment.count(
                    "SELECT count(*) FROM winkhook.deliveries WHERE webhook = $1 AND event_key = 'booking.create'",
                    [webhook]) == 1)
            _ = server.stop()
            #expect(!FileManager.default.fileExists(atPath: pidFile))
        }

        @Test func aWorkerStartedWithAListenerOnFd0Serves() throws {
            // How spawn-fcgi and mod_fcgid start it: no subcommand, the listening socket as fd 0, stderr gone.
            let config = try environment.writeConfig(name: "fd0", webhook: webhook)
            unlink(environment.socket)
            let listener = try ListeningSocket.open(
                .unix(path: environment.socket), permissions: .init(mode: 0o660), backlog: 16)
            defer { unlink(environment.socket) }
            let worker = Process()
            worker.executableURL = URL(fileURLWithPath: environment.binary)
            worker.arguments = []
            worker.environment = ["WINKHOOK_CONFIG": config, "PATH": "/usr/bin:/bin"]
            worker.standardInput = FileHandle(fileDescriptor: listener, closeOnDealloc: false)
            worker.standardOutput = FileHandle.nullDevice
            worker.standardError = FileHandle.nullDevice
            try worker.run()
            close(listener)
            defer {
                if worker.isRunning {
                    kill(worker.processIdentifier, SIGKILL)
                    worker.waitUntilExit()
                }
            }

            #expect(try HTTP.signedPost(url, body: try booking(), id: "msg_fd0").0 == 200)
            #expect(try deliveries("msg_fd0") == 1)
            #expect(
                try HTTP.request(url, body: try booking(), headers: [("Content-Type", "application/json")]).0 == 401)
            // stderr is /dev/null, so the cause went to nginx's error log through the FastCGI stderr stream.
            let errorLog =
                (try? String(contentsOfFile: environment.runDirectory + "/nginx/error.log", encoding: .utf8)) ?? ""
            #expect(errorLog.contains("winkhook: 401 authentication failed"))

            kill(worker.processIdentifier, SIGTERM)
            let deadline = Date().addingTimeInterval(5)
            while worker.isRunning, Date() < deadline { usleep(20_000) }
            #expect(!worker.isRunning)
            #expect(worker.terminationStatus == 0)
        }

        @Test func plainCGIAnswersWithStatusAndStores() throws {
            let config = try environment.writeConfig(name: "cgi", webhook: webhook)
            let body = try booking()
            func cgi(signed: Bool, id: String) throws -> String {
                let signer = StandardWebhooksSigner(secret: try StandardWebhooksSecret(E2EEnvironment.secret))
                var env = [
                    "GATEWAY_INTERFACE": "CGI/1.1", "REQUEST_METHOD": "POST", "SCRIPT_NAME": "/webhook/wink",
                    "REQUEST_URI": "/webhook/wink", "CONTENT_TYPE": "application/json",
                    "CONTENT_LENGTH": String(body.count), "WINKHOOK_CONFIG": config, "SERVER_PROTOCOL": "HTTP/1.1",
                    "PATH": "/usr/bin:/bin",
                ]
                if signed {
                    for (name, value) in signer.headers(
                        id: id, timestamp: Int64(Date().timeIntervalSince1970), body: body)
                    {
                        env["HTTP_" + name.uppercased().replacingOccurrences(of: "-", with: "_")] = value
                    }
                }
                let process = Process()
                process.executableURL = URL(fileURLWithPath: environment.binary)
                process.environment = env
                let input = Pipe()
                let output = Pipe()
                process.standardInput = input
                process.standardOutput = output
                process.standardError = FileHandle.nullDevice
                try process.run()
                input.fileHandleForWriting.write(Data(body))
                try input.fileHandleForWriting.close()
                let data = output.fileHandleForReading.readDataToEndOfFile()
                process.waitUntilExit()
                #expect(process.terminationStatus == 0)
                return String(decoding: data, as: UTF8.self)
            }
            let stored = try cgi(signed: true, id: "msg_cgi")
            #expect(stored.hasPrefix("Status: 200 OK\r\n"))
            #expect(stored.hasSuffix("\r\n\r\n" + #"{"ok":true}"#))
            #expect(try deliveries("msg_cgi") == 1)
            let refused = try cgi(signed: false, id: "msg_cgi_unsigned")
            #expect(refused.hasPrefix("Status: 401 Unauthorized\r\n"))
            #expect(try deliveries("msg_cgi_unsigned") == 0)
        }
    }
}
