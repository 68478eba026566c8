import FastCGITransport
import Glibc
import Logging
import PostgresStore
import Spool

/// `winkhook drain --watch`, the drainer `serve` supervises: a pass a second while all is well, backing
/// off (1 s doubling to 30 s) while PostgreSQL is away; a log line when something moved or the state
/// changed, not every second. SIGTERM (or the supervisor going away) ends it after the current pass.
struct DrainWatch {
    let directory: String
    let store: PostgresEventStore
    let logger: Logger

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
        logger.info("spool drainer started", metadata: ["spool": "\(directory)"])
        let drainer = SpoolDrainer(directory: directory)
        var backoff: UInt32 = 1
        var away = false
        while DrainWatch.stopRequested == 0 {
            let summary = drainer.drain(into: store)
            if summary.stored + summary.duplicates + summary.rejected > 0 {
                logger.info(
                    "drained the spool",
                    metadata: [
                        "stored": "\(summary.stored)", "duplicates": "\(summary.duplicates)",
                        "refused": "\(summary.rejected)", "segments": "\(summary.segmentsDrained)",
                    ])
            }
            for problem in summary.problems { logger.warning("spool: \(problem)") }
            if let reason = summary.stoppedBecause {
                if !away {
                    logger.warning("PostgreSQL is unavailable; the spool waits", metadata: ["error": "\(reason)"])
                }
                away = true
                DrainWatch.sleep(seconds: backoff)
                backoff = min(backoff * 2, 30)
            } else {
                if away { logger.info("PostgreSQL is back; draining") }
                away = false
                backoff = 1
                DrainWatch.sleep(seconds: 1)
            }
        }
        logger.info("spool drainer stopped")
    }

    /// Sleeps, returning early when a stop signal arrives.
    static func sleep(seconds: UInt32) {
        var request = timespec(tv_sec: Int(seconds), tv_nsec: 0)
        var remaining = timespec()
        while stopRequested == 0, nanosleep(&request, &remaining) != 0, errno == EINTR { request = remaining }
    }
}
