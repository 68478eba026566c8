/// `booking.cancelled`: count, room nights and gross amount lost.
public struct BookingCancelledHandler: EventHandler {
    public var keys: [EventKey] { [EventKey(canonical: "booking.cancelled")] }

    /// Creates the handler.
    public init() {}

    public func points(for event: Event) -> [MetricPoint] {
        let booking = BookingMetrics(event: event)
        guard !booking.isTest else { return [] }
        return [
            booking.count("booking.cancelled.count"),
            booking.number("booking.cancelled.room_nights", "roomStay", "roomNights"),
            booking.money("booking.cancelled.gross_amount", "grossSourceAmount"),
        ].compactMap { $0 }
    }
}
