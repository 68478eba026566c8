import Clocks
import Logging
import WebhookCore

/// Turns transport-neutral request parts into a response through the `WebhookService`, and writes the
/// one log line every request gets (status, webhook, cause, duration). Used by FastCGI and CGI alike.
public struct RequestProcessor {
    /// The pipeline and store.
    public let service: WebhookService
    /// Where request lines go.
    public let logger: Logger

    /// Creates a processor.
    public init(service: WebhookService, logger: Logger) {
        self.service = service
        self.logger = logger
    }

    /// Handles one request and returns its outcome (the response, and the cause already logged).
    /// - Parameters:
    ///   - parameters: CGI/FastCGI parameters, copied out of the transport.
    ///   - readBody: reads at most `n` bytes of body; called at most once, and only if the pipeline needs it.
    ///   - discardBody: called instead of `readBody` when the answer is decided without the body.
    public func respond(
        parameters: [(String, String)], readBody: (Int) -> [UInt8], discardBody: (Int?) -> Void
    ) -> Outcome {
        var decided = [decide(parameters: parameters, readBody: readBody, discardBody: discardBody)]
        store(&decided)
        log(decided[0])
        return decided[0].outcome
    }

    /// A request taken as far as its store, before its log line is written: a transport that serves
    /// several requests together stores their deliveries in one go (`store`), then logs and answers each.
    public struct Decided {
        /// The answer (final once `pending` is `nil`).
        public var outcome: Outcome
        /// The delivery still to store.
        public var pending: Delivery?
        let head: RequestHead?
        /// When it was taken: the wall clock (the sender's timestamp is checked against it) and the
        /// monotonic one, µs (its duration, which a step of the wall clock must not change).
        let started: Timestamp
        let clock: Int64
    }

    /// Stores the pending deliveries of `group` together (`WebhookService.storeGroup`) and fills in
    /// their outcomes.
    public func store(_ group: inout [Decided]) {
        let waiting = group.indices.filter { group[$0].pending != nil }
        guard !waiting.isEmpty else { return }
        // Moved out, not copied: each `pending` is left `nil` here (its outcome is set below).
        let outcomes = service.storeGroup(waiting.compactMap { group[$0].pending.take() })
        for (index, outcome) in zip(waiting, outcomes) { group[index].outcome = outcome }
    }

    /// `decided` with `outcome` instead, and nothing left to store.
    public func replaced(_ decided: Decided, with outcome: Outcome) -> Decided {
        Decided(outcome: outcome, pending: nil, head: decided.head, started: decided.started, clock: decided.clock)
    }

    /// What a decision waiting for its store says until `store` replaces it: never an acknowledgement.
    static let notStored = Outcome(
        WebhookResponse(status: 500, body: #"{"ok":false,"error":"not_stored"}"#), webhook: nil, "not stored",
        severity: .error)

    /// `respond` up to the store and without the log line: `store` and `log` do the rest.
    public func decide(
        parameters: [(String, String)], readBody: (Int) -> [UInt8], discardBody: (Int?) -> Void
    ) -> Decided {
        let started = RequestProcessor.now()
        let clock = SystemClock.monotonicMicros()
        guard let head = RequestHead(cgiParameters: parameters) else {
            discardBody(nil)
            let outcome = Outcome(
                WebhookResponse(status: 400, body: #"{"ok":false,"error":"invalid_content_length"}"#),
                webhook: nil, "request refused: CONTENT_LENGTH is not a decimal number", severity: .warning)
            return Decided(outcome: outcome, pending: nil, head: nil, started: started, clock: clock)
        }
        switch service.preflight(head, now: started) {
        case .respond(let early):
            discardBody(head.contentLength)
            return Decided(outcome: early, pending: nil, head: head, started: started, clock: clock)
        case .readBody(let limit):
            let wanted = min(head.contentLength ?? (limit + 1), limit + 1)
            let body = readBody(wanted)
            switch service.prepare(WebhookRequest(head: head, body: body, receivedAt: RequestProcessor.now())) {
            case .answered(let outcome):
                return Decided(outcome: outcome, pending: nil, head: head, started: started, clock: clock)
            case .store(let delivery):
                // Replaced by `store`; never an acknowledgement until then.
                return Decided(
                    outcome: RequestProcessor.notStored, pending: delivery, head: head, started: started, clock: clock)
            }
        }
    }

    /// One line per request. Everything that came from the request is escaped and capped (`LogText`),
    /// and a URL token in the path is masked.
    public func log(_ decided: Decided) {
        let outcome = decided.outcome
        guard let head = decided.head else {
            logger.warning("\(outcome.message)", metadata: ["status": .string(String(outcome.response.status))])
            return
        }
        let elapsed = RequestProcessor.milliseconds(SystemClock.monotonicMicros() - decided.clock)
        // `.string` values, not interpolations: each interpolation copied its text once more.
        var metadata: Logger.Metadata = [
            "status": .string(String(outcome.response.status)), "method": .string(LogText.safe(head.method, limit: 16)),
            "path": .string(LogText.safe(service.pipeline.loggablePath(head.path), limit: 200)),
            "ms": .string(elapsed),
        ]
        if let webhook = outcome.webhook { metadata["webhook"] = .string(LogText.safe(webhook, limit: 100)) }
        let message = LogText.safe(outcome.message, limit: 1000)
        switch outcome.severity {
        case .info: logger.info(Logger.Message(stringLiteral: message), metadata: metadata, source: Self.source)
        case .warning: logger.warning(Logger.Message(stringLiteral: message), metadata: metadata, source: Self.source)
        case .error: logger.error(Logger.Message(stringLiteral: message), metadata: metadata, source: Self.source)
        }
    }

    /// The module the request lines name, given rather than derived from `#fileID` on every line.
    static let source = "FastCGITransport"

    /// `micros` as milliseconds rounded to hundredths, written as `Double` would write them ("1.25",
    /// "0.5", "3.0") without formatting a floating-point number on every request.
    static func milliseconds(_ micros: Int64) -> String {
        let hundredths = (max(micros, 0) + 5) / 10
        let whole = hundredths / 100
        let fraction = hundredths % 100
        if fraction % 10 == 0 { return "\(whole).\(fraction / 10)" }
        return fraction < 10 ? "\(whole).0\(fraction)" : "\(whole).\(fraction)"
    }

    /// The wall clock, for receipt times.
    public static func now() -> Timestamp { Timestamp(microseconds: SystemClock.wallMicros()) }
}
