/// The built-in handlers. Adding one: a file in `Handlers/` with a type conforming to `EventHandler`,
/// and its name in this list.
public enum HandlerRegistry {
    /// Handlers with real metrics.
    public static let builtIn: [any EventHandler] = [
        BookingCreateHandler(),
        BookingCancelledHandler(),
        PaymentHandler(key: "internal.payment.succeeded", metricPrefix: "payment.succeeded"),
        PaymentHandler(key: "internal.payment.failed", metricPrefix: "payment.failed"),
    ]

    /// The router over the built-in handlers, with `CountHandler` for every other key.
    public static func router() throws(RoutingError) -> EventRouter {
        try EventRouter(handlers: builtIn, fallback: CountHandler())
    }
}
