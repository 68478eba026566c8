import Glibc
import Testing

@testable import Scoreboard

/// The shared scoreboard as the supervisor and its workers use it: one memfd, mapped twice (the second
/// mapping stands for a worker process, which attaches by descriptor).
struct ScoreboardTests {
    let now: Int64 = 1_764_000_000_000_000

    @Test func workersCountIntoTheirSlotsAndAnySnapshotSumsThem() throws {
        let board = try #require(Scoreboard.create(supervisor: 42, startedAt: now))
        let worker = try #require(Scoreboard.attach(board.descriptor))
        board.workerSpawned(slot: 0, pid: 100, at: now)
        board.workerSpawned(slot: 1, pid: 101, at: now)
        let wink = worker.webhookIndex("wink")
        #expect(board.webhookIndex("wink") == wink)
        let other = board.webhookIndex("trippay")
        #expect(other != wink)
        for _ in 0..<3 {
            worker.requestStarted(slot: 0, clock: now)
            worker.requestFinished(
                slot: 0, webhook: wink, cause: .stored, microseconds: 3000, slowMicroseconds: 1_000_000, at: now,
                points: 5)
        }
        board.requestStarted(slot: 1, clock: now)
        board.requestFinished(
            slot: 1, webhook: other, cause: .unauthorized, microseconds: 2_000_000, slowMicroseconds: 1_000_000,
            at: now)
        board.requestStarted(slot: 1, clock: now)
        board.requestFinished(
            slot: 1, webhook: board.webhookIndex(nil), cause: .notFound, microseconds: 100,
            slowMicroseconds: 1_000_000, at: now)
        worker.requestStarted(slot: 0, clock: now + 5_000_000)  // still running at the snapshot

        let snapshot = board.snapshot(now: now + 6_000_000, clock: now + 6_000_000)
        #expect(snapshot.accepted == 5)
        #expect(snapshot.workersTotal == 2 && snapshot.workersActive == 1 && snapshot.workersIdle == 1)
        #expect(snapshot.slow == 1)
        #expect(snapshot.longestActiveMicroseconds == 1_000_000)
        #expect(snapshot.byStatus.map(\.status) == [200, 401, 404])
        #expect(snapshot.byStatus.map(\.count) == [3, 1, 1])
        #expect(snapshot.counts.contains(.init(webhook: "wink", cause: .stored, value: 3)))
        #expect(snapshot.counts.contains(.init(webhook: nil, cause: .notFound, value: 1)))
        #expect(snapshot.storageUp == true)
        #expect(snapshot.buckets.reduce(0, +) == 5)
        #expect(snapshot.pointsStored == 15)
    }

    @Test func aReplacementKeepsCountingInTheSameSlotAndARestartIsCounted() throws {
        let board = try #require(Scoreboard.create(supervisor: 1, startedAt: now))
        board.workerSpawned(slot: 0, pid: 100, at: now)
        board.requestStarted(slot: 0, clock: now)
        board.requestFinished(
            slot: 0, webhook: 0, cause: .stored, microseconds: 10, slowMicroseconds: 1_000_000, at: now)
        board.requestStarted(slot: 0, clock: now)  // then killed mid-request
        board.workerExited(slot: 0, crashed: true)
        #expect(board.snapshot(now: now, clock: now).workersActive == 0)
        board.workerSpawned(slot: 0, pid: 200, at: now)
        board.requestStarted(slot: 0, clock: now)
        board.requestFinished(
            slot: 0, webhook: 0, cause: .spooled, microseconds: 10, slowMicroseconds: 1_000_000, at: now + 1)
        let snapshot = board.snapshot(now: now, clock: now)
        #expect(snapshot.accepted == 2)
        #expect(snapshot.restarts == 1 && snapshot.spawned == 2)
        #expect(snapshot.storageErrors == 1 && snapshot.storageUp == false)
    }

    @Test func somethingElseIsNotAScoreboard() {
        var fds: [Int32] = [-1, -1]
        _ = pipe(&fds)
        #expect(Scoreboard.attach(fds[0]) == nil)
        close(fds[0])
        close(fds[1])
        #expect(Scoreboard.attach(-1) == nil)
    }

    @Test func manyWebhookNamesFillTheTableThenShareItsLastPlace() throws {
        let board = try #require(Scoreboard.create(supervisor: 1, startedAt: now))
        let places = (0..<40).map { board.webhookIndex("hook-\($0)") }
        #expect(Set(places.prefix(32)).count == 32)
        #expect(places.suffix(8).allSatisfy { $0 == 32 })
        #expect(board.webhookIndex("hook-3") == places[3])
    }

    @Test func metricsAreValidExposition() throws {
        let board = try #require(Scoreboard.create(supervisor: 1, startedAt: now))
        board.workerSpawned(slot: 0, pid: 100, at: now)
        let hook = board.webhookIndex(#"we"ird\name"#)
        board.requestStarted(slot: 0, clock: now)
        board.requestFinished(
            slot: 0, webhook: hook, cause: .stored, microseconds: 7000, slowMicroseconds: 1_000_000, at: now)
        let page = StatusPage(
            snapshot: board.snapshot(now: now, clock: now), spool: .init(segments: 1, bytes: 4096, lagSeconds: 3),
            now: now)
        let metrics = MetricsPage(page).text
        #expect(
            metrics.contains(#"winkhook_requests_total{webhook="we\"ird\\name",status="200",cause="stored"} 1"#))
        #expect(metrics.contains(#"winkhook_request_duration_seconds_bucket{le="0.005"} 0"#))
        #expect(metrics.contains(#"winkhook_request_duration_seconds_bucket{le="0.01"} 1"#))
        #expect(metrics.contains(#"winkhook_request_duration_seconds_bucket{le="+Inf"} 1"#))
        #expect(metrics.contains("winkhook_request_duration_seconds_sum 0.007\n"))
        #expect(metrics.contains("winkhook_spool_bytes 4096\n"))
        #expect(page.text.split(separator: "\n").contains { $0.hasPrefix("accepted conn:") && $0.hasSuffix(" 1") })
        #expect(page.json.contains(#""by_webhook":{"we\"ird\\name":{"stored":1}}"#))
        #expect(page.json.hasPrefix(#"{"pool":"winkhook","start_time":"2025-11-24T16:00:00Z""#))
    }
}
