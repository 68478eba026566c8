/// Every key without a handler of its own: one `event.count` point under the event's key.
public struct CountHandler: EventHandler {
    public var keys: [EventKey] { [] }

    /// Creates the handler.
    public init() {}

    /// Nothing of the body: the dimensions are read for every event anyway.
    public var reads: [JSONPath]? { [] }

    public func points(for event: Event) -> [MetricPoint] {
        [MetricPoint(metric: "event.count", value: .one)]
    }
}
