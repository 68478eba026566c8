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
        // The batch sends its text columns in binary form, the single write as text: the rows must agree.
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
