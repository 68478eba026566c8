import ArgumentParser
import Glibc
import Logging
import PostgresStore
import WebhookCore
import WinkhookConfig

/// `winkhook reprocess`: derives dimensions, points and booking state again from the raw archive (after a
/// handler changed), then runs maintenance so rollups and the ledger follow. Idempotent.
struct ReprocessCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reprocess",
        abstract: "Re-derive points, ledger and rollups from the raw archive (after a handler changed).",
        discussion: """
            Reads winkhook.events in id order, 1000 rows at a time, runs today's handlers over each body and \
            writes the results back; a progress bar goes to stderr. Safe to interrupt and to run again.
            """)

    @OptionGroup var options: ConfigOption
    @OptionGroup var database: DatabaseOption

    @Option(help: "Only events that happened on or after this day (YYYY-MM-DD, UTC).")
    var since: String?
    @Option(help: "Only events before this day (exclusive).")
    var until: String?
    @Option(help: "Only this event key (aliases apply).")
    var key: String?
    @Option(help: "Only this webhook.")
    var webhook: String?

    func run() throws {
        let environment = ProcessEnvironment.current()
        let logger = LogSetup.bootstrap(environment: environment)
        let config = try options.load(environment: environment)
        let url = database.url(environment: environment) { config.databaseURL }
        let selection = PostgresReprocessor.Selection(
            since: try timeOption(since, flag: "since"), until: try timeOption(until, flag: "until"),
            key: try canonicalKeyOption(key), webhook: webhook)
        let router = try HandlerRegistry.router()
        let entities = Dictionary(
            config.webhooks.map { ($0.name, $0.entity?.identifier) }, uniquingKeysWith: { first, _ in first })
        do {
            try ReprocessCommand.reprocess(
                url: url, selection: selection, router: router, entities: entities, config: config, logger: logger)
        } catch {
            throw StatsCommand.failure(error)
        }
    }

    static func reprocess(
        url: String, selection: PostgresReprocessor.Selection, router: EventRouter, entities: [String: String?],
        config: WinkhookConfiguration, logger: Logger, progress showsProgress: Bool = true
    ) throws(PostgresError) {
        let reprocessor = try PostgresReprocessor(conninfo: url)
        let total = try reprocessor.count(selection)
        var progress = ProgressBar(total: total)
        var last: Int64 = 0
        var done = 0
        var changed = 0
        let projection = JSONProjection.eventBody(router: router)  // what the handlers read, as at receipt
        while true {
            let rows = try reprocessor.next(selection, after: last, limit: 1000)
            guard let final = rows.last else { break }
            last = final.id
            let rederived = rows.compactMap { row -> Rederived? in
                guard let body = try? JSONParser.parse(row.body, keeping: projection) else { return nil }
                let derived = EventDerivation(
                    body: body, key: row.eventKey, webhook: row.webhook, receivedAt: row.receivedAt,
                    fallbackEntity: entities[row.webhook] ?? nil, router: router, subscribed: row.stored)
                let delivery = Delivery(
                    webhook: row.webhook, dedupeKey: "", eventKey: row.eventKey, sentKey: nil,
                    disposition: row.stored ? .stored : .ignored, receivedAt: row.receivedAt,
                    headers: .object([:]), body: [], bodySHA256: "", points: derived.points,
                    dimensions: derived.dimensions, booking: derived.booking)
                return Rederived(event: row, delivery: delivery)
            }
            changed += try reprocessor.write(rederived)
            done += rows.count
            if showsProgress { progress.show(done) }
        }
        if showsProgress { progress.finish() }
        print("reprocessed \(changed) of \(total) event row(s)")
        let maintenance = PostgresMaintenance(
            conninfo: url,
            retention: .init(days: config.maintenance.retentionDays, dedupeDays: config.maintenance.dedupeDays),
            logger: logger)
        print("maintenance: " + MaintainCommand.describe(try maintenance.run()))
    }
}
