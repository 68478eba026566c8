/// A libpq failure, with the server's SQLSTATE as a typed code when there is one.
///
/// `description` is generic; `debugDescription` carries libpq's message for the log. Neither ever holds
/// SQL parameter values.
public struct PostgresError: Error, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// A SQLSTATE (https://www.postgresql.org/docs/current/errcodes-appendix.html).
    public struct SQLState: Sendable, Hashable, CustomStringConvertible {
        /// The five-character code.
        public let code: String
        /// Creates a state from its code.
        public init(_ code: String) { self.code = code }

        public static let uniqueViolation = SQLState("23505")
        public static let adminShutdown = SQLState("57P01")
        public static let crashShutdown = SQLState("57P02")
        public static let cannotConnectNow = SQLState("57P03")
        public static let readOnlySQLTransaction = SQLState("25006")
        public static let queryCanceled = SQLState("57014")
        public static let undefinedTable = SQLState("42P01")

        /// The two-character class, e.g. `08` for connection exceptions.
        public var errorClass: Substring { code.prefix(2) }
        public var description: String { code }
    }

    /// What went wrong, from where.
    public struct Kind: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable { case connection, server, protocolError, timeout }
        private let base: Base
        /// Could not connect, or the connection broke.
        public static let connection = Kind(base: .connection)
        /// The server answered with an error (see `sqlState`).
        public static let server = Kind(base: .server)
        /// Anything libpq reported without a server error.
        public static let protocolError = Kind(base: .protocolError)
        /// No answer within the deadline: the statement was cancelled and the connection given up.
        public static let timeout = Kind(base: .timeout)
        public var description: String { base.rawValue }
    }

    /// Where it failed.
    public var kind: Kind
    /// The server's SQLSTATE, if it sent one.
    public var sqlState: SQLState?
    /// libpq's message (may include server detail; no parameters).
    public var message: String

    /// Creates an error.
    public init(_ kind: Kind, sqlState: SQLState? = nil, message: String) {
        self.kind = kind
        self.sqlState = sqlState
        self.message = message
    }

    /// Whether retrying on a fresh connection may succeed: broken connections, class 08, shutdowns,
    /// a read-only server (failover in progress).
    public var isTransient: Bool {
        if kind == .connection || kind == .protocolError || kind == .timeout { return true }
        guard let state = sqlState else { return true }
        return state.errorClass == "08" || state.errorClass == "53" || state.errorClass == "40"
            || [.adminShutdown, .crashShutdown, .cannotConnectNow, .readOnlySQLTransaction, .queryCanceled]
                .contains(state)
    }

    /// Whether a table, function or the schema itself is missing (42P01, 42883, 3F000).
    public var isMissingSchema: Bool {
        guard let state = sqlState else { return false }
        return state == .undefinedTable || state.code == "42883" || state.code == "3F000"
    }

    /// Whether the server does not know a prepared statement this connection prepared (26000), or knows
    /// one it never prepared (42P05): a transaction-pooling PgBouncer mixing server connections.
    public var isLostPreparedStatement: Bool { sqlState?.code == "26000" || sqlState?.code == "42P05" }

    /// Whether the data itself was refused (class 22: data exception), so retrying cannot help.
    public var isDataError: Bool { sqlState?.errorClass == "22" }

    /// With the SQLSTATE and the server's message: a command that fails says why (`Error: PostgreSQL server
    /// error [54000]: ERROR: …`), not only that it did.
    public var description: String {
        "PostgreSQL \(kind) error" + (sqlState.map { " [\($0)]" } ?? "") + ": " + message
    }
    public var debugDescription: String { description }
}
