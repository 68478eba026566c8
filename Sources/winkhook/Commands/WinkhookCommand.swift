import ArgumentParser
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
