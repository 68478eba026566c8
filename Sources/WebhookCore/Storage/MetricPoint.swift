/// One row of the time-series table: a metric value at a time, with its dimensions.
public struct MetricPoint: Sendable, Equatable {
    /// Metric name, e.g. `booking.gross_amount`.
    public var metric: String
    /// The value as exact decimal text.
    public var value: DecimalText
    /// Currency of a money value (ISO 4217), else `nil`.
    public var currency: String?
    /// Managing entity uuid.
    public var entity: String?
    /// Property (hotel) uuid.
    public var property: String?
    /// Sales channel (`customization.id`).
    public var channel: String?
    /// Booking uuid.
    public var bookingID: String?
    /// When the event happened by the sender's clock, if the body says.
    public var occurredAt: Timestamp?

    /// Creates a point.
    public init(metric: String, value: DecimalText, currency: String? = nil, dimensions: EventDimensions) {
        self.metric = metric
        self.value = value
        self.currency = currency
        self.entity = dimensions.entity
        self.property = dimensions.property
        self.channel = dimensions.channel
        self.bookingID = dimensions.bookingID
        self.occurredAt = dimensions.occurredAt
    }
}

extension EventDimensions {
    /// The dimensions a point carries.
    public init(of point: MetricPoint) {
        self.init(
            entity: point.entity, property: point.property, channel: point.channel, bookingID: point.bookingID,
            occurredAt: point.occurredAt)
    }
}
