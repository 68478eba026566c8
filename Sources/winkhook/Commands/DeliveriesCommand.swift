import ArgumentParser
import FastCGITransport
import Glibc
import PostgresStore
import Reporting
import WebhookCore
import WinkhookConfig

/// `winkhook deliveries`: what arrived, from the raw archive ("log every payload"): the way to learn what
/// Wink really sends, and to run a fixed handler over one delivery again.
struct DeliveriesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deliveries",
        abstract: "List, show and replay archived deliveries (headers without credentials, body, result).",
        subcommands: [List.self, Show.self, Replay.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The newest deliveries, newest first.")

        @OptionGroup var options: ConfigOption
        @OptionGroup var database: DatabaseOption

        @Option(help: "Only this webhook.")
        var webhook: String?
        @Option(help: "Only this event key (aliases apply).")
        var key: String?
        @Option(help: "Received since (YYYY-MM-DD or an ISO 8601 time, UTC; default: 7 days ago).")
        var since: String?
        @Option(help: "At most this many.")
        var limit = 20

        func run() throws {
            let reader = try DeliveriesCommand.reader(options, database)
            let start =
                try timeOption(since, flag: "since")
                ?? Timestamp(microseconds: RequestProcessor.now().microseconds - 7 * 86_400 * 1_000_000)
            let canonical = try canonicalKeyOption(key)
            let rows: [DeliverySummary]
            do {
                rows = try reader.list(since: start, webhook: webhook, key: canonical, limit: max(1, limit))
            } catch {
                throw StatsCommand.failure(error)
            }
            guard !rows.isEmpty else {
                print("no deliveries since \(start.iso8601)")
                return
            }
            let table =
                [["id", "received (UTC)", "webhook", "key", "result", "points", "bytes"]]
                + rows.map { row in
                    [
                        String(row.id), String(row.receivedAt.iso8601.prefix(19)), row.webhook,
                        row.eventKey + (row.sentKey.map { $0 == row.eventKey ? "" : " (sent \($0))" } ?? ""),
                        row.disposition, String(row.points), String(row.bodyBytes),
                    ]
                }
            for line in StatsRenderer.aligned(table) { print(line) }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "One delivery: its headers (no credentials), body, key, result and points.")

        @OptionGroup var options: ConfigOption
        @OptionGroup var database: DatabaseOption

        @Argument(help: "The delivery's id (from `deliveries list`).")
        var id: Int64

        @Flag(help: "Print the body only (to save it, fix a handler, and `send --file` it).")
        var body = false

        func run() throws {
            let reader = try DeliveriesCommand.reader(options, database)
            let found: DeliveryRecord?
            do {
                found = try reader.show(id: id)
            } catch {
                throw StatsCommand.failure(error)
            }
            guard let record = found else { throw CommandFailure("no delivery with id \(id)") }
            if body {
                print(record.body)
                return
            }
            DeliveriesCommand.describe(record)
        }
    }

    struct Replay: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run today's handlers over one archived delivery again (after fixing a handler).",
            discussion: """
                Re-derives the delivery's dimensions, points and booking state from its archived body, writes \
                them back, and brings rollups and the ledger up to date: `winkhook reprocess` for one row. \
                Nothing is sent anywhere, and running it twice changes nothing more.
                """)

        @OptionGroup var options: ConfigOption
        @OptionGroup var database: DatabaseOption

        @Argument(help: "The delivery's id (from `deliveries list`).")
        var id: Int64

        func run() throws {
            let environment = ProcessEnvironment.current()
            let logger = LogSetup.bootstrap(environment: environment)
            let config = try options.load(environment: environment)
            let url = database.url(environment: environment) { config.databaseURL }
            let reader: DeliveryReader
            let before: DeliveryRecord?
            do {
                reader = try DeliveryReader(conninfo: url)
                before = try reader.show(id: id)
            } catch {
                throw StatsCommand.failure(error)
            }
            guard let before else { throw CommandFailure("no delivery with id \(id)") }
            let entities = Dictionary(
                config.webhooks.map { ($0.name, $0.entity?.identifier) }, uniquingKeysWith: { first, _ in first })
            let router = try HandlerRegistry.router()
            do {
                try ReprocessCommand.reprocess(
                    url: url, selection: .init(id: id), router: router, entities: entities,
                    config: config, logger: logger, progress: false)
                let after = try reader.show(id: id)
                print("points before: \(DeliveriesCommand.pointsText(before))")
                print("points after:  \(after.map(DeliveriesCommand.pointsText) ?? "-")")
            } catch {
                throw StatsCommand.failure(error)
            }
        }
    }

    static func reader(_ options: ConfigOption, _ database: DatabaseOption) throws -> DeliveryReader {
        let environment = ProcessEnvironment.current()
        let url = try database.url(environment: environment) { try options.load(environment: environment).databaseURL }
        do {
            return try DeliveryReader(conninfo: url)
        } catch {
            throw StatsCommand.failure(error)
        }
    }

    static func pointsText(_ record: DeliveryRecord) -> String {
        record.points.isEmpty
            ? "none"
            : record.points.map { "\($0.metric)=\($0.value)\($0.currency.map { " \($0)" } ?? "")" }.joined(
                separator: ", ")
    }

    static func describe(_ record: DeliveryRecord) {
        let summary = record.summary
        print("id:          \(summary.id)")
        print("received:    \(summary.receivedAt.iso8601)")
        print("time:        \(record.time.iso8601)")
        print("webhook:     \(summary.webhook)")
        print("key:         \(summary.eventKey)" + (summary.sentKey.map { "  (sent as \($0))" } ?? ""))
        print("result:      \(summary.disposition)")
        print("dedupe key:  \(summary.dedupeKey)")
        print("body sha256: \(record.bodySHA256)")
        let dimensions = record.dimensions.map { "\($0.name)=\($0.value)" }.joined(separator: ", ")
        print("dimensions:  \(dimensions.isEmpty ? "none" : dimensions)")
        print("points:      \(pointsText(record))")
        print("headers:     \(record.headers)")
        print("body:")
        print(record.body)
    }
}
