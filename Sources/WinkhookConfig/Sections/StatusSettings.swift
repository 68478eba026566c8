import TOMLKit
import WebhookCore

/// `[status]`: the pool's `ping`, `status` (PHP-FPM style, `?json` too) and Prometheus `metrics` pages,
/// answered by `winkhook serve`'s workers on these paths of the FastCGI socket, to allowed addresses only.
public struct StatusSettings: Sendable, Equatable {
    /// `enabled` (default true): false answers these paths like any other unknown path (404).
    public var enabled: Bool
    public var pingPath: String
    public var statusPath: String
    public var metricsPath: String
    /// `allow_from`: who may read them (default loopback); others get 403.
    public var allowFrom: [AddressRange]
    /// `slow_ms`: a request that takes this long counts as slow.
    public var slowMilliseconds: Int

    /// The defaults: on, `/ping`, `/status`, `/metrics`, loopback only, slow from 1 s.
    public init(
        enabled: Bool = true, pingPath: String = "/ping", statusPath: String = "/status",
        metricsPath: String = "/metrics", allowFrom: [AddressRange] = StatusSettings.loopback,
        slowMilliseconds: Int = 1000
    ) {
        self.enabled = enabled
        self.pingPath = pingPath
        self.statusPath = statusPath
        self.metricsPath = metricsPath
        self.allowFrom = allowFrom
        self.slowMilliseconds = slowMilliseconds
    }

    public static let loopback = ["127.0.0.0/8", "::1"].compactMap { AddressRange($0) }
}

extension ParseContext {
    /// Reads `[status]` from `root`.
    func statusSettings(_ root: TOMLTable) throws(ConfigurationError) -> StatusSettings {
        var settings = StatusSettings()
        guard let status = try table(root, "status") else { return settings }
        try checkKeys(
            status, allowed: ["enabled", "ping_path", "status_path", "metrics_path", "allow_from", "slow_ms"],
            at: "status")
        if let enabled = try bool(status, "enabled", at: "status") { settings.enabled = enabled }
        for (key, keyPath) in [
            ("ping_path", \StatusSettings.pingPath), ("status_path", \.statusPath), ("metrics_path", \.metricsPath),
        ] {
            guard let value = try string(status, key, at: "status") else { continue }
            guard value.hasPrefix("/"), !value.contains("?"), value.count > 1 else {
                throw ConfigurationError("\(path): status.\(key) must be a path such as /status")
            }
            settings[keyPath: keyPath] = value
        }
        if status.keys.contains("allow_from") { settings.allowFrom = try ranges(status, "allow_from", at: "status") }
        if let slow = try int(status, "slow_ms", at: "status") {
            guard slow >= 1 else { throw ConfigurationError("\(path): status.slow_ms must be at least 1") }
            settings.slowMilliseconds = slow
        }
        return settings
    }
}
