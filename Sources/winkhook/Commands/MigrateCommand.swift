import ArgumentParser
import Logging
import PostgresStore
import WinkhookConfig

/// `winkhook migrate`: creates or upgrades the schema; safe to run twice.
struct MigrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Create or upgrade the PostgreSQL schema (idempotent) and create partitions ahead.")

    @OptionGroup var options: ConfigOption

    @OptionGroup var database: DatabaseOption

    func run() throws {
        let environment = ProcessEnvironment.current()
        let logger = LogSetup.bootstrap(environment: environment)
        let url = try database.url(environment: environment) {
            try options.load(environment: environment).databaseURL
        }
        do {
            let connection = try PostgresConnection(conninfo: url)
            let migrator = PostgresMigrator(connection: connection, logger: logger)
            let applied = try migrator.migrate()
            let version = try migrator.currentVersion()
            print(
                applied.isEmpty
                    ? "schema winkhook is current (version \(version))"
                    : "applied migration(s) \(applied.map(String.init).joined(separator: ", ")); schema at version \(version)"
            )
        } catch {
            print("error: \(error.debugDescription)")
            throw ExitCode.failure
        }
    }
}
