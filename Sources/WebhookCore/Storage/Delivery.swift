/// An authenticated delivery ready to be stored: the raw archive row, its de-duplication key and the
/// time-series points its handler produced.
public struct Delivery: Sendable {
    /// Whether the webhook subscribes to the event.
    public enum Disposition: String, Sendable {
        /// Handled: points were produced (possibly none).
        case stored
        /// Not in the webhook's `events`: archived, no points.
        case ignored
    }

    /// Webhook name (the de-duplication scope).
    public var webhook: String
    /// The idempotency key within the webhook.
    public var dedupeKey: String
    /// The canonical event key (`unknown` when none was found).
    public var eventKey: EventKey
    /// The key as the sender spelled it, before aliasing.
    public var sentKey: String?
    /// Stored or ignored.
    public var disposition: Disposition
    /// Receipt time.
    public var receivedAt: Timestamp
    /// Request headers, minus credentials and signatures, as a JSON object.
    /// Text that is not a JSON object (only a spool record written so could hold it) reads as an object
    /// keeping that text whole under `winkhook-unparsed`, so nothing of it is dropped.
    public var headers: JSONValue {
        get {
            if let parsed = try? JSONParser.parse(Array(headersJSON.utf8)), case .object = parsed { return parsed }
            return .object(["winkhook-unparsed": .string(headersJSON)])
        }
        set { headersJSON = newValue.jsonText }
    }
    /// `headers` as JSON text, made once: what the spool and the database keep. A drained delivery
    /// carries it as read from its record, neither parsed nor written again.
    public var headersJSON: String
    /// The raw body (valid JSON, an object).
    public var body: [UInt8]
    /// SHA-256 of the body, hex.
    public var bodySHA256: String
    /// Handler output.
    public var points: [MetricPoint]
    /// The event's dimensions: the one source for all of its points (its row has a column for each).
    public var dimensions: EventDimensions
    /// The booking's state when the event is about a booking (for the ledger).
    public var booking: BookingState?

    /// Creates a delivery.
    public init(
        webhook: String, dedupeKey: String, eventKey: EventKey, sentKey: String?, disposition: Disposition,
        receivedAt: Timestamp, headers: JSONValue, body: [UInt8], bodySHA256: String, points: [MetricPoint],
        dimensions: EventDimensions = EventDimensions(), booking: BookingState? = nil
    ) {
        self.init(
            webhook: webhook, dedupeKey: dedupeKey, eventKey: eventKey, sentKey: sentKey, disposition: disposition,
            receivedAt: receivedAt, headersJSON: headers.jsonText, body: body, bodySHA256: bodySHA256,
            points: points, dimensions: dimensions, booking: booking)
    }

    /// Creates a delivery whose headers are JSON text already (a spool record's). Inlinable: built in
    /// place by its callers in other modules (the drain's decoder), not copied out of a call.
    @inlinable public init(
        webhook: String, dedupeKey: String, eventKey: EventKey, sentKey: String?, disposition: Disposition,
        receivedAt: Timestamp, headersJSON: String, body: [UInt8], bodySHA256: String, points: [MetricPoint],
        dimensions: EventDimensions = EventDimensions(), booking: BookingState? = nil
    ) {
        self.webhook = webhook
        self.dedupeKey = dedupeKey
        self.eventKey = eventKey
        self.sentKey = sentKey
        self.disposition = disposition
        self.receivedAt = receivedAt
        self.headersJSON = headersJSON
        self.body = body
        self.bodySHA256 = bodySHA256
        self.points = points
        self.dimensions = dimensions
        self.booking = booking
    }

    /// Whether anything besides the archive is written: points, dimensions or a booking state.
    public var hasDerivedValues: Bool {
        !points.isEmpty || booking != nil || dimensions != EventDimensions()
    }

    /// The delivery as archive only: what is kept when the database refuses a derived value (a number
    /// or date out of its range) so that the delivery itself is not lost.
    public var archiveOnly: Delivery {
        var bare = self
        bare.points = []
        bare.booking = nil
        bare.dimensions = EventDimensions()
        return bare
    }

    /// When the event happened, for the time series: the sender's time (`dimensions.occurredAt`) when it
    /// lies within 30 days before receipt and at most an hour after it (clock skew), else receipt. A body
    /// cannot move its event into another month or the future.
    public var eventTime: Timestamp {
        guard let occurred = dimensions.occurredAt else { return receivedAt }
        let earliest = receivedAt.microseconds - 30 * 86_400 * 1_000_000
        let latest = receivedAt.microseconds + 3_600 * 1_000_000
        return (earliest...latest).contains(occurred.microseconds) ? occurred : receivedAt
    }
}
