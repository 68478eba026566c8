/// What one maintenance pass did.
public struct MaintenancePass: Sendable, Equatable {
    /// Rows written since the previous pass (new deliveries, spooled ones, reprocessed ones).
    public var newEvents: Int = 0
    /// Hours and days whose rollups were recomputed.
    public var hours: Int = 0
    public var days: Int = 0
    /// Bookings whose ledger row changed.
    public var bookings: Int = 0
    /// Daily partitions created (ahead, and for late rows).
    public var partitionsCreated: Int = 0
    /// What retention removed, when it ran this pass.
    public var retention: RetentionResult?
    /// Wall time of the pass (µs).
    public var micros: Int64 = 0

    /// Creates an empty summary.
    public init() {}

    /// Whether the pass changed anything worth a log line.
    public var didWork: Bool {
        newEvents > 0 || hours > 0 || bookings > 0 || partitionsCreated > 0 || (retention?.removedAnything ?? false)
    }
}

/// What retention removed.
public struct RetentionResult: Sendable, Equatable {
    /// Daily partitions of `winkhook.events` dropped.
    public var partitions: Int
    /// Old rows deleted from the default partition, from rejected bodies and from the de-duplication table.
    public var defaultRows: Int
    public var rejectedRows: Int
    public var dedupeRows: Int

    public var removedAnything: Bool { partitions + defaultRows + rejectedRows + dedupeRows > 0 }
}
