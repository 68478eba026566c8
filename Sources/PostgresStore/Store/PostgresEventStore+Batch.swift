import WebhookCore

/// Many deliveries in one transaction (the drainer's batches): their `dedupe` rows in one statement, then
/// the `events` rows of those that were new in one binary `COPY`. Four round trips a batch, and none of
/// a statement's per-row work (no arrays to unnest, no join, no text to parse) for the rows themselves.
extension PostgresEventStore {
    /// Deliveries per batch at most.
    public static let batchLimit = 500
    /// Body bytes per batch at most (a batch stops growing past this).
    public static let batchByteLimit = 8 << 20
    /// What a drainer's store should allow a batch (its `deadlineSeconds`): 500 deliveries or 8 MiB.
    public static let batchDeadlineSeconds = 60

    /// The `dedupe` rows of a batch, from three binary arrays, when none is expected to be there: a plain
    /// insert, whose unique index is searched once per row; one key already there fails it whole (23505).
    static let batchDedupeSQL = """
        INSERT INTO winkhook.dedupe (webhook, dedupe_key, received_at)
        SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[])
        """

    /// The same when some may be there: each key is looked up before it is inserted (twice the index
    /// searches); returns the keys that were new.
    static let batchDedupeIfNewSQL =
        batchDedupeSQL + """

            ON CONFLICT DO NOTHING
            RETURNING webhook, dedupe_key
            """

    /// Writes `deliveries` (no two with one key) in one transaction; returns, for each, whether it was
    /// stored (else it was there already). `expectNew`: try the plain insert first (a drained spool holds
    /// new deliveries but for a retry or a segment drained twice), then, if a key was there, the checked
    /// one in a new transaction. Unnamed statements only: behind a transaction-pooling PgBouncer a
    /// statement prepared in an earlier transaction may be on another server connection, and its loss
    /// would abort this one.
    static func writeBatch(
        _ deliveries: [Delivery], on connection: PostgresConnection, deadline: Deadline, expectNew: Bool
    ) throws(PostgresError) -> [Bool] {
        var times = BinaryWriter(capacity: 20 + 12 * deliveries.count)
        times.array(deliveries.map(\.receivedAt), oid: BinaryWriter.timestamptzOID) { $0.timestamp($1) }
        let parameters: [PostgresParameter] = [
            .binary(BinaryArray.text(deliveries.map { .text($0.webhook) })),
            .binary(BinaryArray.text(deliveries.map { .text($0.dedupeKey) })), .binary(times.bytes),
        ]
        if expectNew {
            do throws(PostgresError) {
                let all = [Bool](repeating: true, count: deliveries.count)
                try transaction(on: connection, deadline: deadline) { () throws(PostgresError) in
                    try connection.execute(batchDedupeSQL, parameters, deadline: deadline)
                    try copyEvents(deliveries, stored: all, on: connection, deadline: deadline)
                }
                return all
            } catch {
                guard error.sqlState == .uniqueViolation else { throw error }
            }
        }
        var stored = [Bool](repeating: false, count: deliveries.count)
        try transaction(on: connection, deadline: deadline) { () throws(PostgresError) in
            let fresh = try connection.execute(batchDedupeIfNewSQL, parameters, deadline: deadline)
            var next = 0
            for row in 0..<fresh.rowCount {
                guard let webhook = fresh.value(row: row, column: 0), let dedupeKey = fresh.value(row: row, column: 1)
                else { continue }
                // The rows come back in the order they went in: look on from the last one found first.
                let key = DeliveryKey(webhook: webhook, dedupeKey: dedupeKey)
                let found =
                    deliveries[next...].firstIndex(where: key.matches)
                    ?? deliveries[..<next].firstIndex(where: key.matches)
                guard let found else { continue }
                stored[found] = true
                next = found + 1
            }
            try copyEvents(deliveries, stored: stored, on: connection, deadline: deadline)
        }
        return stored
    }

    /// The `events` rows of the deliveries `stored` marks, by one binary `COPY`.
    private static func copyEvents(
        _ deliveries: [Delivery], stored: [Bool], on connection: PostgresConnection, deadline: Deadline
    ) throws(PostgresError) {
        let rows = stored.indices.filter { stored[$0] }
        guard !rows.isEmpty else { return }
        try connection.copyIn(EventCopyRows.sql, deadline: deadline, parts: rows.count) { part, out in
            EventCopyRows.write(deliveries[rows[part]], first: part == 0, last: part == rows.count - 1, into: &out)
        }
    }

    /// `body` in one transaction, committed durably ("200 after COMMIT" for every delivery, whatever the
    /// session, a pooler's, says); rolled back if it throws.
    private static func transaction(
        on connection: PostgresConnection, deadline: Deadline, _ body: () throws(PostgresError) -> Void
    ) throws(PostgresError) {
        try connection.execute("BEGIN; SET LOCAL synchronous_commit = on", deadline: deadline)
        do {
            try body()
            try connection.execute("COMMIT", deadline: deadline)
        } catch {
            if connection.isHealthy { _ = try? connection.execute("ROLLBACK", deadline: deadline) }
            throw error
        }
    }
}

/// PostgreSQL's array input syntax for text elements: `{"a","b\"c",NULL}`.
enum ArrayLiteral {
    static func text(_ elements: [String?]) -> String {
        // Written into the string's own storage, sized for the worst case (every byte escaped): this runs
        // three times for every delivery.
        let capacity = elements.reduce(2) { $0 + 2 * ($1?.utf8.count ?? 4) + 3 }
        return String(unsafeUninitializedCapacity: capacity) { out in
            var at = 0
            func put(_ byte: UInt8) {
                out[at] = byte
                at += 1
            }
            put(UInt8(ascii: "{"))
            for (index, element) in elements.enumerated() {
                if index > 0 { put(UInt8(ascii: ",")) }
                guard var element else {
                    for byte in "NULL".utf8 { put(byte) }
                    continue
                }
                put(UInt8(ascii: "\""))
                element.withUTF8 { bytes in
                    for byte in bytes {
                        if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { put(UInt8(ascii: "\\")) }
                        put(byte)
                    }
                }
                put(UInt8(ascii: "\""))
            }
            put(UInt8(ascii: "}"))
            return at
        }
    }
}
