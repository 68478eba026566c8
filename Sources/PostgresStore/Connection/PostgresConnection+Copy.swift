internal import CLibPQ

extension PostgresConnection {
    /// Runs `COPY … FROM STDIN` (`sql`) with the data `part` writes for each of `parts` in turn, at most
    /// until `deadline` for the server's answers. The data is handed to libpq as it is made, 64 KiB at a
    /// time, in its blocking mode: a server that stops reading holds it, as a large parameter would.
    /// Data that cannot be handed over gives the connection up. Returns the command's result (`COPY n`).
    @discardableResult
    func copyIn(
        _ sql: String, deadline: Deadline? = nil, parts: Int, _ part: (Int, inout BinaryWriter) -> Void
    ) throws(PostgresError) -> PostgresResult {
        let deadline = deadline ?? defaultDeadline
        guard PQsendQuery(pointer, sql) == 1 else {
            throw PostgresError(.connection, message: PostgresConnection.message(pointer))
        }
        try awaitInput(deadline: deadline)
        guard let first = PQgetResult(pointer) else {
            throw PostgresError(.protocolError, message: PostgresConnection.message(pointer))
        }
        guard PQresultStatus(first) == PGRES_COPY_IN else {
            // Refused before any data (no such table or column): the error, then the end of results.
            drainResults()
            return try check(first)
        }
        PQclear(first)
        var out = BinaryWriter(capacity: PostgresConnection.copyChunk * 2)
        for index in 0..<parts {
            part(index, &out)
            if out.count >= PostgresConnection.copyChunk || index == parts - 1 {
                guard put(out) else { throw lostCopy() }
                out.removeAll()
            }
        }
        guard PQputCopyEnd(pointer, nil) == 1 else { throw lostCopy() }
        return try wait(sent: 1, deadline: deadline)
    }

    /// libpq is left in the middle of the `COPY`: nothing else can be sent on this connection.
    private func lostCopy() -> PostgresError {
        let error = PostgresError(.connection, message: PostgresConnection.message(pointer))
        abandon()
        return error
    }

    /// How much `COPY` data is made before it is handed to libpq.
    static let copyChunk = 64 << 10

    private func put(_ out: borrowing BinaryWriter) -> Bool {
        out.withBytes { raw in
            raw.withMemoryRebound(to: CChar.self) { PQputCopyData(pointer, $0.baseAddress, Int32($0.count)) == 1 }
        }
    }
}
