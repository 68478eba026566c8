import ArgumentParser
import Glibc
import Logging
import PostgresStore
import WinkhookConfig

/// `winkhook maintain`: one maintenance pass by hand (rollups, ledger, partitions, retention), or with
/// `--watch` the loop `serve` supervises.
struct MaintainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "maintain",
        abstract: "Bring rollups and the booking ledger up to date, create partitions, apply [retention].",
        discussion: """
            `winkhook serve` runs this every [maintenance] interval seconds (default 60) by itself. Run it by \
            hand after loading history, or from cron when the interval is 0. Safe to run at any time, also \
            beside serve: passes never overlap.
            """)

    @OptionGroup var options: ConfigOption

    @OptionGroup var database: DatabaseOption

    @Flag(help: "Keep running: a pass every [maintenance] interval seconds, until SIGTERM.")
    var watch = false

    func run() throws {
        let environment = ProcessEnvironment.current()
        let logger = LogSetup.bootstrap(environment: environment)
        let config = try options.load(environment: environment)
        let url = database.url(environment: environment) { config.databaseURL }
        let maintenance = PostgresMaintenance(
            conninfo: url,
            retention: .init(days: config.maintenance.retentionDays, dedupeDays: config.maintenance.dedupeDays),
            logger: logger)
        if watch {
            MaintainWatch(
                maintenance: maintenance, intervalSeconds: max(5, config.maintenance.intervalSeconds), logger: logger
            ).run(environment: environment)
            return
        }
        do {
            let pass = try maintenance.run(forceRetention: true)
            print(MaintainCommand.describe(pass))
        } catch {
            print("error: \(error.debugDescription)")
            throw ExitCode.failure
        }
    }

    /// One line for a pass.
    static func describe(_ pass: MaintenancePass) -> String {
        var parts = [
            "\(pass.newEvents) new event row(s)", "\(pass.hours) hour(s) and \(pass.days) day(s) rolled up",
            "\(pass.bookings) booking(s) updated in the ledger", "\(pass.partitionsCreated) partition(s) created",
        ]
        if let removed = pass.retention {
            parts.append(
                "retention dropped \(removed.partitions) partition(s) and deleted \(removed.defaultRows + removed.rejectedRows) old row(s) and \(removed.dedupeRows) delivery id(s)"
            )
        }
        return parts.joined(separator: "; ") + " in \(pass.micros / 1000) ms"
    }
}

/// `maintain --watch`: a pass every interval; a log line when a pass changed something or failed; after
/// a failure the next try comes sooner (5 s) until PostgreSQL answers again.
struct MaintainWatch {
    let maintenance: PostgresMaintenance
    let intervalSeconds: Int
    let logger: Logger

    func run(environment: [String: String]) {
        WatchSignals.install(environment: environment)
        _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 5)
        logger.info("maintenance started", metadata: ["interval": "\(intervalSeconds)s"])
        var failing = false
        while WatchSignals.stopRequested == 0 {
            do {
                let pass = try maintenance.run()
                if failing { logger.info("maintenance: PostgreSQL answers again") }
                failing = false
                if pass.didWork { logger.info("maintenance: \(MaintainCommand.describe(pass))") }
                WatchSignals.sleep(milliseconds: intervalSeconds * 1000)
            } catch {
                if !failing {
                    logger.warning("maintenance failed; retrying", metadata: ["error": "\(error.debugDescription)"])
                }
                failing = true
                WatchSignals.sleep(milliseconds: min(intervalSeconds, 5) * 1000)
            }
        }
        logger.info("maintenance stopped")
    }
}
