/// One metric a handler reads from an event's `data`: the vocabulary of `MetricHandler`.
public enum MetricRule: Sendable {
    /// Value 1, e.g. `booking.count`.
    case count(String)
    /// A plain number at a path inside `data`, e.g. `roomStay.roomNights`.
    case number(String, path: [String])
    /// A `{amount, currency}` object inside `data`; the first of `fields` that is present wins.
    case money(String, fields: [String])

    /// The point this rule yields for `event`, if the field is present and numeric.
    func point(for event: Event) -> MetricPoint? {
        let data = event.data
        switch self {
        case .count(let metric):
            return MetricPoint(metric: metric, value: .one, dimensions: event.dimensions)
        case .number(let metric, let path):
            var value: JSONValue? = data
            for key in path { value = value?[key] }
            guard let number = DecimalText(value) else { return nil }
            return MetricPoint(metric: metric, value: number, dimensions: event.dimensions)
        case .money(let metric, let fields):
            for field in fields {
                guard let amount = DecimalText(data[field, "amount"]) else { continue }
                return MetricPoint(
                    metric: metric, value: amount, currency: data[field, "currency"]?.stringValue,
                    dimensions: event.dimensions)
            }
            return nil
        }
    }
}
