/// The pipeline joined to a store: one call per request, returning the answer and its log line.
///
/// Storage failures never become a 2xx: nothing is acknowledged before the store says it is durable.
public final class WebhookService {
    /// The pure pipeline.
    public let pipeline: WebhookPipeline
    /// Where deliveries go.
    public let store: any EventStore

    /// Creates a service.
    public init(pipeline: WebhookPipeline, store: any EventStore) {
        self.pipeline = pipeline
        self.store = store
    }

    /// Steps that need no body; see `WebhookPipeline.preflight`.
    public func preflight(_ head: RequestHead, now: Timestamp) -> Preflight {
        pipeline.preflight(head, now: now)
    }

    /// Handles a request whose body has been read.
    public func handle(_ request: WebhookRequest) -> Outcome {
        switch prepare(request) {
        case .answered(let outcome): return outcome
        case .store(let delivery): return store(delivery)
        }
    }

    /// A request taken as far as its store: answered already, or a delivery to store.
    public enum Prepared {
        case answered(Outcome)
        case store(Delivery)
    }

    /// `handle` up to the store, so a transport can store several requests' deliveries together
    /// (`storeGroup`); a body kept as rejected is written here.
    public func prepare(_ request: WebhookRequest) -> Prepared {
        switch pipeline.process(request) {
        case .respond(let outcome):
            return .answered(outcome)
        case .reject(let rejected, let outcome):
            do {
                try store.recordRejected(rejected)
                return .answered(outcome)
            } catch {
                return .answered(
                    unavailable(rejected.webhook, error, "could not keep a rejected body (\(rejected.reason))"))
            }
        case .store(let delivery):
            return .store(delivery)
        }
    }

    /// Stores several requests' deliveries in one go (`recordBatch`: one PostgreSQL transaction, or one
    /// spool flush) and returns each one's outcome, in order. Each is acknowledged only by that one
    /// write. When the group as a whole fails, each delivery is stored on its own, as `handle` would:
    /// one the database refuses does not cost the others.
    public func storeGroup(_ deliveries: [Delivery]) -> [Outcome] {
        guard deliveries.count > 1 else { return deliveries.map { store($0) } }
        do {
            let results = try store.recordBatch(deliveries)
            return zip(deliveries, results).map { outcome(of: $0, $1) }
        } catch {
            return deliveries.map { store($0) }
        }
    }

    private func store(_ delivery: Delivery) -> Outcome {
        let what = "\(delivery.eventKey) (\(delivery.dedupeKey.prefix(80)))"
        do {
            return outcome(of: delivery, try store.record(delivery))
        } catch  where error.code == .invalidData && delivery.hasDerivedValues {
            // A derived value the database refuses (a date or number out of its range) must not cost the
            // delivery: keep the archive row without points.
            let outcome = store(delivery.archiveOnly)
            guard outcome.response.status == 200 else { return outcome }
            return Outcome(
                outcome.response, webhook: delivery.webhook,
                "\(outcome.message); its points were dropped: the database refused them (\(error.detail))",
                severity: .warning)
        } catch  where error.code == .invalidData {
            let rejected = RejectedDelivery(refused: delivery, reason: "the database refused the body: \(error.detail)")
            do {
                try store.recordRejected(rejected)
            } catch {
                return unavailable(delivery.webhook, error, "could not keep a refused body")
            }
            return Outcome(.badRequest, webhook: delivery.webhook, rejected.reason, severity: .warning)
        } catch {
            return unavailable(delivery.webhook, error, "could not store \(what)")
        }
    }

    /// The answer for a delivery the store took.
    private func outcome(of delivery: Delivery, _ result: RecordResult) -> Outcome {
        let what = "\(delivery.eventKey) (\(delivery.dedupeKey.prefix(80)))"
        switch result {
        case .duplicate:
            return Outcome(.ok("duplicate"), webhook: delivery.webhook, "duplicate \(what): nothing written")
        case .spooled:
            return Outcome(
                .ok("spooled"), webhook: delivery.webhook,
                "spooled \(what): PostgreSQL is unavailable; the drainer will store it", severity: .warning)
        case .accepted:
            return Outcome(.ok("accepted"), webhook: delivery.webhook, "accepted \(what): spooled for the drainer")
        case .inserted(let points):
            let result = delivery.disposition == .ignored ? "ignored" : "stored"
            let detail = delivery.disposition == .ignored ? "not subscribed; archived as ignored" : "\(points) point(s)"
            var outcome = Outcome(.ok(result), webhook: delivery.webhook, "\(result) \(what): \(detail)")
            outcome.pointsStored = points
            return outcome
        }
    }

    private func unavailable(_ webhook: String, _ error: EventStoreError, _ message: String) -> Outcome {
        Outcome(
            .unavailable(retryAfter: pipeline.settings.retryAfterSeconds, code: "storage_unavailable"),
            webhook: webhook, "\(message): \(error.debugDescription)", severity: .error)
    }
}
