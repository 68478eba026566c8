/// The built-in handlers, as data. Adding metrics for another event key is one entry in this list;
/// keys without an entry get `CountHandler` (one `event.count` point). Field names follow
/// `BookingLightweight` (shared/wink/booking.md).
public enum HandlerRegistry {
    /// Handlers with real metrics.
    public static let builtIn: [any EventHandler] = [
        MetricHandler(
            ["booking.create"],
            rules: [
                .count("booking.count"),
                .number("booking.room_nights", path: ["roomStay", "roomNights"]),
                .number("booking.guests", path: ["roomStay", "guests"]),
                .money("booking.gross_amount", fields: ["grossSourceAmount", "amount"]),
                .money("booking.net_amount", fields: ["netSourceAmount"]),
                .money("booking.fees_amount", fields: ["netTotalFeesAndCommissionsSourceAmount"]),
            ]),
        MetricHandler(
            ["booking.cancelled"],
            rules: [
                .count("booking.cancelled.count"),
                .number("booking.cancelled.room_nights", path: ["roomStay", "roomNights"]),
                .money("booking.cancelled.gross_amount", fields: ["grossSourceAmount", "amount"]),
            ]),
        MetricHandler(
            ["internal.payment.succeeded"],
            rules: [.count("payment.succeeded.count"), .money("payment.succeeded.amount", fields: ["amount"])]),
        MetricHandler(
            ["internal.payment.failed"],
            rules: [.count("payment.failed.count"), .money("payment.failed.amount", fields: ["amount"])]),
    ]

    /// The router over the built-in handlers, with `CountHandler` for every other key.
    public static func router() throws(RoutingError) -> EventRouter {
        try EventRouter(handlers: builtIn, fallback: CountHandler())
    }
}
