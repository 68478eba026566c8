import ArgumentParser
import Clocks
import FastCGITransport
import Glibc
import Logging
import PostgresStore
import Spool
import WinkhookConfig

/// `winkhook drain`: moves every spooled delivery into PostgreSQL, once, and reports what it did.
struct DrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drain",
        abstract: "Move spooled deliveries into PostgreSQL (each at most once), with a summary.",
        discussion: """
            Reads every closed segment of [spool] path, oldest first, writes its deliveries (duplicates are \
            detected as on the request path) and deletes a segment once all of it is committed. A segment a \
            running worker still writes to is left for later. Exit status: 0 drained, 1 stopped early \
            (PostgreSQL unavailable) or something needs a look (a torn tail, a record that did not decode).
            """)

    @OptionGroup var options: ConfigOption

    @OptionGroup var database: DatabaseOption

    @Flag(
        name: .long,
        help:
            "Keep draining: a pass a second (every 25 ms in spool mode), backing off to 10 s while PostgreSQL is away (what serve runs)."
    )
    var watch = false

    @Option(
        help:
            "Drainers side by side, each with its own connection, taking the segments as each is free (by hand only; default two per CPU, at most 16)."
    )
    var jobs: Int?

    /// Two per CPU: each drainer waits for its round trips and its batch's commit, the others fill the
    /// cores meanwhile. More only add PostgreSQL backends contending for the same partition's pages:
    /// since the jobs take segments as each is free, on 2 CPUs (500,000 deliveries, alternating) 4
    /// drainers beat 8 in six of seven pairs, 61,300–69,300/s against 58,600–64,900/s, at 18–21 µs of
    /// PostgreSQL CPU a delivery against 21–22 µs.
    static var defaultJobs: Int { ProcessCount.twoPerCPU }

    func run() throws {
        let environment = ProcessEnvironment.current()
        let logger = LogSetup.bootstrap(environment: environment)
        let config = try options.load(environment: environment)
        let conninfo = database.url(environment: environment) { config.databaseURL }
        let storeOptions = App.drainerStoreOptions(config)
        if watch {
            let store = PostgresEventStore(conninfo: conninfo, logger: logger, options: storeOptions)
            // In spool mode every delivery waits for the drainer: look often, so it is visible within a second.
            let interval = config.acknowledge == .spool ? 25 : 1000
            DrainWatch(directory: config.spoolPath, store: store, logger: logger, intervalMilliseconds: interval)
                .run(environment: environment)
            return
        }
        let started = SystemClock.monotonicMicros()
        let terminal = isatty(1) != 0
        var lastShown = -1
        let drainers = DrainJobs(directory: config.spoolPath, jobs: min(max(1, jobs ?? DrainCommand.defaultJobs), 16)) {
            PostgresEventStore(conninfo: conninfo, logger: logger, options: storeOptions)
        }
        let summary = drainers.run { done, total in
            guard terminal, total > 0 else { return }
            let percent = done * 100 / total
            guard percent != lastShown else { return }
            lastShown = percent
            let bar = String(repeating: "█", count: percent / 4) + String(repeating: "·", count: 25 - percent / 4)
            print("\r\(bar) \(done / 1024)/\(total / 1024) KiB", terminator: done == total ? "\n" : "")
            fflush(nil)
        }
        let seconds = Double(max(1, SystemClock.monotonicMicros() - started)) / 1_000_000
        print(
            "drained \(summary.segmentsDrained) segment(s) from \(config.spoolPath): \(summary.stored) stored, "
                + "\(summary.duplicates) duplicate(s), \(summary.rejected) refused by the database (kept raw)")
        if summary.moved > 0 {
            let rate = Int(Double(summary.moved) / seconds)
            print(
                "\(summary.moved) deliveries in \(summary.batches) batch(es), \((seconds * 100).rounded() / 100) s: \(rate) deliveries/s"
            )
        }
        if summary.keptAside > 0 {
            print("\(summary.keptAside) refused by the database for good: kept aside in *.refused for a person")
        }
        if summary.activeSegments > 0 {
            print("\(summary.activeSegments) segment(s) still open in a running worker: drained once it closes them")
        }
        if summary.heldElsewhere > 0 {
            print("\(summary.heldElsewhere) segment(s) left to another drainer that had them (e.g. serve's)")
        }
        for problem in summary.problems { print("warning: \(problem)") }
        if let reason = summary.stoppedBecause {
            print("error: stopped early, the rest stays spooled: \(reason)")
            throw ExitCode.failure
        }
        if !summary.problems.isEmpty { throw ExitCode.failure }
    }
}

/// `winkhook spool status`: what waits in the spool.
struct SpoolCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spool", abstract: "The local spool (deliveries kept while PostgreSQL is unavailable).",
        subcommands: [Status.self])

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Segments, records, bytes and the oldest record's age.")

        @OptionGroup var options: ConfigOption

        func run() throws {
            let environment = ProcessEnvironment.current()
            let config = try options.load(environment: environment)
            let status = SpoolStatus.read(config.spoolPath)
            print("spool:    \(config.spoolPath) (at most \(config.spoolMaxBytes) bytes)")
            print("segments: \(status.segments) (\(status.activeSegments) open in a running worker)")
            print("records:  \(status.records)")
            print("bytes:    \(status.bytes)")
            if let oldest = status.oldest {
                let age = max(0, RequestProcessor.now().seconds - oldest.seconds)
                print("oldest:   \(oldest.iso8601) (\(age) s ago)")
            } else {
                print("oldest:   -")
            }
            for problem in status.problems { print("warning: \(problem)") }
        }
    }
}
