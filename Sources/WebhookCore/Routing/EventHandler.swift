/// Turns one kind of event into time-series points. Handlers are pure: same event, same points.
public protocol EventHandler: Sendable {
    /// The canonical keys this handler serves. Each key may have one handler only.
    var keys: [EventKey] { get }

    /// The points for `event`; an empty list is fine (e.g. a test booking).
    func points(for event: Event) -> [MetricPoint]
}
