/// Reading booking fields (`BookingLightweight`, see shared/wink/booking.md) into points.
struct BookingMetrics {
    let event: Event

    /// Test bookings (`creation = TEST`, or a `TEST_` status) are archived but kept out of analytics.
    var isTest: Bool {
        let data = event.data
        return data["creation"]?.stringValue == "TEST" || data["bookingStatus"]?.stringValue?.hasPrefix("TEST_") == true
            || data["paymentVendor"]?.stringValue == "TEST"
    }

    /// A count point.
    func count(_ metric: String) -> MetricPoint {
        MetricPoint(metric: metric, value: .one, dimensions: event.dimensions)
    }

    /// A plain number at `path` inside `data`, if present.
    func number(_ metric: String, _ path: String...) -> MetricPoint? {
        var value: JSONValue? = event.data
        for key in path { value = value?[key] }
        guard let number = DecimalText(value) else { return nil }
        return MetricPoint(metric: metric, value: number, dimensions: event.dimensions)
    }

    /// A money point from `{amount, currency}` at `field` inside `data`, if present.
    func money(_ metric: String, _ field: String) -> MetricPoint? {
        let data = event.data
        guard let amount = DecimalText(data[field, "amount"]) else { return nil }
        let currency = data[field, "currency"]?.stringValue
        return MetricPoint(metric: metric, value: amount, currency: currency, dimensions: event.dimensions)
    }
}
