import FastCGITransport
import Glibc
import Logging
import PostgresStore
import Spool

/// `winkhook drain --watch`, the drainer `serve` supervises: a pass every interval while all is well,
/// backing off (1 s doubling to 10 s) while PostgreSQL is away; a log line when something moved or the
/// state changed (at most one "drained" line per 10 s, with the visibility lag), not every pass. SIGTERM
/// (or the supervisor going away) ends it after the current pass.
struct DrainWatch {
    let directory: String
    let store: PostgresEventStore
    let logger: Logger
    var intervalMilliseconds = 1000

    nonisolated(unsafe) static var stopRequested: sig_atomic_t = 0

    func run(environment: [String: String]) {
        for stop in [SIGTERM, SIGINT, SIGQUIT] {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { _ in DrainWatch.stopRequested = 1 }
            sigemptyset(&action.sa_mask)
            action.sa_flags = 0  // interrupts the sleep
            sigaction(stop, &action, nil)
        }
        if let lifeline = environment["WINKHOOK_SUPERVISED"].flatMap({ Int32($0) }) {
            WorkerShutdown.watchSupervisor(descriptor: lifeline)
        }
        // Requests first: the drainer yields the CPU to the workers under load (its batches wait a little).
        _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 5)
        logger.info("spool drainer started", metadata: ["spool": "\(directory)"])
        let drainer = SpoolDrainer(directory: directory)
        var report = DrainReport()
        var backoff = 1000
        var away = false
        while DrainWatch.stopRequested == 0 {
            let summary = drainer.drain(into: store)
            if away, summary.stoppedBecause == nil { logger.info("PostgreSQL is back; the spool is drained") }
            report.add(summary)
            if report.isDue(now: DrainWatch.monotonicMicros()) { report.log(to: logger) }
            for problem in summary.problems { logger.warning("spool: \(problem)") }
            if let reason = summary.stoppedBecause {
                if !away {
                    logger.warning("PostgreSQL is unavailable; the spool waits", metadata: ["error": "\(reason)"])
                }
                away = true
                DrainWatch.sleep(milliseconds: backoff)
                backoff = min(backoff * 2, 10_000)
            } else {
                away = false
                backoff = 1000
                // Right away while there is a backlog; otherwise wait for the next look.
                if summary.moved < SpoolDrainer.defaultBatchLimit {
                    DrainWatch.sleep(milliseconds: intervalMilliseconds)
                }
            }
        }
        report.log(to: logger)
        logger.info("spool drainer stopped")
    }

    /// Sleeps, returning early when a stop signal arrives.
    static func sleep(milliseconds: Int) {
        var request = timespec(tv_sec: milliseconds / 1000, tv_nsec: (milliseconds % 1000) * 1_000_000)
        var remaining = timespec()
        while stopRequested == 0, nanosleep(&request, &remaining) != 0, errno == EINTR { request = remaining }
    }

    static func monotonicMicros() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Int64(now.tv_sec) * 1_000_000 + Int64(now.tv_nsec / 1000)
    }
}

/// What the drainer moved since its last log line, with the visibility lag (receipt → commit).
struct DrainReport {
    private var stored = 0
    private var duplicates = 0
    private var refused = 0
    private var segments = 0
    private var lags: [Int64] = []
    private var since = DrainWatch.monotonicMicros()

    mutating func add(_ summary: SpoolDrainer.Summary) {
        stored += summary.stored
        duplicates += summary.duplicates
        refused += summary.rejected + summary.keptAside
        segments += summary.segmentsDrained
        lags += summary.lagMicros
    }

    func isDue(now: Int64) -> Bool { stored + duplicates + refused > 0 && now - since >= 10_000_000 }

    mutating func log(to logger: Logger) {
        defer { self = DrainReport() }
        guard stored + duplicates + refused > 0 else { return }
        let sorted = lags.sorted()
        func percentile(_ p: Int) -> String {
            guard !sorted.isEmpty else { return "-" }
            return "\(sorted[min(sorted.count - 1, sorted.count * p / 100)] / 1000) ms"
        }
        logger.info(
            "drained the spool",
            metadata: [
                "stored": "\(stored)", "duplicates": "\(duplicates)", "refused": "\(refused)",
                "segments": "\(segments)", "lag_p50": "\(percentile(50))", "lag_p99": "\(percentile(99))",
                "lag_max": "\(sorted.last.map { "\($0 / 1000) ms" } ?? "-")",
            ])
    }
}
