import WebhookCore

/// How `AnalyticsReader.metricTotals` groups: by a time bucket (UTC) or by a dimension.
public enum Grouping: String, Sendable, CaseIterable {
    case hour, day, week, month, property, channel, entity, currency, event, total

    /// Whether the groups are time buckets.
    public var isTime: Bool { [.hour, .day, .week, .month].contains(self) }
}

/// A question for the time series: metric totals over `[since, until)`, grouped.
public struct MetricQuery: Sendable {
    public var since: Timestamp
    public var until: Timestamp
    public var grouping: Grouping
    /// Only these metrics (names or prefixes ending in `.`); empty: all.
    public var metrics: [String]
    /// Only this webhook; `nil`: all.
    public var webhook: String?

    /// Creates a query. Except when grouping by hour, `since` and `until` should be UTC midnights (the
    /// daily rollups answer whole days); `stats` aligns them.
    public init(since: Timestamp, until: Timestamp, grouping: Grouping, metrics: [String] = [], webhook: String? = nil)
    {
        self.since = since
        self.until = until
        self.grouping = grouping
        self.metrics = metrics
        self.webhook = webhook
    }
}

/// One metric's total within one group and currency.
public struct MetricTotal: Sendable, Equatable {
    /// The group: a bucket (`2026-08-10`, `2026-08-10T14:00:00Z`, `2026-W33` as the week's Monday, `2026-08`)
    /// or a dimension value; `nil` for no value (and for `total`).
    public var group: String?
    public var metric: String
    public var currency: String?
    /// How many points, and their sum, smallest and largest (exact decimal text).
    public var samples: Int
    public var total: String
    public var minimum: String
    public var maximum: String

    public init(
        group: String?, metric: String, currency: String?, samples: Int, total: String, minimum: String,
        maximum: String
    ) {
        self.group = group
        self.metric = metric
        self.currency = currency
        self.samples = samples
        self.total = total
        self.minimum = minimum
        self.maximum = maximum
    }
}

/// Room nights on the books for one stay night (from the ledger), in one group.
public struct NightTotal: Sendable, Equatable {
    public var night: CalendarDay
    public var group: String?
    public var currency: String?
    /// Bookings staying that night, rooms they hold, and their revenue for the night (gross ÷ nights).
    public var bookings: Int
    public var rooms: String
    public var revenue: String?

    public init(night: CalendarDay, group: String?, currency: String?, bookings: Int, rooms: String, revenue: String?) {
        self.night = night
        self.group = group
        self.currency = currency
        self.bookings = bookings
        self.rooms = rooms
        self.revenue = revenue
    }
}

/// Where maintenance stands.
public struct MaintenanceState: Sendable, Equatable {
    /// Rollups hold every hour before this one; later hours are read from raw rows.
    public var closedBefore: Timestamp?
    /// When the last pass ran.
    public var ranAt: Timestamp?

    public init(closedBefore: Timestamp?, ranAt: Timestamp?) {
        self.closedBefore = closedBefore
        self.ranAt = ranAt
    }
}
