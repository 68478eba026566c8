/// Turns one kind of event into time-series points. Handlers are pure: same event, same points.
public protocol EventHandler: Sendable {
    /// The canonical keys this handler serves. Each key may have one handler only.
    var keys: [EventKey] { get }

    /// The keys as the handler's author wrote them; `EventRouter` checks each is a cataloged key.
    var declaredKeys: [String] { get }

    /// The paths into the event's `data` that `points(for:)` and `bookingState(for:)` read, so that the
    /// pipeline builds only those of a body (`JSONProjection`); `nil` (the default) reads the whole body.
    /// A path missing here reads as absent: declare every one.
    var reads: [JSONPath]? { get }

    /// The points for `event`; an empty list is fine (e.g. a test booking).
    func points(for event: Event) -> [MetricPoint]

    /// The booking's state for the ledger, when `event` is about a booking (default: none).
    func bookingState(for event: Event) -> BookingState?
}

extension EventHandler {
    public var declaredKeys: [String] { keys.map(\.rawValue) }

    public func bookingState(for event: Event) -> BookingState? { nil }

    public var reads: [JSONPath]? { nil }
}
