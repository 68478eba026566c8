internal import CLibPQ
import Glibc
import WebhookCore

/// Owns one libpq connection (`PGconn *`): connect in `init`, `PQfinish` in `deinit`.
///
/// Synchronous and single-threaded by design: each FastCGI worker owns exactly one. Every statement
/// with values uses `$n` parameters (`PQexecParams` / `PQexecPrepared`).
public final class PostgresConnection {
    private var pointer: OpaquePointer
    private var prepared: Set<String> = []

    /// Connects with a libpq conninfo string or URI. `application_name` defaults to `winkhook` and
    /// `connect_timeout` to 3 s; values in `conninfo` win.
    /// - Throws: `PostgresError` of kind `.connection`; its message never repeats the password.
    public init(conninfo: String, applicationName: String = "winkhook") throws(PostgresError) {
        let keys = ["application_name", "connect_timeout", "dbname"]
        let values = [applicationName, "3", conninfo]
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
        try configureSession()
    }

    deinit { PQfinish(pointer) }

    /// Whether the connection is believed healthy.
    public var isHealthy: Bool { PQstatus(pointer) == CONNECTION_OK }

    /// The server version as libpq reports it, e.g. 150018.
    public var serverVersion: Int { Int(PQserverVersion(pointer)) }

    /// Re-establishes the connection (`PQreset`) and forgets prepared statements.
    public func reset() throws(PostgresError) {
        prepared.removeAll()
        PQreset(pointer)
        guard PQstatus(pointer) == CONNECTION_OK else {
            throw PostgresError(.connection, message: PostgresConnection.message(pointer))
        }
        try configureSession()
    }

    private func configureSession() throws(PostgresError) {
        // Timestamps are UTC in and out; a hung statement must not outlive the web server's timeout;
        // "200 after COMMIT" means a durable commit whatever the server's or the database's default.
        try execute(
            "SET TimeZone = 'UTC'; SET statement_timeout = '15s'; SET lock_timeout = '5s'; "
                + "SET synchronous_commit = on")
    }

    /// Runs SQL without parameters (DDL, session settings, migrations). Several statements are allowed.
    @discardableResult
    func execute(_ sql: String) throws(PostgresError) -> PostgresResult {
        try check(PQexec(pointer, sql))
    }

    /// Runs one statement with text parameters (`nil` is SQL NULL).
    @discardableResult
    func execute(_ sql: String, _ parameters: [String?]) throws(PostgresError) -> PostgresResult {
        let raw = parameters.withOptionalCStrings { params in
            PQexecParams(pointer, sql, Int32(parameters.count), nil, params, nil, nil, 0)
        }
        return try check(raw)
    }

    /// Runs the prepared statement `name`, preparing it from `sql` first on this connection if needed.
    @discardableResult
    func executePrepared(_ name: String, sql: String, _ parameters: [String?]) throws(PostgresError)
        -> PostgresResult
    {
        if !prepared.contains(name) {
            try check(PQprepare(pointer, name, sql, Int32(parameters.count), nil))
            prepared.insert(name)
        }
        let raw = parameters.withOptionalCStrings { params in
            PQexecPrepared(pointer, name, Int32(parameters.count), params, nil, nil, 0)
        }
        return try check(raw)
    }

    @discardableResult
    private func check(_ raw: OpaquePointer?) throws(PostgresError) -> PostgresResult {
        guard let raw else {
            throw PostgresError(isHealthy ? .protocolError : .connection, message: PostgresConnection.message(pointer))
        }
        let result = PostgresResult(raw)
        guard result.isSuccess else { throw result.error(connectionOK: isHealthy) }
        return result
    }

    private static func message(_ conn: OpaquePointer) -> String {
        PQerrorMessage(conn).map { String(cString: $0) }?.trimmingWhitespace() ?? "unknown libpq error"
    }
}

extension Array where Element == String {
    /// Calls `body` with a NULL-terminated array of C strings valid for the call.
    func withCStrings<R>(_ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
        map { Optional($0) }.withOptionalCStrings(body)
    }
}

extension Array where Element == String? {
    /// Calls `body` with an array of C strings (`nil` stays NULL), plus a NULL terminator.
    func withOptionalCStrings<R>(_ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
        let array = UnsafeMutablePointer<UnsafePointer<CChar>?>.allocate(capacity: count + 1)
        for (index, value) in enumerated() {
            array[index] = value.flatMap { strdup($0) }.map { UnsafePointer($0) }
        }
        array[count] = nil
        defer {
            for index in 0..<count { free(UnsafeMutableRawPointer(mutating: array[index])) }
            array.deallocate()
        }
        return body(array)
    }
}
