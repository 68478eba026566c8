internal import CLibPQ
import WebhookCore

/// Owns one `PGresult *`; `PQclear` in `deinit`.
final class PostgresResult {
    private let pointer: OpaquePointer

    init(_ pointer: OpaquePointer) {
        self.pointer = pointer
    }

    deinit { PQclear(pointer) }

    var status: ExecStatusType { PQresultStatus(pointer) }

    var isSuccess: Bool {
        let s = status
        return s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK
    }

    var rowCount: Int { Int(PQntuples(pointer)) }

    /// Rows an INSERT, UPDATE or DELETE changed (`PQcmdTuples`); 0 for anything else.
    var affectedRows: Int { PQcmdTuples(pointer).flatMap { Int(String(cString: $0)) } ?? 0 }

    /// The value at (row, column) as text, or `nil` for SQL NULL or out of range.
    func value(row: Int, column: Int) -> String? {
        guard row < rowCount, column < Int(PQnfields(pointer)),
            PQgetisnull(pointer, Int32(row), Int32(column)) == 0,
            let text = PQgetvalue(pointer, Int32(row), Int32(column))
        else { return nil }
        return String(cString: text)
    }

    /// The error of a failed result.
    func error(connectionOK: Bool) -> PostgresError {
        let message = PQresultErrorMessage(pointer).map { String(cString: $0) } ?? ""
        let state = PQresultErrorField(pointer, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
        let trimmed = message.trimmingWhitespace()
        if let state { return PostgresError(.server, sqlState: .init(state), message: trimmed) }
        return PostgresError(connectionOK ? .protocolError : .connection, message: trimmed)
    }
}
