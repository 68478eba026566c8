import TOMLKit
import WebhookCore

/// Finds, reads and validates the TOML configuration file.
///
/// Location: `--config FILE`, else `WINKHOOK_CONFIG`, else `/etc/winkhook/winkhook.toml`.
/// `WINKHOOK_DATABASE_URL` overrides `[database] url`. Unknown keys are errors, so typos surface.
public enum ConfigurationLoader {
    /// The default location.
    public static let defaultPath = "/etc/winkhook/winkhook.toml"
    /// Where deliveries wait while PostgreSQL is unavailable, unless `[spool] path` says otherwise.
    public static let defaultSpoolPath = "/var/spool/winkhook"
    /// The default database when neither the file nor the environment names one.
    public static let defaultDatabaseURL = "host=/var/run/postgresql dbname=winkhook"

    /// The path to read, from an explicit flag, the environment, or the default.
    public static func locate(explicit: String?, environment: [String: String]) -> String {
        if let explicit, !explicit.isEmpty { return explicit }
        if let fromEnvironment = environment["WINKHOOK_CONFIG"], !fromEnvironment.isEmpty { return fromEnvironment }
        return defaultPath
    }

    /// Reads and validates the file at `path`.
    public static func load(path: String, environment: [String: String]) throws(ConfigurationError)
        -> WinkhookConfiguration
    {
        let text = try FileReading.text(at: path)
        return try parse(
            text, path: path, environment: environment,
            readSecretFile: { (file: String) throws(ConfigurationError) -> String in try FileReading.text(at: file) },
            isWorldReadable: FileReading.isWorldReadable)
    }

    /// Validates configuration `text`; file access is injected so tests need no files.
    public static func parse(
        _ text: String, path: String, environment: [String: String],
        readSecretFile: @escaping (String) throws(ConfigurationError) -> String,
        isWorldReadable: @escaping (String) -> Bool = { _ in false }
    ) throws(ConfigurationError) -> WinkhookConfiguration {
        let root: TOMLTable
        do {
            root = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw ConfigurationError("\(path): not valid TOML at line \(error.source.begin.line): \(error.description)")
        } catch {
            throw ConfigurationError("\(path): not valid TOML")
        }
        var context = ParseContext(
            path: path, environment: environment, readSecretFile: readSecretFile,
            isWorldReadable: isWorldReadable)
        try context.checkKeys(
            root, allowed: ["database", "server", "spool", "retention", "maintenance", "status", "wink", "webhook"],
            at: "")

        var databaseURL = defaultDatabaseURL
        var preparedStatements = true
        var databaseSource = "default"
        if let database = try context.table(root, "database") {
            try context.checkKeys(database, allowed: ["url", "prepared_statements"], at: "database")
            if let url = try context.string(database, "url", at: "database") {
                databaseURL = url
                databaseSource = "config file"
            }
            if let prepared = try context.bool(database, "prepared_statements", at: "database") {
                preparedStatements = prepared
            }
        }
        if let url = environment["WINKHOOK_DATABASE_URL"], !url.isEmpty {
            databaseURL = url
            databaseSource = "WINKHOOK_DATABASE_URL"
        }

        var settings = PipelineSettings()
        var publicURL: String?
        var deadline = 10
        var groupLimit: Int?
        if let server = try context.table(root, "server") {
            try context.checkKeys(
                server, allowed: ["body_limit", "retry_after", "public_url", "deadline", "group_limit"], at: "server")
            publicURL = try context.string(server, "public_url", at: "server")
            if let url = publicURL, !(url.hasPrefix("https://") || url.hasPrefix("http://")) {
                throw ConfigurationError("\(path): server.public_url must start with https:// (or http://)")
            }
            if let limit = try context.int(server, "body_limit", at: "server") {
                guard (1...(64 << 20)).contains(limit) else {
                    throw ConfigurationError("\(path): server.body_limit must be between 1 and 67108864 bytes")
                }
                settings.bodyLimit = limit
            }
            if let retry = try context.int(server, "retry_after", at: "server") {
                guard (1...86_400).contains(retry) else {
                    throw ConfigurationError("\(path): server.retry_after must be between 1 and 86400 seconds")
                }
                settings.retryAfterSeconds = retry
            }
            if let seconds = try context.int(server, "deadline", at: "server") {
                // Below nginx's fastcgi_read_timeout (60 s) and the ~15 s a sender waits.
                guard (2...14).contains(seconds) else {
                    throw ConfigurationError("\(path): server.deadline must be between 2 and 14 seconds")
                }
                deadline = seconds
            }
            if let limit = try context.int(server, "group_limit", at: "server") {
                guard (1...64).contains(limit) else {
                    throw ConfigurationError("\(path): server.group_limit must be between 1 and 64 requests")
                }
                groupLimit = limit
            }
        }

        var spoolPath = defaultSpoolPath
        var spoolMaxBytes = 1 << 30
        var acknowledge = AcknowledgeMode.commit
        if let spool = try context.table(root, "spool") {
            try context.checkKeys(spool, allowed: ["path", "max_bytes", "acknowledge"], at: "spool")
            if let mode = try context.string(spool, "acknowledge", at: "spool") {
                guard let parsed = AcknowledgeMode(rawValue: mode) else {
                    throw ConfigurationError(
                        "\(path): spool.acknowledge must be \"commit\" or \"spool\", not \"\(mode)\"")
                }
                acknowledge = parsed
            }
            if let path = try context.string(spool, "path", at: "spool") {
                guard path.hasPrefix("/") else { throw ConfigurationError("\(path): spool.path must be absolute") }
                spoolPath = path
            }
            if let bytes = try context.int(spool, "max_bytes", at: "spool") {
                guard bytes >= 1 << 20 else {
                    throw ConfigurationError("\(path): spool.max_bytes must be at least 1048576")
                }
                spoolMaxBytes = bytes
            }
        }

        let maintenance = try context.maintenanceSettings(root)
        let status = try context.statusSettings(root)
        let wink = try context.winkSettings(root)

        guard let list = root["webhook"] else {
            throw ConfigurationError("\(path): no [[webhook]] is configured")
        }
        guard let array = list.array else {
            throw ConfigurationError("\(path): webhook must be an array of tables ([[webhook]])")
        }
        var webhooks: [WebhookEndpoint] = []
        var summaries: [WebhookSummary] = []
        for (index, element) in array.enumerated() {
            guard let table = element.table else {
                throw ConfigurationError("\(path): webhook #\(index + 1) is not a table")
            }
            let (webhook, summary) = try context.webhook(table, index: index)
            webhooks.append(webhook)
            summaries.append(summary)
        }
        do {
            _ = try WebhookPipeline(webhooks: webhooks, settings: settings, router: HandlerRegistry.router())
        } catch let error as PipelineConfigurationError {
            throw ConfigurationError("\(path): \(error.reason)")
        } catch {
            throw ConfigurationError("\(path): \(error)")
        }
        if status.enabled {
            for webhook in webhooks
            where [status.pingPath, status.statusPath, status.metricsPath].contains(webhook.path) {
                throw ConfigurationError(
                    "\(path): webhook \"\(webhook.name)\" has path \(webhook.path), which [status] answers; move one")
            }
        }
        var configuration = WinkhookConfiguration(
            path: path, databaseURL: databaseURL, databaseURLSource: databaseSource, settings: settings,
            spoolPath: spoolPath, spoolMaxBytes: spoolMaxBytes, acknowledge: acknowledge,
            deadlineSeconds: deadline, preparedStatements: preparedStatements, publicURL: publicURL,
            maintenance: maintenance, status: status, wink: wink, webhooks: webhooks, summaries: summaries,
            problems: context.problems,
            warnings: context.warnings)
        if let groupLimit { configuration.groupLimit = groupLimit }
        return configuration
    }
}
