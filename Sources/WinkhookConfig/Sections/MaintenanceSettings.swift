import TOMLKit

/// `[retention]` and `[maintenance]`: how long raw rows are kept and how often rollups and the ledger
/// catch up.
public struct MaintenanceSettings: Sendable, Equatable {
    /// `[retention] days`: raw archive and points kept this many days (daily partitions dropped); `nil`
    /// keeps them forever. Rollups and the booking ledger are always kept.
    public var retentionDays: Int?
    /// `[retention] dedupe_days`: how long a delivery's id is remembered; a redelivery older than this is
    /// stored again. Default: `retentionDays` (forever when that is unset).
    public var dedupeDays: Int?
    /// `[maintenance] interval`: seconds between maintenance passes under `winkhook serve`; 0 runs none
    /// (then `winkhook maintain` from cron).
    public var intervalSeconds: Int

    /// The defaults: keep everything, a pass a minute.
    public init(retentionDays: Int? = nil, dedupeDays: Int? = nil, intervalSeconds: Int = 60) {
        self.retentionDays = retentionDays
        self.dedupeDays = dedupeDays
        self.intervalSeconds = intervalSeconds
    }
}

extension ParseContext {
    /// Reads `[retention]` and `[maintenance]` from `root`.
    func maintenanceSettings(_ root: TOMLTable) throws(ConfigurationError) -> MaintenanceSettings {
        var settings = MaintenanceSettings()
        if let retention = try table(root, "retention") {
            try checkKeys(retention, allowed: ["days", "dedupe_days"], at: "retention")
            if let days = try int(retention, "days", at: "retention") {
                guard days >= 1 else { throw ConfigurationError("\(path): retention.days must be at least 1") }
                settings.retentionDays = days
            }
            if let days = try int(retention, "dedupe_days", at: "retention") {
                guard days >= 1 else {
                    throw ConfigurationError("\(path): retention.dedupe_days must be at least 1")
                }
                settings.dedupeDays = days
            }
        }
        settings.dedupeDays = settings.dedupeDays ?? settings.retentionDays
        if let maintenance = try table(root, "maintenance") {
            try checkKeys(maintenance, allowed: ["interval"], at: "maintenance")
            if let seconds = try int(maintenance, "interval", at: "maintenance") {
                guard seconds == 0 || (5...86_400).contains(seconds) else {
                    throw ConfigurationError(
                        "\(path): maintenance.interval must be 0 (off) or between 5 and 86400 seconds")
                }
                settings.intervalSeconds = seconds
            }
        }
        return settings
    }
}
