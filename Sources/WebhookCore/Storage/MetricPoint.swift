/// One measurement of a delivery: a metric and its exact value (in a currency, for money).
public struct MetricPoint: Sendable, Equatable {
    /// Metric name, e.g. `booking.gross_amount`.
    public var metric: String
    /// The value as exact decimal text.
    public var value: DecimalText
    /// Currency of a money value (ISO 4217), else `nil`.
    public var currency: String?

    /// Creates a point. Its dimensions are its delivery's (`Delivery.dimensions`), stored once per row:
    /// a copy in every point cost more to make and free than the points themselves.
    public init(metric: String, value: DecimalText, currency: String? = nil) {
        self.metric = metric
        self.value = value
        self.currency = currency
    }
}
