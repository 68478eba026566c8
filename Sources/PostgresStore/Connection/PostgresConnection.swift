internal import CLibPQ
import Glibc
import WebhookCore

/// Owns one libpq connection (`PGconn *`): connect in `init`, `PQfinish` in `deinit`.
///
/// Synchronous and single-threaded by design: each FastCGI worker owns exactly one. Every statement
/// with values uses `$n` parameters (`PQexecParams` / `PQexecPrepared`). A statement given a `Deadline`
/// is sent, then waited for with `poll`; past the deadline it is cancelled and the connection is given
/// up (the caller reconnects later).
public final class PostgresConnection {
    /// The libpq connection (internal for the extensions beside this file; nothing else touches it).
    var pointer: OpaquePointer
    private var prepared: Set<String> = []
    private var abandoned = false
    private let statementTimeout: Int
    /// Whether the session is set to UTC (readers and maintenance format and truncate times; the write
    /// statements pass epoch microseconds and need no time zone).
    private let utcSession: Bool
    /// Whether named prepared statements are used. `false` when configured so, or once the server (a
    /// transaction-pooling PgBouncer) lost one: each statement is then sent unnamed, in one round trip.
    public private(set) var usesPreparedStatements: Bool
    /// Set when a lost prepared statement made this connection switch to unnamed statements.
    public private(set) var detectedPooler = false
    /// The deadline of statements given none (session setup, partition upkeep on the request path).
    public var defaultDeadline: Deadline?

    /// Connects with a libpq conninfo string or URI. `application_name` defaults to `winkhook` and
    /// `connect_timeout` to 3 s; values in `conninfo` win. `statementTimeout` (seconds) is the server-side
    /// bound on any statement of this session.
    /// - Throws: `PostgresError` of kind `.connection`; its message never repeats the password.
    public init(
        conninfo: String, applicationName: String = "winkhook", preparedStatements: Bool = true,
        statementTimeout: Int = 15, connectTimeout: Int = 3, deadline: Deadline? = nil, utcSession: Bool = true
    ) throws(PostgresError) {
        let keys = ["application_name", "connect_timeout", "dbname"]
        let values = [applicationName, String(connectTimeout), conninfo]
        let conn: OpaquePointer? = keys.withCStrings { k in
            values.withCStrings { v in PQconnectdbParams(k, v, 1) }
        }
        guard let conn else { throw PostgresError(.connection, message: "out of memory") }
        guard PQstatus(conn) == CONNECTION_OK else {
            let message = PostgresConnection.message(conn)
            PQfinish(conn)
            throw PostgresError(.connection, message: message)
        }
        self.pointer = conn  // from here on, deinit owns it
        self.usesPreparedStatements = preparedStatements
        self.statementTimeout = statementTimeout
        self.utcSession = utcSession
        self.defaultDeadline = deadline
        try configureSession()
    }

    deinit { PQfinish(pointer) }

    /// Whether the connection is believed healthy.
    public var isHealthy: Bool { !abandoned && PQstatus(pointer) == CONNECTION_OK }

    /// The server version as libpq reports it, e.g. 150018.
    public var serverVersion: Int { Int(PQserverVersion(pointer)) }

    /// Re-establishes the connection (`PQreset`) and forgets prepared statements.
    public func reset() throws(PostgresError) {
        prepared.removeAll()
        PQreset(pointer)
        abandoned = false
        guard PQstatus(pointer) == CONNECTION_OK else {
            throw PostgresError(.connection, message: PostgresConnection.message(pointer))
        }
        try configureSession()
    }

    private func configureSession() throws(PostgresError) {
        // Timestamps are UTC in and out; a hung statement must not outlive the request's deadline;
        // "200 after COMMIT" means a durable commit whatever the server's or the database's default
        // (the write statements also set it for their own transaction, for poolers that share sessions).
        // Loading the time zone is a third of a millisecond of a fresh backend's CPU: a CGI request's
        // one-statement session skips it.
        try execute(
            (utcSession ? "SET TimeZone = 'UTC'; " : "")
                + "SET statement_timeout = '\(statementTimeout)s'; SET lock_timeout = '5s'; SET synchronous_commit = on"
        )
    }

    /// Runs SQL without parameters (DDL, session settings, migrations). Several statements are allowed;
    /// the last one's result is returned (as `PQexec` does).
    @discardableResult
    func execute(_ sql: String, deadline: Deadline? = nil) throws(PostgresError) -> PostgresResult {
        try wait(sent: PQsendQuery(pointer, sql), deadline: deadline ?? defaultDeadline)
    }

    /// Runs one statement with parameters, unnamed: text (`[String?]`, `nil` is SQL NULL) or each in
    /// text or binary form (`[PostgresParameter]`).
    @discardableResult
    func execute(_ sql: String, _ parameters: [some LibpqParameter], deadline: Deadline? = nil) throws(PostgresError)
        -> PostgresResult
    {
        let sent = parameters.withLibpqArrays { values, lengths, formats in
            PQsendQueryParams(pointer, sql, Int32(parameters.count), nil, values, lengths, formats, 0)
        }
        return try wait(sent: sent, deadline: deadline ?? defaultDeadline)
    }

    /// Runs the prepared statement `name`, preparing it from `sql` first on this connection if needed.
    /// When prepared statements are off (or the server loses them), runs `sql` unnamed instead.
    @discardableResult
    func executePrepared(
        _ name: String, sql: String, _ parameters: [some LibpqParameter], deadline: Deadline? = nil
    ) throws(PostgresError) -> PostgresResult {
        let deadline = deadline ?? defaultDeadline
        guard usesPreparedStatements else { return try execute(sql, parameters, deadline: deadline) }
        do {
            if !prepared.contains(name) {
                let sent = PQsendPrepare(pointer, name, sql, Int32(parameters.count), nil)
                try wait(sent: sent, deadline: deadline)
                prepared.insert(name)
            }
            let sent = parameters.withLibpqArrays { values, lengths, formats in
                PQsendQueryPrepared(pointer, name, Int32(parameters.count), values, lengths, formats, 0)
            }
            return try wait(sent: sent, deadline: deadline)
        } catch  where error.isLostPreparedStatement {
            // A transaction-pooling PgBouncer (before 1.21) sent the statement to another server
            // connection: nothing ran. From now on every statement goes unnamed.
            usesPreparedStatements = false
            detectedPooler = true
            prepared.removeAll()
            return try execute(sql, parameters, deadline: deadline)
        }
    }

    /// Waits for the answer to a sent query, at most until `deadline`; then cancels it.
    @discardableResult
    func wait(sent: Int32, deadline: Deadline?) throws(PostgresError) -> PostgresResult {
        guard sent == 1 else { throw PostgresError(.connection, message: PostgresConnection.message(pointer)) }
        try awaitInput(deadline: deadline)
        return try collectResults()
    }

    /// Reads from the server until a result is complete (`PQisBusy` is false), at most until `deadline`;
    /// then cancels the statement.
    func awaitInput(deadline: Deadline?) throws(PostgresError) {
        while PQisBusy(pointer) == 1 {
            let timeout = deadline.map { $0.remainingMilliseconds } ?? -1
            if timeout == 0 {
                cancel()
                throw PostgresError(.timeout, message: "no answer within the request's deadline; cancelled")
            }
            var poller = pollfd(fd: PQsocket(pointer), events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, timeout)
            if ready < 0, errno == EINTR { continue }
            if ready == 0 { continue }
            guard ready > 0, PQconsumeInput(pointer) == 1 else {
                drainResults()
                throw PostgresError(.connection, message: PostgresConnection.message(pointer))
            }
        }
    }

    /// Every result of the statement sent: the last one, or the first that failed. A `COPY` waiting for
    /// its data (which `copyIn` alone handles) gives the connection up.
    func collectResults() throws(PostgresError) -> PostgresResult {
        var last: OpaquePointer?
        var failed: OpaquePointer?
        while let next = PQgetResult(pointer) {
            let status = PQresultStatus(next)
            if PostgresConnection.isCopy(status) {
                PQclear(next)
                if let last { PQclear(last) }
                if let failed { PQclear(failed) }
                abandon()
                throw PostgresError(.protocolError, message: "a COPY statement was sent where none was expected")
            }
            if failed == nil, status != PGRES_COMMAND_OK, status != PGRES_TUPLES_OK {
                failed = next
            } else {
                if let last { PQclear(last) }
                last = next
            }
        }
        if let failed {
            if let last { PQclear(last) }
            return try check(failed)
        }
        return try check(last)
    }

    /// Asks the server to stop the running statement and gives the connection up: `isHealthy` is false
    /// from here on, so the owner reconnects. The cancel request is sent only over a unix socket: libpq's
    /// `PQcancel` connects without a timeout, which over TCP to a host that went away can take minutes;
    /// there the session's `statement_timeout` ends the statement instead.
    private func cancel() {
        if let host = PQhost(pointer), host.pointee == CChar(UInt8(ascii: "/")), let handle = PQgetCancel(pointer) {
            var buffer = [CChar](repeating: 0, count: 256)
            _ = PQcancel(handle, &buffer, Int32(buffer.count))
            PQfreeCancel(handle)
        }
        // The answer to the cancelled statement is not awaited: this connection is done until `reset`.
        abandoned = true
    }

    func drainResults() {
        while let next = PQgetResult(pointer) {
            let copy = PostgresConnection.isCopy(PQresultStatus(next))
            PQclear(next)
            // Another result would be the same `COPY` again, for ever.
            if copy {
                abandon()
                return
            }
        }
    }

    /// Gives the connection up: `isHealthy` is false from here on, so its owner reconnects.
    func abandon() {
        abandoned = true
    }

    private static func isCopy(_ status: ExecStatusType) -> Bool {
        status == PGRES_COPY_IN || status == PGRES_COPY_OUT || status == PGRES_COPY_BOTH
    }

    @discardableResult
    func check(_ raw: OpaquePointer?) throws(PostgresError) -> PostgresResult {
        guard let raw else {
            throw PostgresError(isHealthy ? .protocolError : .connection, message: PostgresConnection.message(pointer))
        }
        let result = PostgresResult(raw)
        guard result.isSuccess else { throw result.error(connectionOK: isHealthy) }
        return result
    }

    static func message(_ conn: OpaquePointer) -> String {
        PQerrorMessage(conn).map { String(cString: $0) }?.trimmingWhitespace() ?? "unknown libpq error"
    }
}

extension Array where Element == String {
    /// Calls `body` with a NULL-terminated array of C strings valid for the call.
    func withCStrings<R>(_ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
        withLibpqArrays { values, _, _ in body(values) }
    }
}
