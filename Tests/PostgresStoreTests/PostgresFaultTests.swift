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

    @Test func aBatchIsOneStatementWithDuplicatesFoundInsideAndOutsideIt() throws {
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

    /// The batch encodes numbers (`numeric`'s binary form), dates and times itself: in every spelling JSON
    /// allows, with NULLs and empty and partly NULL arrays, they must be the values the text path gives.
    @Test func aBatchWritesNumbersDatesAndTimesAsASingleWriteDoes() throws {
        let webhook = TestDatabase.uniqueName("copy")
        let store = PostgresEventStore(conninfo: try #require(TestDatabase.url), logger: TestDatabase.logger)
        let numbers = [
            "0", "-0", "0.000", "1", "-1", "540.00", "1e3", "1E+3", "-2.5e-3", "1.50e1", "9999", "10000", "0.0001",
            "12345678901234567890.123456789012345", "1e-20", "-123.456e2", "100000000", "7e999", "5e-999",
        ]
        var deliveries: [Delivery] = []
        for (index, number) in numbers.enumerated() {
            var delivery = sampleDelivery(
                webhook: webhook, dedupeKey: "id:\(index)", body: #"{"type":"booking.create","name":"Zürich ☃"}"#)
            let value = try #require(DecimalText(.number(number)))
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
            deliveries.append(delivery)
        }
        for delivery in deliveries { #expect(try store.record(delivery) == .inserted(points: delivery.points.count)) }
        let batched = deliveries.map { delivery in
            var copy = delivery
            copy.webhook = webhook + "-batch"
            return copy
        }
        #expect(try store.recordBatch(batched) == batched.map { .inserted(points: $0.points.count) })
        // As text, so that 540.00 and 540.0 differ (jsonb's equality compares numbers as numbers).
        let differing = try TestDatabase.connection().execute(
            """
            SELECT a.dedupe_key FROM winkhook.events a JOIN winkhook.events b USING (dedupe_key)
            WHERE a.webhook = $1 AND b.webhook = $1 || '-batch'
              AND (to_jsonb(a) - '{id,webhook,xact}'::text[])::text IS DISTINCT FROM
                  (to_jsonb(b) - '{id,webhook,xact}'::text[])::text
            """, [webhook])
        #expect(
            differing.rowCount == 0,
            "rows that differ: \((0..<differing.rowCount).map { differing.value(row: $0, column: 0) ?? "" })")
        #expect(
            try TestDatabase.count("SELECT count(*) FROM winkhook.events WHERE webhook = $1", [webhook + "-batch"])
                == numbers.count)
        let values = try TestDatabase.connection().execute(
            """
            SELECT metric_values[2]::text FROM winkhook.events
            WHERE webhook = $1 || '-batch' AND cardinality(metrics) = 2 ORDER BY id
            """, [webhook])
        #expect(values.value(row: 0, column: 0) == "0")  // "-0" (index 1) is zero
        // Written again, every one is a duplicate, and nothing is added; with new ones among them (the plain
        // insert fails on the first key already there, the checked one then writes the new ones), and new
        // ones after that.
        #expect(try store.recordBatch(batched) == batched.map { _ in .duplicate })
        let fresh = (0..<2).map { sampleDelivery(webhook: webhook + "-batch", dedupeKey: "id:new\($0)") }
        #expect(
            try store.recordBatch([fresh[0], batched[1], fresh[1], batched[3]])
                == [.inserted(points: 2), .duplicate, .inserted(points: 2), .duplicate])
        let later = (0..<3).map { sampleDelivery(webhook: webhook + "-batch", dedupeKey: "id:later\($0)") }
        #expect(try store.recordBatch(later) == later.map { _ in .inserted(points: 2) })
        #expect(try store.recordBatch(later.reversed()) == later.map { _ in .duplicate })
        #expect(
            try TestDatabase.count("SELECT count(*) FROM winkhook.events WHERE webhook = $1", [webhook + "-batch"])
                == numbers.count + 5)
    }

    @Test func aBatchWithDataThePostgresRefusesIsInvalidDataAndWritesNothing() throws {
        let webhook = TestDatabase.uniqueName("batch-bad")
        let store = PostgresEventStore(conninfo: try url(), logger: TestDatabase.logger)
        // Text cannot hold a NUL byte (the parser refuses one before a delivery gets this far).
        let bad = sampleDelivery(webhook: webhook, dedupeKey: "id:bad", body: "{\"a\":\"\u{0}\"}")
        let error = #expect(throws: EventStoreError.self) {
            try store.recordBatch([sampleDelivery(webhook: webhook, dedupeKey: "id:fine"), bad])
        }
        #expect(error?.code == .invalidData)
        #expect(try TestDatabase.count("SELECT count(*) FROM winkhook.dedupe WHERE webhook = $1", [webhook]) == 0)
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
        let started = Deadline.nowMicros()
        let error = #expect(throws: EventStoreError.self) {
            try store.record(sampleDelivery(webhook: webhook, dedupeKey: "id:held"))
        }
        let took = Deadline.nowMicros() - started
        #expect(error?.code == .unavailable)
        #expect(took >= 1_500_000 && took < 4_000_000, "took \(took) µs")
        // Known down: the next delivery is refused at once, without a connection attempt.
        let quick = Deadline.nowMicros()
        let refused = #expect(throws: EventStoreError.self) {
            try store.record(sampleDelivery(webhook: webhook, dedupeKey: "id:other"))
        }
        #expect(refused?.detail.contains("moments ago") == true)
        #expect(Deadline.nowMicros() - quick < 100_000)
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
