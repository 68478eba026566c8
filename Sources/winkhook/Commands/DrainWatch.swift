import Clocks
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

    func run(environment: [String: String]) {
        WatchSignals.install(environment: environment)
        // Requests first: the drainer yields the CPU to the workers under load (its batches wait a little).
        _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 10)
        logger.info("spool drainer started", metadata: ["spool": "\(directory)"])
        let drainer = SpoolDrainer(directory: directory)
        var report = DrainReport()
        var backoff = 1000
        var away = false
        while WatchSignals.stopRequested == 0 {
            let summary = drainer.drain(into: store)
            if away, summary.stoppedBecause == nil { logger.info("PostgreSQL is back; the spool is drained") }
            report.add(summary)
            if report.isDue(now: SystemClock.monotonicMicros()) { report.log(to: logger) }
            for problem in summary.problems { logger.warning("spool: \(problem)") }
            if let reason = summary.stoppedBecause {
                if !away {
                    logger.warning("PostgreSQL is unavailable; the spool waits", metadata: ["error": "\(reason)"])
                }
                away = true
                WatchSignals.sleep(milliseconds: backoff)
                backoff = min(backoff * 2, 10_000)
            } else {
                away = false
                backoff = 1000
                // Right away while there is a backlog; otherwise wait for the next look.
                if summary.moved < SpoolDrainer.defaultBatchLimit {
                    WatchSignals.sleep(milliseconds: intervalMilliseconds)
                }
            }
        }
        report.log(to: logger)
        logger.info("spool drainer stopped")
    }
}

/// What the drainer moved since its last log line, with the visibility lag (receipt → commit).
struct DrainReport {
    private var stored = 0
    private var duplicates = 0
    private var refused = 0
    private var segments = 0
    private var lags: [Int64] = []
    private var since = SystemClock.monotonicMicros()

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
