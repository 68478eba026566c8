import Clocks
import Logging

/// Keeps the derived tables current, off the delivery path: partitions ahead (and for late rows),
/// retention, then `winkhook.maintain()` — the rollups of every closed hour that changed and the booking
/// ledger. One connection, kept between passes; `winkhook maintain` runs one pass, `serve` supervises
/// `maintain --watch`.
public final class PostgresMaintenance {
    /// How long raw rows and de-duplication ids are kept (`nil`: forever).
    public struct Retention: Sendable, Equatable {
        public var days: Int?
        public var dedupeDays: Int?

        public init(days: Int?, dedupeDays: Int?) {
            self.days = days
            self.dedupeDays = dedupeDays
        }
    }

    private let conninfo: String
    private let retention: Retention
    private let logger: Logger
    private var connection: PostgresConnection?
    private var retentionRanAt: Int64?

    /// Seconds between retention runs in a long-lived process (each pass when run by hand).
    static let retentionInterval: Int64 = 3600

    /// Creates a maintainer for `conninfo`.
    public init(conninfo: String, retention: Retention, logger: Logger) {
        self.conninfo = conninfo
        self.retention = retention
        self.logger = logger
    }

    /// One pass. `forceRetention` runs retention even if it ran within the hour.
    public func run(forceRetention: Bool = false) throws(PostgresError) -> MaintenancePass {
        let started = SystemClock.monotonicMicros()
        let connection = try current()
        var pass = MaintenancePass()
        do {
            pass = try run(on: connection, forceRetention: forceRetention, started: started)
        } catch {
            if !connection.isHealthy { self.connection = nil }
            throw error
        }
        pass.micros = SystemClock.monotonicMicros() - started
        return pass
    }

    private func run(on connection: PostgresConnection, forceRetention: Bool, started: Int64)
        throws(PostgresError) -> MaintenancePass
    {
        var pass = MaintenancePass()
        let keep = retention.days.map(String.init)
        let created = try connection.execute(
            """
            SELECT winkhook.ensure_partitions((now() AT TIME ZONE 'UTC')::date - 1, $1::integer)
                 + winkhook.partition_default_rows(
                       coalesce((now() AT TIME ZONE 'UTC')::date - $2::integer, '-infinity'::date))
            """, [String(PostgresMigrator.partitionDaysAhead + 2), keep])
        pass.partitionsCreated = created.value(row: 0, column: 0).flatMap { Int($0) } ?? 0
        if let days = retention.days,
            forceRetention
                || retentionRanAt.map({ started - $0 > PostgresMaintenance.retentionInterval * 1_000_000 })
                    ?? true
        {
            let removed = try connection.execute(
                "SELECT * FROM winkhook.apply_retention($1::integer, $2::integer)",
                [String(days), retention.dedupeDays.map(String.init)])
            func number(_ column: Int) -> Int { removed.value(row: 0, column: column).flatMap { Int($0) } ?? 0 }
            pass.retention = RetentionResult(
                partitions: number(0), defaultRows: number(1), rejectedRows: number(2), dedupeRows: number(3))
            retentionRanAt = started
        }
        let result = try connection.execute(
            """
            SELECT * FROM winkhook.maintain(
                CASE WHEN $1::integer IS NULL THEN NULL
                     ELSE (((now() AT TIME ZONE 'UTC')::date - $1::integer)::timestamp AT TIME ZONE 'UTC') END)
            """, [keep])
        func number(_ column: Int) -> Int { result.value(row: 0, column: column).flatMap { Int($0) } ?? 0 }
        pass.newEvents = number(0)
        pass.hours = number(1)
        pass.days = number(2)
        pass.bookings = number(3)
        return pass
    }

    private func current() throws(PostgresError) -> PostgresConnection {
        if let connection, connection.isHealthy { return connection }
        // A first pass over a large history takes a while: a generous statement timeout.
        let opened = try PostgresConnection(conninfo: conninfo, statementTimeout: 1800)
        try opened.execute("SET jit = off")
        connection = opened
        return opened
    }
}
