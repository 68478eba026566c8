/// One metric a handler reads from an event's `data`: the vocabulary of `MetricHandler`. Every rule may
/// carry a condition; a rule whose value is absent, not a number, or whose condition fails yields no point.
public struct MetricRule: Sendable {
    enum Reading: Sendable {
        case one
        case number([JSONPath])
        case money([JSONPath])
        case days(from: JSONPath, to: JSONPath)
    }

    /// The metric name, e.g. `booking.room_nights`.
    public let metric: String
    let reading: Reading
    let condition: Condition?

    /// Value 1, e.g. `booking.count`.
    public static func count(_ metric: String, when condition: Condition? = nil) -> MetricRule {
        MetricRule(metric: metric, reading: .one, condition: condition)
    }

    /// A plain number; the first of `paths` that holds one wins.
    public static func number(_ metric: String, at paths: JSONPath..., when condition: Condition? = nil) -> MetricRule {
        MetricRule(metric: metric, reading: .number(paths), condition: condition)
    }

    /// A `{amount, currency}` object (Wink's `CustomMonetaryAmount`); the first of `paths` that holds an
    /// amount wins, and the point carries its currency.
    public static func money(_ metric: String, at paths: JSONPath..., when condition: Condition? = nil) -> MetricRule {
        MetricRule(metric: metric, reading: .money(paths), condition: condition)
    }

    /// Whole days from the date at `from` to the date at `to` (dates or date-times; the date part counts),
    /// e.g. lead time from booking to check-in. Negative spans are no value.
    public static func days(_ metric: String, from: JSONPath, to: JSONPath, when condition: Condition? = nil)
        -> MetricRule
    {
        MetricRule(metric: metric, reading: .days(from: from, to: to), condition: condition)
    }

    /// The paths into `data` it reads (a money path's object is read whole: amount and currency).
    public var paths: [JSONPath] {
        let read: [JSONPath]
        switch reading {
        case .one: read = []
        case .number(let paths), .money(let paths): read = paths
        case .days(let from, let to): read = [from, to]
        }
        return read + (condition?.paths ?? [])
    }

    /// The point this rule yields for `event`, if its value is there.
    func point(for event: Event) -> MetricPoint? {
        let data = event.data
        if let condition, !condition.holds(for: data) { return nil }
        switch reading {
        case .one:
            return MetricPoint(metric: metric, value: .one)
        case .number(let paths):
            for path in paths {
                guard let number = DecimalText(path.value(in: data)) else { continue }
                return MetricPoint(metric: metric, value: number)
            }
            return nil
        case .money(let paths):
            for path in paths {
                guard let money = path.value(in: data), let amount = DecimalText(money["amount"]) else { continue }
                let currency = money["currency"]?.stringValue.flatMap(MetricRule.currencyCode)
                return MetricPoint(metric: metric, value: amount, currency: currency)
            }
            return nil
        case .days(let from, let to):
            guard let start = CalendarDay(from.value(in: data)), let end = CalendarDay(to.value(in: data)),
                end.number >= start.number
            else { return nil }
            return MetricPoint(
                metric: metric, value: DecimalText(trusted: String(end.number - start.number)))
        }
    }

    /// A currency code as given when it looks like one (ISO 4217: three letters), upper-cased; else none.
    static func currencyCode(_ text: String) -> String? {
        guard text.utf8.count == 3, text.utf8.allSatisfy({ ($0 | 0x20) >= 97 && ($0 | 0x20) <= 122 }) else {
            return nil
        }
        return text.uppercased()
    }
}
