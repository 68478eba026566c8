/// The built-in handlers, as data: one list per event family of shared/wink/events.tsv. Adding metrics
/// for a key is an entry in its family's list; a key of no list gets `CountHandler` (one `event.count`).
/// Field names follow `BookingLightweight` (shared/wink/booking.md); shapes outside bookings are
/// assumed (fixtures under Tests/WebhookCoreTests/Fixtures/families) and read tolerantly.
public enum HandlerRegistry {
    /// Every built-in handler, all families.
    public static let builtIn: [any EventHandler] =
        booking + bookingContract + payment + payee + ledger + inventory + channelManager + specialRate + property
        + salesChannel + managingEntity + account + email

    /// The router over the built-in handlers, with `CountHandler` for every other key.
    /// - Throws: `RoutingError` when a key is claimed twice or is not in the catalog.
    public static func router() throws(RoutingError) -> EventRouter {
        try EventRouter(handlers: builtIn, fallback: CountHandler())
    }

    /// One handler counting each of `keys` under `metric`.
    static func counting(_ metric: String, _ keys: [String]) -> MetricHandler {
        MetricHandler(keys, skipsTestTraffic: false, rules: [.count(metric)])
    }
}
