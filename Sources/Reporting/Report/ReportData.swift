import PostgresStore
import WebhookCore

/// Everything the HTML report shows, read before rendering (so rendering is pure and testable).
public struct ReportData: Sendable {
    public var period: Period
    /// Indicators per day (and currency) over the period.
    public var daily: [Indicators]
    /// Indicators per channel and per property over the period.
    public var byChannel: [Indicators]
    public var byProperty: [Indicators]
    /// Rooms on the books per night, from today on.
    public var onTheBooks: [NightTotal]
    /// When it was made, and where maintenance stood.
    public var generatedAt: Timestamp
    public var maintenance: MaintenanceState
    /// Display names of property and channel ids, where known.
    public var names: [String: String] = [:]

    public init(
        period: Period, daily: [Indicators], byChannel: [Indicators], byProperty: [Indicators],
        onTheBooks: [NightTotal], generatedAt: Timestamp, maintenance: MaintenanceState
    ) {
        self.period = period
        self.daily = daily
        self.byChannel = byChannel
        self.byProperty = byProperty
        self.onTheBooks = onTheBooks
        self.generatedAt = generatedAt
        self.maintenance = maintenance
    }
}
