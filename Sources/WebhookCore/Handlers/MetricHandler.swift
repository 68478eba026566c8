/// A handler described as data: the keys it serves and the metrics it reads. Most handlers are one of
/// these, declared in `HandlerRegistry`; a handler that needs code conforms to `EventHandler` itself.
public struct MetricHandler: EventHandler {
    public let declaredKeys: [String]
    /// The metrics, in order; a rule whose field is absent yields no point.
    public let rules: [MetricRule]
    /// Whether test traffic (`creation = TEST`, `TEST_…` statuses, the `TEST` payment vendor) is archived
    /// without points, as shared/wink/booking.md asks for analytics.
    public let skipsTestTraffic: Bool
    /// Whether the event's `data` is a booking whose state the ledger keeps.
    public let readsBookingState: Bool

    /// Creates a handler for `keys` (canonical spellings or aliases); `EventRouter` refuses a key that is
    /// not in the catalog.
    public init(_ keys: [String], skipsTestTraffic: Bool = true, bookingState: Bool = false, rules: [MetricRule]) {
        self.declaredKeys = keys
        self.rules = rules
        self.skipsTestTraffic = skipsTestTraffic
        self.readsBookingState = bookingState
    }

    public var keys: [EventKey] { declaredKeys.compactMap { EventKey($0) } }

    /// Its rules' paths, the test-traffic markers and, for a booking, what the ledger reads.
    public var reads: [JSONPath]? {
        rules.flatMap(\.paths) + (skipsTestTraffic ? MetricHandler.testTrafficReads : [])
            + (readsBookingState ? BookingState.reads : [])
    }

    static let testTrafficReads: [JSONPath] = ["creation", "bookingStatus", "paymentVendor"]

    public func points(for event: Event) -> [MetricPoint] {
        if skipsTestTraffic, MetricHandler.isTestTraffic(event.data) { return [] }
        var points = rules.compactMap { $0.point(for: event) }
        // Counts and numbers of an event with money carry its currency too, so that per-currency questions
        // (ADR: revenue ÷ room nights) divide like by like. Money of another currency keeps its own.
        if let currency = points.lazy.compactMap(\.currency).first {
            for index in points.indices where points[index].currency == nil { points[index].currency = currency }
        }
        return points
    }

    public func bookingState(for event: Event) -> BookingState? {
        guard readsBookingState, !(skipsTestTraffic && MetricHandler.isTestTraffic(event.data)) else { return nil }
        return BookingState(bookingData: event.data)
    }

    static func isTestTraffic(_ data: JSONValue) -> Bool {
        data["creation"]?.stringValue == "TEST" || data["bookingStatus"]?.stringValue?.hasPrefix("TEST_") == true
            || data["paymentVendor"]?.stringValue == "TEST"
    }
}
