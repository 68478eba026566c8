import Clocks
import Glibc
import Logging
import Testing
import WebhookCore

@testable import PostgresStore

/// Batches, the request deadline, the breaker and servers that lose prepared statements, on a real server.
@Suite(.serialized, .enabled(if: TestDatabase.available))
struct PostgresFaultTests {
    init() throws {
        try PostgresMigrator(connection: TestDatabase.connection(), logger: TestDatabase.logger).migrate()
    }

    func url() throws -> String { try #require(TestDatabase.url) }

    @Test func aBatchFindsDuplicatesInsideAndOutsideIt() throws {
        let webhook = TestDatabase.uniqueName("batch")
        let store = PostgresEventStore(conninfo: try url(), logger: TestDatabase.logger)
        #expect(try store.record(sampleDelivery(webhook: webhook, dedupeKey: "id:old")) == .inserted(points: 2))
        let tricky = #"{"type":"booking.create","quote":"a \"b\" \\ c","unicode":"é ✓ 𝄞","list":[1,{"x":null}]}"#
        let batch = [
            sampleDelivery(webhook: webhook, dedupeKey: "id:a"),
            sampleDelivery(webhook: webhook, dedupeKey: "id:old"),
            sampleDelivery(webhook: webhook, dedupeKey: "id:b", body: tricky),
            sampleDelivery(webhook: webhook, dedupeKey: "id:a"),
        ]
        let results = try store.recordBatch(batch)
        #expect(results == [.inserted(points: 2), .duplicate, .inserted(points: 2), .duplicate])
        #expect(try TestDatabase.count("SELECT count(*) FROM winkhook.deliveries WHERE webhook = $1", [webhook]) == 3)
        #expect(try TestDatabase.count("SELECT count(*) FROM winkhook.points WHERE webhook = $1", [webhook]) == 6)
        let stored = try TestDatabase.connection().execute(
            "SELECT body->>'quote', body->>'unicode' FROM winkhook.deliveries WHERE webhook = $1 AND dedupe_key = 'id:b'",
            [webhook])
        #expect(stored.value(row: 0, column: 0) == #"a "b" \ c"#)
        #expect(stored.value(row: 0, column: 1) == "é ✓ 𝄞")
    }

    @Test func aBatchWritesEveryColumnAsASingleWriteDoes() throws {
        // The batch sends its rows by binary COPY, the single write as text parameters: the rows must agree.
        let batched = TestDatabase.uniqueName("batch-cols")
        let single = batched + "-single"
        let store = PostgresEventStore(conninfo: try url(), logger: TestDatabase.logger)
        var tricky = sampleDelivery(
            webhook: batched, dedupeKey: #"id:q"u\o\"te"#,
            body: #"{"type":"booking.create","quote":"a \"b\" \\ c","unicode":"é ✓ 𝄞","empty":""}"#)
        tricky.sentKey = #"booking."created"\"#
        tricky.headers = .object(["user-agent": .string("ü \"x\" \\"), "x-empty": .string("")])
        tricky.dimensions.entity = nil
        tricky.dimensions.subject = ""
        tricky.dimensions.status = "NULL"
        var plain = sampleDelivery(webhook: batched, dedupeKey: "id:plain")
        plain.sentKey = nil
        #expect(try store.recordBatch([tricky, plain]) == [.inserted(points: 2), .inserted(points: 2)])
        for var delivery in [tricky, plain] {
            delivery.webhook = single
            #expect(try store.record(delivery) == .inserted(points: 2))
        }
        let rows = """
            SELECT string_agg((to_jsonb(e) - 'id' - 'webhook' - 'xact')::text, ' ' ORDER BY dedupe_key)
            FROM winkhook.events e WHERE webhook = $1
            """
        let fromBatch = try TestDatabase.connection().execute(rows, [batched]).value(row: 0, column: 0)
        let fromSingle = try TestDatabase.connection().execute(rows, [single]).value(row: 0, column: 0)
        #expect(fromBatch != nil)
        #expect(fromBatch == fromSingle)
        #expect(fromBatch?.contains(#""sent_key": null"#) == true)
        #expect(fromBatch?.contains(#""state": "NULL""#) == true)
    }

    /// Numbers in every spelling JSON allows.
    static let numbers = [
        "0", "-0", "0.000", "1", "-1", "540.00", "1e3", "1E+3", "-2.5e-3", "1.50e1", "9999", "10000", "0.0001",
        "12345678901234567890.123456789012345", "1e-20", "-123.456e2", "100000000", "7e999", "5e-999",
    ]

    /// `count` deliveries, `id:0`…, with the numbers in turn as values and booking amounts, and dates,
    /// times, NULLs, empty and partly NULL arrays.
    static func numberDeliveries(webhook: String, count: Int) throws -> [Delivery] {
        try (0..<count).map { index in
            var delivery = sampleDelivery(
                webhook: webhook, dedupeKey: "id:\(index)", body: #"{"type":"booking.create","name":"Zürich ☃"}"#)
            let value = try #require(DecimalText(.number(numbers[index % numbers.count])))
            delivery.points = [
                MetricPoint(metric: "booking.count", value: .one),
                MetricPoint(metric: "booking.value", value: value, currency: index % 2 == 0 ? "CHF" : nil),
            ]
            if index % 3 == 0 { delivery.points = [] }
            if index % 2 == 0 {
                delivery.booking = BookingState(
                    version: Int64(index) - 5, stayStart: CalendarDay(number: 20_800 + index),
                    stayEnd: CalendarDay(number: 10_000 - index), roomNights: value, rooms: .one, gross: value,
                    net: nil, currency: "CHF", bookedAt: Timestamp(microseconds: 946_684_799_999_999 + Int64(index)))
            }
            if index % 4 == 1 { delivery.sentKey = nil }
            return delivery
        }
    }

    /// A small batch is one statement, a large one (`copyFrom` deliveries or more) a binary `COPY`, whose
    /// numbers (`numeric`'s binary form), dates and times winkhook encodes itself: both must write what
    /// the single write does.
    @Test(arguments: [numbers.count, 4 * numbers.count])
    func aBatchWritesNumbersDatesAndTimesAsASingleWriteDoes(size: Int) throws {
        #expect((size >= PostgresEventStore.copyFrom) == (size > Self.numbers.count))
        let webhook = TestDatabase.uniqueName("numbers")
        let store = PostgresEventStore(conninfo: try url(), logger: TestDatabase.logger)
        // One set of deliveries (their receipt times too), written one by one and, under another webhook, as
        // a batch.
        let deliveries = try Self.numberDeliveries(webhook: webhook, count: size)
        for delivery in deliveries.prefix(Self.numbers.count) {
            #expect(try store.record(delivery) == .inserted(points: delivery.points.count))
        }
        let batch = deliveries.map { delivery in
            var copy = delivery
            copy.webhook = webhook + "-batch"
            return copy
        }
        #expect(try store.recordBatch(batch) == batch.map { .inserted(points: $0.points.count) })
        // As text, so that 540.00 and 540.0 differ (jsonb's equality compares numbers as numbers).
        let compared = try TestDatabase.connection().execute(
            """
            SELECT a.dedupe_key, (to_jsonb(a) - '{id,webhook,xact}'::text[])::text
                                 = (to_jsonb(b) - '{id,webhook,xact}'::text[])::text
            FROM winkhook.events a JOIN winkhook.events b USING (dedupe_key)
            WHERE a.webhook = $1 AND b.webhook = $1 || '-batch'
            """, [webhook])
        #expect(compared.rowCount == Self.numbers.count)
        let differing = (0..<compared.rowCount).filter { compared.value(row: $0, column: 1) != "t" }
        #expect(differing.isEmpty, "rows that differ: \(differing.map { compared.value(row: $0, column: 0) ?? "" })")
        let zero = try TestDatabase.connection().execute(
            "SELECT metric_values[2]::text FROM winkhook.events WHERE webhook = $1 || '-batch' AND dedupe_key = 'id:1'",
            [webhook])
        #expect(zero.value(row: 0, column: 0) == "0")  // "-0"
        // Written again, every one is a duplicate, and nothing is added.
        #expect(try store.recordBatch(batch) == batch.map { _ in .duplicate })
        // A store whose last batch met no stored key tries the plain insert first: a key already there
        // fails it, and the checked insert in a new transaction writes the new ones.
        let other = PostgresEventStore(conninfo: try url(), logger: TestDatabase.logger)
        var mixed = try Self.numberDeliveries(webhook: webhook + "-mixed", count: size)
        mixed[size / 2] = batch[3]
        mixed[size - 1] = batch[5]
        let expected = mixed.indices.map {
            [size / 2, size - 1].contains($0) ? .duplicate : RecordResult.inserted(points: mixed[$0].points.count)
        }
        #expect(try other.recordBatch(mixed) == expected)
        // The first store met stored keys last: it checks each key first, then goes back to the plain insert.
        let later = try Self.numberDeliveries(webhook: webhook + "-later", count: size)
        #expect(try store.recordBatch(later) == later.map { .inserted(points: $0.points.count) })
        #expect(try store.recordBatch(later.reversed()) == later.map { _ in .duplicate })
        for (name, count) in [("-batch", size), ("-mixed", size - 2), ("-later", size)] {
            #expect(
                try TestDatabase.count("SELECT count(*) FROM winkhook.events WHERE webhook = $1", [webhook + name])
                    == count)
            #expect(
                try TestDatabase.count("SELECT count(*) FROM winkhook.dedupe WHERE webhook = $1", [webhook + name])
                    == count)
        }
    }

    @Test(arguments: [2, PostgresEventStore.copyFrom])
    func aBatchWithDataThePostgresRefusesIsInvalidDataAndWritesNothing(size: Int) throws {
        let webhook = TestDatabase.uniqueName("batch-bad")
        let store = PostgresEventStore(conninfo: try url(), logger: TestDatabase.logger)
        // Text cannot hold a NUL byte (the parser refuses one before a delivery gets this far).
        var batch = (0..<size).map { sampleDelivery(webhook: webhook, dedupeKey: "id:fine\($0)") }
        batch[size - 1] = sampleDelivery(webhook: webhook, dedupeKey: "id:bad", body: "{\"a\":\"\u{0}\"}")
        let error = #expect(throws: EventStoreError.self) { try store.recordBatch(batch) }
        #expect(error?.code == .invalidData)
        #expect(try TestDatabase.count("SELECT count(*) FROM winkhook.dedupe WHERE webhook = $1", [webhook]) == 0)
        // The connection is still usable, out of the failed transaction.
        let good = Array(batch.dropLast())
        #expect(try store.recordBatch(good) == good.map { _ in .inserted(points: 2) })
    }

    @Test func aStatementPastTheDeadlineIsCancelledAndTheBreakerOpens() throws {
        let webhook = TestDatabase.uniqueName("deadline")
        // Another session holds the delivery's dedupe row uncommitted: the insert waits on it.
        let holder = try TestDatabase.connection()
        try holder.execute("BEGIN")
        try holder.execute(
            "INSERT INTO winkhook.dedupe (webhook, dedupe_key, received_at) VALUES ($1, 'id:held', now())", [webhook])
        // Its own application name: other suites write to winkhook.dedupe at the same time.
        let store = PostgresEventStore(
            conninfo: try url() + " application_name=\(webhook)", logger: TestDatabase.logger,
            options: .init(deadlineSeconds: 2))
        let started = SystemClock.monotonicMicros()
        let error = #expect(throws: EventStoreError.self) {
            try store.record(sampleDelivery(webhook: webhook, dedupeKey: "id:held"))
        }
        let took = SystemClock.monotonicMicros() - started
        #expect(error?.code == .unavailable)
        #expect(took >= 1_500_000 && took < 4_000_000, "took \(took) µs")
        // Known down: the next delivery is refused at once, without a connection attempt.
        let quick = SystemClock.monotonicMicros()
        let refused = #expect(throws: EventStoreError.self) {
            try store.record(sampleDelivery(webhook: webhook, dedupeKey: "id:other"))
        }
        #expect(refused?.detail.contains("moments ago") == true)
        #expect(SystemClock.monotonicMicros() - quick < 100_000)
        try holder.execute("ROLLBACK")
        // After the back-off one delivery probes, and it goes through.
        usleep(1_100_000)
        #expect(try store.record(sampleDelivery(webhook: webhook, dedupeKey: "id:held")) == .inserted(points: 2))
        #expect(
            try TestDatabase.count(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1 AND state = 'active'", [webhook])
                == 0)
    }

    @Test func aServerThatLosesPreparedStatementsGetsThemUnnamed() throws {
        let connection = try PostgresConnection(conninfo: try url())
        let sql = "SELECT $1::int + 1"
        #expect(try connection.executePrepared("plus_one", sql: sql, ["1"]).value(row: 0, column: 0) == "2")
        // What a transaction-pooling PgBouncer does: the next statement lands where it was never prepared.
        try connection.execute("DEALLOCATE ALL")
        #expect(try connection.executePrepared("plus_one", sql: sql, ["2"]).value(row: 0, column: 0) == "3")
        #expect(connection.detectedPooler && !connection.usesPreparedStatements)
        #expect(try connection.executePrepared("plus_one", sql: sql, ["3"]).value(row: 0, column: 0) == "4")
        let unnamed = try PostgresConnection(conninfo: try url(), preparedStatements: false)
        #expect(try unnamed.executePrepared("plus_one", sql: sql, ["9"]).value(row: 0, column: 0) == "10")
        #expect(try unnamed.execute("SELECT count(*) FROM pg_prepared_statements").value(row: 0, column: 0) == "0")
    }

    @Test func keysThatDifferOnlyInUnicodeNormalisationAreTwoDeliveries() throws {
        let webhook = TestDatabase.uniqueName("nfd")
        let store = PostgresEventStore(conninfo: try url(), logger: TestDatabase.logger)
        let results = try store.recordBatch([
            sampleDelivery(webhook: webhook, dedupeKey: "id:\u{E9}"),
            sampleDelivery(webhook: webhook, dedupeKey: "id:e\u{301}"),
        ])
        #expect(results == [.inserted(points: 2), .inserted(points: 2)])
    }

    @Test func theArrayLiteralEscapesQuotesAndBackslashes() {
        #expect(ArrayLiteral.text(["a", nil, #"b"c\d"#, ""]) == #"{"a",NULL,"b\"c\\d",""}"#)
        #expect(ArrayLiteral.text(["été", #"\\""#]) == #"{"été","\\\\\""}"#)
        #expect(ArrayLiteral.text([]) == "{}")
    }
}
