import Logging

/// Creates and upgrades the `winkhook` schema. Safe to run twice and from several processes at once
/// (an advisory lock serialises them); each migration runs in its own transaction.
public struct PostgresMigrator {
    /// Days of partitions created ahead of today (and one behind) on every run.
    public static let partitionDaysAhead = 7

    private let connection: PostgresConnection
    private let logger: Logger

    /// Creates a migrator over an open connection.
    public init(connection: PostgresConnection, logger: Logger) {
        self.connection = connection
        self.logger = logger
    }

    /// Applies every pending migration (up to `version`, when given: tests of an upgrade), then makes
    /// sure partitions exist for yesterday to a week ahead.
    /// - Returns: the versions applied by this call (empty when the schema was current).
    @discardableResult
    public func migrate(upTo version: Int? = nil) throws(PostgresError) -> [Int] {
        try connection.execute("SELECT pg_advisory_lock(hashtext('winkhook.migrate'))")
        defer { _ = try? connection.execute("SELECT pg_advisory_unlock(hashtext('winkhook.migrate'))") }
        try connection.execute(
            """
            SET client_min_messages = warning;
            CREATE SCHEMA IF NOT EXISTS winkhook;
            CREATE TABLE IF NOT EXISTS winkhook.schema_migrations (
                version    integer PRIMARY KEY,
                name       text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            );
            """)
        let current =
            try connection.execute("SELECT coalesce(max(version), 0) FROM winkhook.schema_migrations")
            .value(row: 0, column: 0).flatMap { Int($0) } ?? 0
        var applied: [Int] = []
        for migration in Migration.all where migration.version > current && migration.version <= (version ?? .max) {
            try connection.execute("BEGIN")
            do {
                try connection.execute(migration.sql)
                try connection.execute(
                    "INSERT INTO winkhook.schema_migrations (version, name) VALUES ($1, $2)",
                    [String(migration.version), migration.name])
                try connection.execute("COMMIT")
            } catch {
                _ = try? connection.execute("ROLLBACK")
                throw error
            }
            logger.info(
                "applied migration", metadata: ["version": "\(migration.version)", "name": "\(migration.name)"])
            applied.append(migration.version)
        }
        if version == nil { try PostgresMigrator.ensurePartitions(connection) }
        return applied
    }

    /// The schema version in the database (0 when none).
    public func currentVersion() throws(PostgresError) -> Int {
        let exists = try connection.execute("SELECT to_regclass('winkhook.schema_migrations') IS NOT NULL")
        guard exists.value(row: 0, column: 0) == "t" else { return 0 }
        let result = try connection.execute("SELECT coalesce(max(version), 0) FROM winkhook.schema_migrations")
        return result.value(row: 0, column: 0).flatMap { Int($0) } ?? 0
    }

    /// The newest version this build knows.
    public static var latestVersion: Int { Migration.all.last?.version ?? 0 }

    /// Creates any missing daily partition from yesterday to `partitionDaysAhead` days ahead.
    static func ensurePartitions(_ connection: PostgresConnection) throws(PostgresError) {
        try connection.execute(
            "SELECT winkhook.ensure_partitions((now() AT TIME ZONE 'UTC')::date - 1, $1::integer)",
            [String(partitionDaysAhead + 2)])
    }
}
