import ArgumentParser
import Glibc
import Logging
import PostgresStore
import WinkhookConfig

/// `winkhook check-config`: validates the file and prints a summary without secrets.
struct CheckConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Validate the configuration and print a summary (never a secret).",
        discussion: """
            Exit status: 0 valid; 1 usable, but a webhook would fail closed (e.g. no secret) or, with --connect, \
            the database is unreachable or its schema is behind, or with --wink a subscription differs at Wink; \
            78 unusable.
            """)

    @OptionGroup var options: ConfigOption

    @Flag(name: .long, help: "Also connect to the database and compare its schema version with this build's.")
    var connect = false

    @Flag(name: .long, help: "Also compare every webhook with its Wink subscription (`wink sync`, read-only).")
    var wink = false

    func run() throws {
        let environment = ProcessEnvironment.current()
        let path = ConfigurationLoader.locate(explicit: options.config, environment: environment)
        let config: WinkhookConfiguration
        do {
            config = try ConfigurationLoader.load(path: path, environment: environment)
        } catch {
            print("error: \(error)")
            throw ExitCode(78)
        }
        print("configuration: \(config.path)")
        print("database:      \(config.redactedDatabaseURL)  (from \(config.databaseURLSource))")
        print("body limit:    \(config.settings.bodyLimit) bytes; Retry-After \(config.settings.retryAfterSeconds) s")
        let answer =
            config.acknowledge == .spool
            ? "200 after the durable spool append (acknowledge = spool)"
            : "200 after COMMIT, spooled while PostgreSQL is down (acknowledge = commit)"
        print("answers:       \(answer); deadline \(config.deadlineSeconds) s")
        print(
            "spool:         \(config.spoolPath) (at most \(config.spoolMaxBytes) bytes)"
                + (config.preparedStatements ? "" : "; prepared statements off"))
        for webhook in config.summaries {
            print("")
            print("webhook \"\(webhook.name)\"  \(webhook.enabled ? "enabled" : "DISABLED (answers 503)")")
            print("  path:     \(webhook.path)")
            if let entity = webhook.entity { print("  entity:   \(entity)") }
            print("  events:   \(webhook.events.isEmpty ? "all" : webhook.events.joined(separator: ", "))")
            for (number, method) in webhook.methods.enumerated() {
                let sources = method.sources.isEmpty ? "" : " from \(method.sources.joined(separator: ", "))"
                let secrets =
                    method.verifier.scheme == "none" ? "" : ", \(method.verifier.secretCount) secret(s)\(sources)"
                print(
                    "  \(webhook.methods.count > 1 ? "verify \(number + 1):" : "verify:  ") \(method.verifier.scheme): "
                        + "\(method.verifier.details)\(secrets)")
            }
            if !webhook.allowFrom.isEmpty {
                print("  allow:    \(webhook.allowFrom.joined(separator: ", ")) (else 403)")
            }
            if !webhook.trustedProxies.isEmpty {
                print("  proxies:  \(webhook.trustedProxies.joined(separator: ", ")) (X-Forwarded-For believed)")
            }
        }
        var problems = config.problems
        if connect {
            do {
                let connection = try PostgresConnection(conninfo: config.databaseURL)
                let migrator = PostgresMigrator(connection: connection, logger: Logger(label: "winkhook"))
                let version = try migrator.currentVersion()
                let latest = PostgresMigrator.latestVersion
                print(
                    "\ndatabase:      reachable (server \(connection.serverVersion)), schema version \(version) of \(latest)"
                )
                if version < latest { problems.append("the schema is behind this build: run `winkhook migrate`") }
            } catch {
                problems.append("cannot use the database: \(error.debugDescription)")
            }
        }
        if wink {
            print("")
            do {
                let context = try WinkOptions.parse(["--config", path]).context()
                if try !WinkSyncCommand.sync(context, apply: false) {
                    problems.append("the Wink subscriptions differ from this configuration (winkhook wink sync)")
                }
            } catch {
                problems.append("cannot compare with Wink: \(error)")
            }
        }
        for warning in config.warnings { print("warning: \(warning)") }
        for problem in problems { print("error: \(problem)") }
        if !problems.isEmpty { throw ExitCode(1) }
        print("\nok")
    }
}
