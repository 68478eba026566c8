import ArgumentParser
import Clocks
import FastCGITransport
import Logging
import PostgresStore
import WebhookCore
import WinkhookConfig

/// `winkhook simulate`: loads a plausible history of bookings, cancellations, refunds, payments and
/// property changes into the store, through the real handlers, then runs a maintenance pass.
struct SimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Load a simulated booking history (for demos and read benchmarks), then run maintenance.",
        discussion: """
            The deliveries go through the configured webhook's handlers and are written through the store in \
            batches (not over HTTP: thousands per second instead of hundreds), with their historical times. \
            It ends at the start of the current hour. Their ids start with `sim:`; running it again with the same \
            --seed stores only what became due since.
            """)

    @OptionGroup var options: ConfigOption
    @OptionGroup var database: DatabaseOption
    @OptionGroup var webhookOption: WebhookOption

    @Option(help: "Days of history, ending now.")
    var days: Int = 90
    @Option(help: "Bookings per day, on average.")
    var perDay: Int = 30
    @Option(help: "Seed: the same seed gives the same history.")
    var seed: UInt64 = 1

    func validate() throws {
        guard (1...3650).contains(days), (1...100_000).contains(perDay) else {
            throw ValidationError("--days must be 1–3650 and --per-day 1–100000")
        }
    }

    func run() throws {
        let environment = ProcessEnvironment.current()
        let logger = LogSetup.bootstrap(environment: environment)
        let config = try options.load(environment: environment)
        let url = database.url(environment: environment) { config.databaseURL }
        let configured = config.webhooks[try webhookOption.index(in: config)]
        let endpoint = WebhookEndpoint(
            name: configured.name, enabled: true, entity: configured.entity, events: [], path: "/simulate",
            verifiers: [UnauthenticatedVerifier()], source: .open)
        let pipeline = try WebhookPipeline(
            webhooks: [endpoint], settings: config.settings, router: HandlerRegistry.router())
        let store = PostgresEventStore(
            conninfo: url, logger: logger,
            options: .init(deadlineSeconds: PostgresEventStore.batchDeadlineSeconds, deadlineFromReceipt: false))
        var simulator = HistorySimulator(seed: seed, entity: configured.entity?.identifier)
        var batch: [Delivery] = []
        var sent = 0
        var stored = 0
        let started = SystemClock.monotonicMicros()
        func flush() throws {
            guard !batch.isEmpty else { return }
            stored += try store.recordBatch(batch).filter { if case .inserted = $0 { true } else { false } }.count
            batch.removeAll(keepingCapacity: true)
        }
        // Up to the start of this hour: the same seed within the hour is the same history, byte for byte.
        let end = Timestamp(seconds: RequestProcessor.now().seconds / 3_600 * 3_600)
        try simulator.run(days: days, perDay: perDay, now: end) { event in
            let body = Array(event.body.utf8)
            let headers = HTTPHeaders([])
            let head = RequestHead(
                method: "POST", path: "/simulate", contentType: "application/json", contentLength: body.count,
                headers: headers)
            sent += 1
            guard
                case .store(var delivery) = pipeline.process(
                    WebhookRequest(head: head, body: body, receivedAt: event.time))
            else { return }
            delivery.dedupeKey = "sim:\(seed):\(event.id)"
            batch.append(delivery)
            if batch.count >= 500 { try flush() }
        }
        try flush()
        let seconds = Double(SystemClock.monotonicMicros() - started) / 1_000_000
        print(
            "simulated \(sent) deliveries over \(days) days into webhook \(configured.name): \(stored) new, in \(Int(seconds)) s"
        )
        let maintenance = PostgresMaintenance(
            conninfo: url,
            retention: .init(days: config.maintenance.retentionDays, dedupeDays: config.maintenance.dedupeDays),
            logger: logger)
        print("maintenance: " + MaintainCommand.describe(try maintenance.run()))
    }
}
