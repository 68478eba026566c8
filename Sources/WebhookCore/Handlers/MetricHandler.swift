/// A handler described as data: the keys it serves and the metrics it reads. Most handlers are one of
/// these, declared in `HandlerRegistry`; a handler that needs code conforms to `EventHandler` itself.
public struct MetricHandler: EventHandler {
    public let keys: [EventKey]
    /// The metrics, in order; a rule whose field is absent yields no point.
    public let rules: [MetricRule]
    /// Whether test traffic (`creation = TEST`, `TEST_…` statuses, the `TEST` payment vendor) is archived
    /// without points, as shared/wink/booking.md asks for analytics.
    public let skipsTestTraffic: Bool

    /// Creates a handler for `keys` (canonical spellings or aliases).
    public init(_ keys: [String], skipsTestTraffic: Bool = true, rules: [MetricRule]) {
        self.keys = keys.compactMap { EventKey($0) }
        self.rules = rules
        self.skipsTestTraffic = skipsTestTraffic
    }

    public func points(for event: Event) -> [MetricPoint] {
        if skipsTestTraffic, MetricHandler.isTestTraffic(event.data) { return [] }
        return rules.compactMap { $0.point(for: event) }
    }

    static func isTestTraffic(_ data: JSONValue) -> Bool {
        data["creation"]?.stringValue == "TEST" || data["bookingStatus"]?.stringValue?.hasPrefix("TEST_") == true
            || data["paymentVendor"]?.stringValue == "TEST"
    }
}
