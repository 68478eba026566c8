import WebhookCore

/// Many deliveries in one transaction. A small batch (a group of requests served together) is one
/// statement, one round trip. A large one (the drainer's) is their `dedupe` rows in one statement, then
/// the `events` rows of those that were new in one binary `COPY`: five round trips, and none of a
/// statement's per-row work (arrays to unnest, a join, text to parse) for the rows themselves.
extension PostgresEventStore {
    /// Deliveries from which a batch goes by `COPY`: below, the single statement's round trip is worth
    /// more than the server's per-row work it saves (commit mode's groups: 7,700 against 6,000 req/s).
    static let copyFrom = 64

    /// Deliveries per batch at most.
    public static let batchLimit = 500
    /// Body bytes per batch at most (a batch stops growing past this).
    public static let batchByteLimit = 8 << 20
    /// What a drainer's store should allow a batch (its `deadlineSeconds`): 500 deliveries or 8 MiB.
    public static let batchDeadlineSeconds = 60

    /// `recordSQL` over arrays, for a small batch: unnest the columns, de-duplicate against the table,
    /// write the rows that are new, and return `(webhook, dedupe_key)` for each.
    static let groupSQL = """
        WITH input AS (
            SELECT * FROM \(unnest(rowColumns))
        ), d AS (
            INSERT INTO winkhook.dedupe (webhook, dedupe_key, received_at)
            SELECT webhook, dedupe_key, timestamptz 'epoch' + micros * interval '1 microsecond' FROM input
            ON CONFLICT DO NOTHING
            RETURNING webhook, dedupe_key, received_at
        ), e AS (
            INSERT INTO winkhook.events (\(eventColumns))
            SELECT timestamptz 'epoch' + i.time_micros * interval '1 microsecond', d.received_at, i.webhook,
                   i.event_key, i.sent_key, i.disposition, i.dedupe_key, i.body_sha256, i.entity, i.property,
                   i.channel, i.booking_id, i.subject, i.room_type, i.state,
                   timestamptz 'epoch' + i.occurred_micros * interval '1 microsecond', i.metrics::text[],
                   i.metric_values::numeric[], i.metric_currencies::text[], i.version, i.stay_start, i.stay_end,
                   i.room_nights, i.rooms, i.gross, i.net, i.currency,
                   timestamptz 'epoch' + i.booked_micros * interval '1 microsecond', i.headers::jsonb, i.body
            FROM d JOIN input i USING (webhook, dedupe_key)
            RETURNING webhook, dedupe_key
        ), s AS (
            SELECT set_config('synchronous_commit', 'on', true) AS setting
        )
        SELECT e.webhook, e.dedupe_key FROM e CROSS JOIN s
        """

    /// A small batch (no two with one key) in one statement; for each, whether it was stored.
    static func writeGroup(_ deliveries: [Delivery], on connection: PostgresConnection, deadline: Deadline)
        throws(PostgresError) -> [Bool]
    {
        let rows = deliveries.map(rowParameters)
        let parameters = rowColumns.enumerated().map { column, spec in
            arrayParameter(rows.map { $0[column] }, type: spec.type)
        }
        let result = try connection.executePrepared(
            "winkhook_record_batch", sql: groupSQL, parameters, deadline: deadline)
        // Its one transaction is committed: a row that matches nothing cannot be undone, only reported.
        return try stored(deliveries, returned: result)
    }

    /// Which of `deliveries` the `(webhook, dedupe_key)` rows of `result` name. A row that names none
    /// fails the batch (its transaction must not commit a `dedupe` row with no `events` row).
    private static func stored(_ deliveries: [Delivery], returned result: PostgresResult) throws(PostgresError)
        -> [Bool]
    {
        var stored = [Bool](repeating: false, count: deliveries.count)
        var next = 0
        for row in 0..<result.rowCount {
            let key = DeliveryKey(
                webhook: result.value(row: row, column: 0) ?? "", dedupeKey: result.value(row: row, column: 1) ?? "")
            // The rows come back in the order they went in: look on from the last one found first.
            guard
                let found = deliveries[next...].firstIndex(where: key.matches)
                    ?? deliveries[..<next].firstIndex(where: key.matches), !stored[found]
            else {
                throw PostgresError(.protocolError, message: "the server returned a key the batch did not hold")
            }
            stored[found] = true
            next = found + 1
        }
        return stored
    }

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
                    let inserted = try connection.execute(batchDedupeSQL, parameters, deadline: deadline)
                    guard inserted.affectedRows == deliveries.count else {
                        throw PostgresError(.protocolError, message: "the server inserted fewer keys than sent")
                    }
                    try copyEvents(deliveries, stored: all, on: connection, deadline: deadline)
                }
                return all
            } catch {
                guard error.sqlState == .uniqueViolation else { throw error }
            }
        }
        var stored: [Bool] = []
        try transaction(on: connection, deadline: deadline) { () throws(PostgresError) in
            let fresh = try connection.execute(batchDedupeIfNewSQL, parameters, deadline: deadline)
            stored = try PostgresEventStore.stored(deliveries, returned: fresh)
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
        do {
            try connection.execute("BEGIN; SET LOCAL synchronous_commit = on", deadline: deadline)
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
