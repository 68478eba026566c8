import FastCGITransport
import Glibc
import Logging
import PostgresStore
import Scoreboard
import Spool
import WebhookCore
import WinkhookConfig

/// Wiring: configuration → pipeline → store → request processor. Everything testable is in libraries.
enum App {
    /// Builds the request processor for a worker or a CGI process.
    /// `oneRequest` (CGI): the connection serves one statement, so it is sent unnamed (no separate
    /// prepare), and partitions are made ahead once an hour across processes, not on every connection.
    static func buildProcessor(_ configuration: WinkhookConfiguration, logger: Logger, oneRequest: Bool = false)
        throws -> (RequestProcessor, PostgresEventStore)
    {
        let pipeline = try WebhookPipeline(
            webhooks: configuration.webhooks, settings: configuration.settings, router: HandlerRegistry.router())
        var options = storeOptions(configuration)
        if oneRequest {
            options.preparedStatements = false
            // The spool's folder is winkhook's own writable place (the drainer reads only *.spool there).
            mkdir(configuration.spoolPath, 0o700)
            options.partitionStamp = configuration.spoolPath + "/.partitions-checked"
            options.utcSession = false
        }
        let store = PostgresEventStore(conninfo: configuration.databaseURL, logger: logger, options: options)
        let spool = SpoolWriter(directory: configuration.spoolPath, maxBytes: configuration.spoolMaxBytes)
        let front: any EventStore
        switch configuration.acknowledge {
        case .commit:
            // While PostgreSQL is unavailable, deliveries are made durable in the spool and acknowledged.
            front = SpoolingEventStore(inner: store, spool: spool)
        case .spool:
            front = SpoolingEventStore(inner: store, spool: spool, use: .always)
        }
        return (RequestProcessor(service: WebhookService(pipeline: pipeline, store: front), logger: logger), store)
    }

    /// The worker's part in `serve`'s scoreboard, and the status pages of `[status]`.
    static func scoring(_ configuration: WinkhookConfiguration, environment: [String: String]) -> WorkerScoring? {
        let status = configuration.status
        let pages =
            status.enabled
            ? WorkerScoring.Pages(
                ping: status.pingPath, status: status.statusPath, metrics: status.metricsPath,
                allowFrom: status.allowFrom) : nil
        let spoolPath = configuration.spoolPath
        return WorkerScoring(
            environment: environment, webhooks: configuration.webhooks.map(\.name), pages: pages,
            slowMilliseconds: status.slowMilliseconds,
            spool: {
                let glance = SpoolStatus.glance(spoolPath)
                let lag = glance.oldest.map { (RequestProcessor.now().microseconds - $0.microseconds) / 1_000_000 }
                return StatusPage.Spool(
                    segments: glance.segments, bytes: glance.bytes, lagSeconds: Int(max(lag ?? 0, 0)))
            })
    }

    /// The store's settings from `[server] deadline` and `[database] prepared_statements`.
    static func storeOptions(_ configuration: WinkhookConfiguration) -> PostgresEventStore.Options {
        PostgresEventStore.Options(
            deadlineSeconds: configuration.deadlineSeconds, preparedStatements: configuration.preparedStatements)
    }

    /// The drainer's: a batch's own deadline, counted from the write (spooled deliveries may be old).
    static func drainerStoreOptions(_ configuration: WinkhookConfiguration) -> PostgresEventStore.Options {
        PostgresEventStore.Options(
            deadlineSeconds: PostgresEventStore.batchDeadlineSeconds,
            preparedStatements: configuration.preparedStatements, deadlineFromReceipt: false)
    }

    /// Worker mode. Arguments (optional): `--config PATH`, `--max-requests N`.
    static func runWorker(listenDescriptor: Int32, arguments: [String], environment: [String: String], logger: Logger)
        -> Int32
    {
        var explicitConfig: String?
        var maxRequests = 0
        var rest = arguments.dropFirst()[...]
        while let flag = rest.popFirst() {
            switch flag {
            case "--config": explicitConfig = rest.popFirst()
            case "--max-requests": maxRequests = rest.popFirst().flatMap { Int($0) } ?? 0
            default: logger.warning("worker: ignoring argument \(flag)")
            }
        }
        let path = ConfigurationLoader.locate(explicit: explicitConfig, environment: environment)
        let configuration: WinkhookConfiguration
        do {
            configuration = try ConfigurationLoader.load(path: path, environment: environment)
        } catch {
            logger.critical("worker cannot start: \(error)")
            return 78  // EX_CONFIG
        }
        let supervised = environment["WINKHOOK_SUPERVISED"].flatMap { Int32($0) }
        if supervised == nil {
            for warning in configuration.warnings { logger.warning("configuration: \(warning)") }
            for problem in configuration.problems { logger.error("configuration: \(problem)") }
        }
        do {
            let (processor, store) = try buildProcessor(configuration, logger: logger)
            // In spool mode the request path needs PostgreSQL only for refused bodies: connect when one comes.
            do {
                if configuration.acknowledge == .commit { try store.connect() }
            } catch {
                logger.warning(
                    "PostgreSQL is not reachable yet; deliveries are spooled until it is (winkhook drain)",
                    metadata: ["error": "\(error.debugDescription)"])
            }
            if let supervised { WorkerShutdown.watchSupervisor(descriptor: supervised) }
            return FastCGIWorker(
                listenDescriptor: listenDescriptor, processor: processor, logger: logger, maxRequests: maxRequests,
                scoring: scoring(configuration, environment: environment), groupLimit: configuration.groupLimit
            ).run()
        } catch {
            logger.critical("worker cannot start: \(error)")
            return 78
        }
    }

    /// CGI mode: one request, then exit. A configuration that cannot be read answers 500 (and logs why).
    static func runCGI(environment: [String: String], logger: Logger) -> Int32 {
        let path = ConfigurationLoader.locate(explicit: nil, environment: environment)
        do {
            let configuration = try ConfigurationLoader.load(path: path, environment: environment)
            for problem in configuration.problems { logger.error("configuration: \(problem)") }
            let (processor, _) = try buildProcessor(configuration, logger: logger, oneRequest: true)
            return CGIResponder(processor: processor).run()
        } catch {
            logger.critical("CGI request refused: configuration unusable: \(error)")
            let response = WebhookResponse(status: 500, body: #"{"ok":false,"error":"server_misconfigured"}"#)
            return CGIResponder.answer(response)
        }
    }
}
