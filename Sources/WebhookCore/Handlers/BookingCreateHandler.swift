/// `booking.create` (also sent as `booking.created`): count, room nights, guests, gross and net amounts.
public struct BookingCreateHandler: EventHandler {
    public var keys: [EventKey] { [EventKey(canonical: "booking.create")] }

    /// Creates the handler.
    public init() {}

    public func points(for event: Event) -> [MetricPoint] {
        let booking = BookingMetrics(event: event)
        guard !booking.isTest else { return [] }
        let amounts = [
            booking.money("booking.gross_amount", "grossSourceAmount")
                ?? booking.money("booking.gross_amount", "amount"),
            booking.money("booking.net_amount", "netSourceAmount"),
            booking.money("booking.fees_amount", "netTotalFeesAndCommissionsSourceAmount"),
        ]
        return [booking.count("booking.count")]
            + [
                booking.number("booking.room_nights", "roomStay", "roomNights"),
                booking.number("booking.guests", "roomStay", "guests"),
            ].compactMap { $0 }
            + amounts.compactMap { $0 }
    }
}
