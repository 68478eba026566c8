/// TripPay payments (`internal.payment.succeeded`, `internal.payment.failed`): count and amount.
public struct PaymentHandler: EventHandler {
    private let key: EventKey
    private let metricPrefix: String

    /// Creates a handler for one payment key, emitting `<prefix>.count` and `<prefix>.amount`.
    public init(key: String, metricPrefix: String) {
        self.key = EventKey(canonical: key)
        self.metricPrefix = metricPrefix
    }

    public var keys: [EventKey] { [key] }

    public func points(for event: Event) -> [MetricPoint] {
        let payment = BookingMetrics(event: event)
        guard !payment.isTest else { return [] }
        return [payment.count("\(metricPrefix).count"), payment.money("\(metricPrefix).amount", "amount")]
            .compactMap { $0 }
    }
}
