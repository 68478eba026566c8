import ArgumentParser
import WebhookCore
import WinkhookConfig

/// `winkhook`: the command line. Run with no subcommand from a web server, it is a FastCGI worker
/// (listening socket on fd 0) or a CGI program (GATEWAY_INTERFACE set).
struct WinkhookCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "winkhook",
        abstract: "Webhook endpoint for Wink and TripPay events: FastCGI/CGI in, PostgreSQL time series out.",
        discussion: """
            Started by a web server with a listening socket on fd 0 (spawn-fcgi, mod_fcgid) it is a FastCGI \
            worker; started as CGI (GATEWAY_INTERFACE set) it answers one request. Otherwise use a subcommand.
            Configuration: --config FILE, else $WINKHOOK_CONFIG, else /etc/winkhook/winkhook.toml.
            """,
        version: "0.1.0",
        subcommands: [
            ServeCommand.self, MigrateCommand.self, CheckConfigCommand.self, SendCommand.self, TokenCommand.self,
            DrainCommand.self, SpoolCommand.self, MaintainCommand.self, StatsCommand.self, ReportCommand.self,
            SimulateCommand.self, MetricsCommand.self, ReprocessCommand.self, StatusCommand.self, WinkCommand.self,
            DeliveriesCommand.self,
        ]
    )
}

/// `--config FILE`, shared by every subcommand.
struct ConfigOption: ParsableArguments {
    @Option(name: .long, help: "Configuration file (default: $WINKHOOK_CONFIG, else /etc/winkhook/winkhook.toml).")
    var config: String?

    /// The file `--config`, `WINKHOOK_CONFIG` or the default names, read and validated.
    func load(environment: [String: String]) throws -> WinkhookConfiguration {
        let path = ConfigurationLoader.locate(explicit: config, environment: environment)
        return try ConfigurationLoader.load(path: path, environment: environment)
    }
}

/// `--webhook NAME`, for the commands that act on one webhook.
struct WebhookOption: ParsableArguments {
    @Option(name: .long, help: "Webhook name (default: the first configured).")
    var webhook: String?

    /// The index of the chosen webhook in `configuration.webhooks`.
    func index(in configuration: WinkhookConfiguration) throws -> Int {
        let found =
            webhook.map { name in configuration.webhooks.firstIndex { $0.name == name } }
            ?? (configuration.webhooks.isEmpty ? nil : 0)
        guard let found else { throw ValidationError("no webhook named \(webhook ?? "") in \(configuration.path)") }
        return found
    }
}

/// `--database CONNINFO`, shared by the commands that talk to PostgreSQL without serving.
struct DatabaseOption: ParsableArguments {
    @Option(name: .long, help: "libpq conninfo or URI (default: $WINKHOOK_DATABASE_URL, else the configuration).")
    var database: String?

    /// The flag, else `WINKHOOK_DATABASE_URL`, else the configuration's `[database] url` (read lazily).
    func url(environment: [String: String], configuration: () throws -> String) rethrows -> String {
        if let database { return database }
        if let fromEnvironment = environment["WINKHOOK_DATABASE_URL"], !fromEnvironment.isEmpty {
            return fromEnvironment
        }
        return try configuration()
    }
}

/// A command that cannot go on, printed as `Error: …` with exit status 1 (ArgumentParser prints any error's
/// description; its `ValidationError` would exit 64, the status of a usage mistake).
struct CommandFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// `--key TEXT` as a canonical event key (aliases applied); a malformed key is a usage error.
func canonicalKeyOption(_ text: String?) throws -> String? {
    try text.map { text in
        guard let parsed = EventKey(text) else { throw ValidationError("--key \(text) is no event key") }
        return parsed.rawValue
    }
}

/// `--FLAG TEXT` as a UTC time (YYYY-MM-DD or ISO 8601); anything else is a usage error.
func timeOption(_ text: String?, flag: String) throws -> Timestamp? {
    try text.map { text in
        guard let time = Timestamp(iso8601: text) else { throw ValidationError("--\(flag) \(text) is no date") }
        return time
    }
}
