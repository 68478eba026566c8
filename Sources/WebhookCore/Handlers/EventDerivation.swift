/// What the handlers derive from one event: its dimensions, points and booking state. The pipeline
/// derives at receipt; `winkhook reprocess` derives again from the archive after a handler changed —
/// the same function, so both give the same rows.
public struct EventDerivation: Sendable, Equatable {
    public var dimensions: EventDimensions
    public var points: [MetricPoint]
    public var booking: BookingState?

    /// Derives `body` (a parsed JSON object) of event `key`; `subscribed = false` (an ignored event)
    /// keeps the dimensions only.
    public init(
        body: JSONValue, key: EventKey, webhook: String, receivedAt: Timestamp, fallbackEntity: String?,
        router: EventRouter, subscribed: Bool = true
    ) {
        dimensions = EventDimensions(body: body, key: key, fallbackEntity: fallbackEntity)
        guard subscribed else {
            points = []
            booking = nil
            return
        }
        let event = Event(key: key, body: body, webhook: webhook, receivedAt: receivedAt, dimensions: dimensions)
        let handler = router.handler(for: key)
        points = handler.points(for: event)
        booking = handler.bookingState(for: event)
    }
}
