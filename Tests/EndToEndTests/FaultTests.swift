import Foundation
import Testing
import WebhookCore

@testable import PostgresStore
@testable import Spool

/// Runs a program and waits for it with `waitpid` (Foundation's `Process` waits for every inheritor of
/// its status pipe: a daemon such as PostgreSQL started by the program would keep it waiting).
func spawnAndWait(_ arguments: [String]) -> Int32 {
    var pid: pid_t = 0
    let argv = arguments.map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    guard posix_spawn(&pid, arguments[0], nil, nil, argv, environ) == 0 else { return -1 }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0, errno == EINTR {}
    return (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
}

extension EndToEnd {
    /// Faults with real processes: PostgreSQL stopped under load, `kill -9` of every kind of process, a
    /// spool disk that fills up, PgBouncer in transaction mode. The one rule checked each time: every
    /// delivery answered 200 is in PostgreSQL exactly once in the end.
    @Suite(.serialized)
    struct FaultTests {
        let environment: E2EEnvironment
        let fault: (url: String, control: [String], pgbouncer: String)
        let webhook = "fault-\(UInt32.random(in: 0...UInt32.max))"

        init() throws {
            environment = try E2EEnvironment.require()
            fault = try environment.faultDatabase()
            try environment.migrate()
            try environment.migrate(fault.url)
        }

        var url: String { environment.nginxURL + "/webhook/wink" }

        func booking(padding: Int = 0) throws -> [UInt8] {
            let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
                .appendingPathComponent("../WebhookCoreTests/Fixtures/booking.create.json").path
            var body = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
            guard padding > 0, let close = body.lastIndex(of: UInt8(ascii: "}")) else { return body }
            body.replaceSubrange(
                close..<close + 1,
                with: Array(#","padding":""#.utf8) + Array(repeating: 0x78, count: padding) + Array(#""}"#.utf8))
            return body
        }

        /// The fault cluster: `stop` or `start`.
        func cluster(_ action: String) throws {
            #expect(
                spawnAndWait([fault.control[0], action, fault.control[1]]) == 0, "scripts/postgres \(action) failed")
        }

        /// Stored deliveries of this test's webhook, by webhook-id, with how often each is there.
        func stored(at database: String) throws -> [String: Int] {
            let result = try PostgresConnection(conninfo: database).execute(
                "SELECT substr(dedupe_key, 4), count(*) FROM winkhook.deliveries WHERE webhook = $1 GROUP BY 1",
                [webhook])
            var out: [String: Int] = [:]
            for row in 0..<result.rowCount {
                if let id = result.value(row: row, column: 0) {
                    out[id] = result.value(row: row, column: 1).flatMap { Int($0) } ?? 0
                }
            }
            return out
        }

        /// Stops `load`; checks that every authentic delivery was answered 200, and that there were enough.
        func stopAndExpectEvery200(_ load: Load) {
            load.stop()
            #expect(load.statuses.keys.sorted() == [200], "every authentic delivery is answered 200: \(load.statuses)")
            #expect(load.total > 100, "too little load to mean anything: \(load.total)")
        }

        /// Waits until every id in `acknowledged` is stored; then checks none is stored twice.
        func expectStoredExactlyOnce(_ acknowledged: Set<String>, at database: String, within seconds: Double)
            throws
        {
            let deadline = Date().addingTimeInterval(seconds)
            var rows = try stored(at: database)
            while Date() < deadline, !acknowledged.isSubset(of: Set(rows.keys)) {
                usleep(250_000)
                rows = try stored(at: database)
            }
            let missing = acknowledged.subtracting(rows.keys)
            #expect(missing.isEmpty, "\(missing.count) acknowledged deliveries are missing, e.g. \(missing.prefix(3))")
            let twice = rows.filter { $0.value > 1 }
            #expect(twice.isEmpty, "stored more than once: \(twice.prefix(3))")
        }

        @Test func spoolModeAcceptsAtOnceAndStoresWithinASecond() throws {
            let config = try environment.writeConfig(name: "accept", webhook: webhook, acknowledge: "spool")
            let server = try ServeProcess(environment: environment, config: config, name: "accept")
            for _ in 0..<2 {  // the same delivery twice: accepted twice, stored once
                let (status, body, headers) = try HTTP.signedPost(url, body: try booking(), id: "accept_1")
                #expect(status == 200 && body == #"{"ok":true}"#)
                #expect(headers["winkhook-result"] == "accepted")
            }
            let sent = Date()
            try expectStoredExactlyOnce(["accept_1"], at: environment.databaseURL, within: 5)
            #expect(Date().timeIntervalSince(sent) < 1.5, "visible after \(Date().timeIntervalSince(sent)) s")
            let (_, status) = try runBinary(environment, ["check-config", "--config", config])
            #expect(status.contains("acknowledge = spool"), "\(status)")
            usleep(300_000)
            _ = server.stop()
            #expect(try stored(at: environment.databaseURL)["accept_1"] == 1)
            #expect(server.log.contains("accepted booking.create"))
        }

        @Test func postgresStoppedForThirtySecondsUnderLoadLosesNothing() throws {
            let config = try environment.writeConfig(name: "outage", webhook: webhook, databaseURL: fault.url)
            let server = try ServeProcess(environment: environment, config: config, name: "outage")
            let load = Load(url: url, body: try booking(), clients: 4, prefix: "outage")
            sleep(2)
            try cluster("stop")
            defer { try? cluster("start") }
            sleep(30)
            try cluster("start")
            sleep(3)
            stopAndExpectEvery200(load)
            // No one runs `winkhook drain`: the supervised drainer empties the spool by itself.
            try expectStoredExactlyOnce(load.acknowledged, at: fault.url, within: 60)
            #expect(server.log.contains("spooled booking.create"))
            #expect(server.log.contains("drained the spool"), "\(server.log.suffix(2000))")
            _ = server.stop()
        }

        /// PostgreSQL crashing (an immediate stop: no shutdown checkpoint, as after a power cut of the
        /// server alone) under spool-mode load, then starting again with crash recovery: every delivery
        /// answered 200 is stored exactly once, by the supervised drainer alone.
        @Test func postgresCrashingUnderSpoolModeLoadLosesNothing() throws {
            let spool = "\(environment.runDirectory)/crash.spool"
            let config = try environment.writeConfig(
                name: "crash", webhook: webhook, databaseURL: fault.url, spool: spool, acknowledge: "spool")
            let server = try ServeProcess(environment: environment, config: config, name: "crash")
            let load = Load(url: url, body: try booking(), clients: 8, prefix: "crash")
            defer { try? cluster("start") }
            sleep(3)
            #expect(spawnAndWait([fault.control[0], "crash", fault.control[1]]) == 0, "the immediate stop failed")
            sleep(2)
            try cluster("start")
            sleep(3)
            stopAndExpectEvery200(load)
            try expectStoredExactlyOnce(load.acknowledged, at: fault.url, within: 60)
            _ = server.stop()
        }

        @Test func killNineOfWorkersTheDrainerAndTheSupervisorLosesNothing() throws {
            let spool = "\(environment.runDirectory)/chaos.spool"
            let config = try environment.writeConfig(
                name: "chaos", webhook: webhook, spool: spool, acknowledge: "spool")
            var server = try ServeProcess(environment: environment, config: config, name: "chaos", workers: 3)
            let load = Load(url: url, body: try booking(), clients: 4, prefix: "chaos")
            for round in 0..<10 {
                usleep(400_000)
                if let victim = server.workerPIDs().randomElement() { kill(victim, SIGKILL) }
                if round == 3 || round == 7, let drainer = server.drainerPID() { kill(drainer, SIGKILL) }
            }
            // The supervisor itself: its workers and drainer follow it out (the lifeline).
            let orphans = server.children()
            kill(server.pid, SIGKILL)
            server.process.waitUntilExit()
            for _ in 0..<100 where orphans.contains(where: { kill($0, 0) == 0 }) { usleep(50_000) }
            #expect(!orphans.contains { kill($0, 0) == 0 }, "workers outlived a killed supervisor")
            // What kill -9 in the middle of an append leaves: records made durable before, half a record.
            let writer = SpoolWriter(directory: spool, maxBytes: 1 << 30)
            let torn = ["chaos_torn_1", "chaos_torn_2"]
            for id in torn {
                try writer.append(
                    Delivery(
                        webhook: webhook, dedupeKey: "id:\(id)", eventKey: .unknown, sentKey: nil, disposition: .stored,
                        receivedAt: Timestamp(seconds: Int64(Date().timeIntervalSince1970)), headers: .object([:]),
                        body: Array(#"{"type":"x"}"#.utf8), bodySHA256: "", points: []))
            }
            let half = SpoolRecord.frame(Array(repeating: 0x41, count: 400)).prefix(200)
            writer.abandonSegment()
            let segment = try #require(SpoolFiles.segments(in: spool).last)
            let handle = try #require(FileHandle(forUpdatingAtPath: "\(spool)/\(segment)"))
            let records = try SpoolSegment.read(segment, in: spool).end
            try handle.seek(toOffset: UInt64(records))
            handle.write(Data(half))
            try handle.close()
            server = try ServeProcess(environment: environment, config: config, name: "chaos-again", workers: 3)
            sleep(2)
            load.stop()
            #expect(load.statuses[200, default: 0] > 100, "\(load.statuses)")
            try expectStoredExactlyOnce(load.acknowledged.union(torn), at: environment.databaseURL, within: 60)
            for _ in 0..<50 where !server.log.contains("torn tail") { usleep(100_000) }
            #expect(server.log.contains("torn tail dropped"), "\(server.log.suffix(2000))")
            _ = server.stop()
        }

        @Test func aSpoolDiskThatFillsUpAnswers503AndLosesNothingAcknowledged() throws {
            let mount = "\(environment.runDirectory)/full.tmpfs"
            try FileManager.default.createDirectory(atPath: mount, withIntermediateDirectories: true)
            let mounted = spawnAndWait(["/bin/mount", "-t", "tmpfs", "-o", "size=5m", "tmpfs", mount])
            try #require(mounted == 0, "cannot mount a tmpfs (the tests run as root)")
            defer { _ = spawnAndWait(["/bin/umount", mount]) }
            // No database at all: nothing drains, so the disk fills for good.
            let config = try environment.writeConfig(
                name: "full", webhook: webhook,
                databaseURL: "host=/nonexistent-winkhook port=1 dbname=x connect_timeout=1", spool: "\(mount)/spool",
                acknowledge: "spool")
            let server = try ServeProcess(environment: environment, config: config, name: "full", workers: 1)
            let body = try booking(padding: 50_000)
            var acknowledged: Set<String> = []
            var refused = 0
            for n in 0..<400 where refused < 20 {
                let id = "full_\(n)"
                let (status, _, headers) = try HTTP.signedPost(url, body: body, id: id)
                if status == 200 {
                    #expect(refused == 0, "a 200 after the spool was full")
                    #expect(headers["winkhook-result"] == "accepted")
                    acknowledged.insert(id)
                } else {
                    #expect(status == 503)
                    #expect(headers["retry-after"] == "7")
                    refused += 1
                }
            }
            #expect(refused == 20 && acknowledged.count > 50, "\(acknowledged.count) accepted, \(refused) refused")
            _ = server.stop()
            #expect(server.log.contains("No space left on device"), "\(server.log.suffix(1500))")
            let (status, report) = try runBinary(
                environment, ["drain", "--config", config, "--database", environment.databaseURL])
            #expect(status == 0, "\(report)")
            try expectStoredExactlyOnce(acknowledged, at: environment.databaseURL, within: 5)
        }

        @Test func throughPgBouncerInTransactionModeTheNormalAndTheOutagePath() throws {
            // Prepared statements left on: the lost ones are detected and statements sent unnamed.
            let config = try environment.writeConfig(
                name: "pgbouncer", webhook: webhook, databaseURL: fault.pgbouncer, deadline: 3)
            let server = try ServeProcess(environment: environment, config: config, name: "pgbouncer")
            let load = Load(url: url, body: try booking(), clients: 4, prefix: "bouncer")
            sleep(3)
            let normal = load.total
            try cluster("stop")
            defer { try? cluster("start") }
            sleep(8)
            try cluster("start")
            sleep(4)
            load.stop()
            #expect(normal > 50, "\(normal) deliveries before the outage")
            #expect(load.statuses.keys.sorted() == [200], "\(load.statuses)")
            try expectStoredExactlyOnce(load.acknowledged, at: fault.url, within: 60)
            #expect(server.log.contains("spooled booking.create"), "the outage path was not taken")
            _ = server.stop()
            // And configured off: no statement is ever prepared.
            let unnamed = try environment.writeConfig(
                name: "pgbouncer-unnamed", webhook: webhook, databaseURL: fault.pgbouncer, preparedStatements: false)
            let second = try ServeProcess(environment: environment, config: unnamed, name: "pgbouncer-unnamed")
            for n in 0..<20 {
                #expect(try HTTP.signedPost(url, body: try booking(), id: "bouncer_plain_\(n)").0 == 200)
            }
            _ = second.stop()
            #expect(!second.log.contains("lost a prepared statement"))
            #expect(try stored(at: fault.url)["bouncer_plain_19"] == 1)
        }
    }
}
