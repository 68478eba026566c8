import Logging
import Testing
import WebhookCore

@testable import PostgresStore

@Suite(.serialized, .enabled(if: TestDatabase.available))
struct PostgresEventStoreTests {
    init() throws {
        try PostgresMigrator(connection: TestDatabase.connection(), logger: TestDatabase.logger).migrate()
    }

    @Test func migrateTwiceIsSafe() throws {
        let connection = try TestDatabase.connection()
        let migrator = PostgresMigrator(connection: connection, logger: TestDatabase.logger)
        #expect(try migrator.migrate() == [])
        #expect(try migrator.migrate() == [])
        #expect(try migrator.currentVersion() == PostgresMigrator.latestVersion)
    }

    @Test func migrateFromEmptyAppliesEverything() throws {
        let url = try #require(TestDatabase.url)
        let admin = try PostgresConnection(conninfo: url)
        let name = "winkhook_fresh_\(UInt32.random(in: 0...UInt32.max))"
        try admin.execute("CREATE DATABASE \(name)")
        defer { _ = try? admin.execute("DROP DATABASE \(name) WITH (FORCE)") }
        let fresh = try PostgresConnection(conninfo: url + " dbname=\(name)")
        let migrator = PostgresMigrator(connection: fresh, logger: TestDatabase.logger)
        #expect(try migrator.currentVersion() == 0)
        #expect(try migrator.migrate() == Migration.all.map(\.version))
        #expect(try migrator.migrate() == [])
    }

    @Test func partitionsExistForTodayAndTomorrow() throws {
        let sql = """
            SELECT count(*) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
            WHERE i.inhparent = 'winkhook.events'::regclass AND c.relname = ANY($1::text[])
            """
        let days = try TestDatabase.connection().execute(
            "SELECT 'events_' || to_char((now() AT TIME ZONE 'UTC')::date, 'YYYYMMDD'), "
                + "'events_' || to_char((now() AT TIME ZONE 'UTC')::date + 1, 'YYYYMMDD')")
        let today = try #require(days.value(row: 0, column: 0))
        let tomorrow = try #require(days.value(row: 0, column: 1))
        #expect(try TestDatabase.count(sql, ["{\(today),\(tomorrow)}"]) == 2)
    }

    @Test func everyPartitionKeepsRowsUpToAPageInline() throws {
        let sql = """
            SELECT count(*) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
            WHERE i.inhparent = 'winkhook.events'::regclass
              AND NOT coalesce(c.reloptions @> '{toast_tuple_target=8160}', false)
            """
        #expect(try TestDatabase.count(sql, []) == 0)
        let connection = try TestDatabase.connection()
        let later = "(now() AT TIME ZONE 'UTC')::date + 40"
        let name = try #require(
            connection.execute("SELECT 'events_' || to_char(\(later), 'YYYYMMDD')").value(row: 0, column: 0))
        _ = try connection.execute("DROP TABLE IF EXISTS winkhook.\(name)")
        defer { _ = try? connection.execute("DROP TABLE IF EXISTS winkhook.\(name)") }
        #expect(
            try connection.execute("SELECT winkhook.ensure_partitions(\(later), 1)").value(row: 0, column: 0) == "1")
        #expect(try TestDatabase.count(sql, []) == 0)
    }

    @Test func aDeliveryWritesArchiveDedupeAndPoints() throws {
        let webhook = TestDatabase.uniqueName("store")
        let store = PostgresEventStore(conninfo: try #require(TestDatabase.url), logger: TestDatabase.logger)
        #expect(try store.record(sampleDelivery(webhook: webhook)) == .inserted(points: 2))
        #expect(try TestDatabase.count("SELECT count(*) FROM winkhook.deliveries WHERE webhook = $1", [webhook]) == 1)
        #expect(try TestDatabase.count("SELECT count(*) FROM winkhook.dedupe WHERE webhook = $1", [webhook]) == 1)
        #expect(try TestDatabase.count("SELECT count(*) FROM winkhook.points WHERE webhook = $1", [webhook]) == 2)
        let row = try TestDatabase.connection().execute(
            """
            SELECT p.value::text, p.currency, p.property, p.channel, p.booking_id, p.event_key,
                   d.body->>'type', d.headers->>'user-agent', p.delivery = d.id,
                   p.occurred_at = '2026-08-10T14:22:31Z',
                   (SELECT e.tableoid::regclass::text FROM winkhook.events e WHERE e.id = d.id)
            FROM winkhook.points p JOIN winkhook.deliveries d ON d.id = p.delivery
            WHERE p.webhook = $1 AND p.metric = 'booking.gross_amount'
            """, [webhook])
        #expect(row.value(row: 0, column: 0) == "540.00")
        #expect(row.value(row: 0, column: 1) == "EUR")
        #expect(row.value(row: 0, column: 2) == "prop")
        #expect(row.value(row: 0, column: 3) == "chan")
        #expect(row.value(row: 0, column: 4) == "bk-1")
        #expect(row.value(row: 0, column: 5) == "booking.create")
        #expect(row.value(row: 0, column: 6) == "booking.create")
        #expect(row.value(row: 0, column: 7) == "test")
        #expect(row.value(row: 0, column: 8) == "t")
        #expect(row.value(row: 0, column: 9) == "t")
        #expect(row.value(row: 0, column: 10)?.hasPrefix("winkhook.events_2") == true)
    }

    @Test func theArchiveKeepsTheBodyByteForByte() throws {
        // jsonb would reorder the members, drop the spacing and the repeated name, and respell 1.50e2.
        let body = "{ \"type\": \"booking.create\",\n  \"b\": 1.50e2, \"a\": [ ], \"a\": \"é\" }"
        let webhook = TestDatabase.uniqueName("raw")
        let store = PostgresEventStore(conninfo: try #require(TestDatabase.url), logger: TestDatabase.logger)
        #expect(try store.record(sampleDelivery(webhook: webhook, body: body)) == .inserted(points: 2))
        #expect(
            try store.recordBatch([
                sampleDelivery(webhook: webhook, dedupeKey: "id:b1", body: body),
                sampleDelivery(webhook: webhook, dedupeKey: "id:b2", body: body),
            ]) == [.inserted(points: 2), .inserted(points: 2)])
        let rows = try TestDatabase.connection().execute(
            """
            SELECT raw_body, encode(sha256(convert_to(raw_body, 'UTF8')), 'hex') = body_sha256, body->>'a'
            FROM winkhook.deliveries WHERE webhook = $1 ORDER BY dedupe_key
            """, [webhook])
        #expect(rows.rowCount == 3)
        for row in 0..<rows.rowCount {
            #expect(rows.value(row: row, column: 0) == body)
            #expect(rows.value(row: row, column: 1) == "t")
            #expect(rows.value(row: row, column: 2) == "é")
        }
    }

    @Test func aDuplicateAddsNoRows() throws {
        let webhook = TestDatabase.uniqueName("dup")
        let store = PostgresEventStore(conninfo: try #require(TestDatabase.url), logger: TestDatabase.logger)
        #expect(try store.record(sampleDelivery(webhook: webhook)) == .inserted(points: 2))
        #expect(try store.record(sampleDelivery(webhook: webhook)) == .duplicate)
        #expect(try TestDatabase.count("SELECT count(*) FROM winkhook.deliveries WHERE webhook = $1", [webhook]) == 1)
        #expect(try TestDatabase.count("SELECT count(*) FROM winkhook.points WHERE webhook = $1", [webhook]) == 2)
        // The same key on another webhook is a different delivery.
        #expect(try store.record(sampleDelivery(webhook: webhook + "-other")) == .inserted(points: 2))
    }

    @Test func rejectedBodiesKeepTheirExactBytesOncePerDelivery() throws {
        let webhook = TestDatabase.uniqueName("rejected")
        let store = PostgresEventStore(conninfo: try #require(TestDatabase.url), logger: TestDatabase.logger)
        let body: [UInt8] = [0x7B, 0x00, 0xFF, 0x22]
        for _ in 0..<3 {
            try store.recordRejected(
                RejectedDelivery(
                    webhook: webhook, dedupeKey: "id:msg_retried", receivedAt: Timestamp(seconds: 1_780_000_000),
                    reason: "not JSON", headers: .object([:]), body: body))
        }
        try store.recordRejected(
            RejectedDelivery(
                webhook: webhook, dedupeKey: "id:msg_other", receivedAt: Timestamp(seconds: 1_780_000_000),
                reason: "not JSON", headers: .object([:]), body: body))
        let row = try TestDatabase.connection().execute(
            "SELECT encode(body, 'hex'), reason, dedupe_key FROM winkhook.rejected_deliveries WHERE webhook = $1 "
                + "ORDER BY id", [webhook])
        #expect(row.rowCount == 2)
        #expect(row.value(row: 0, column: 0) == "7b00ff22")
        #expect(row.value(row: 0, column: 1) == "not JSON")
        #expect(row.value(row: 0, column: 2) == "id:msg_retried")
        #expect(row.value(row: 1, column: 2) == "id:msg_other")
    }

    @Test func theSessionCommitsSynchronouslyWhateverTheServerDefault() throws {
        // A server (or database, or role) default of off must not weaken "200 after COMMIT".
        let url = try #require(TestDatabase.url)
        let connection = try PostgresConnection(conninfo: url + " options='-c synchronous_commit=off'")
        #expect(try connection.execute("SHOW synchronous_commit").value(row: 0, column: 0) == "on")
        try connection.reset()
        #expect(try connection.execute("SHOW synchronous_commit").value(row: 0, column: 0) == "on")
    }

    @Test func dataThePostgresRefusesIsInvalidDataNotUnavailable() throws {
        let store = PostgresEventStore(conninfo: try #require(TestDatabase.url), logger: TestDatabase.logger)
        let error = #expect(throws: EventStoreError.self) {
            try store.record(sampleDelivery(webhook: TestDatabase.uniqueName("bad"), body: "{\"a\":\"\u{0}\"}"))
        }
        #expect(error?.code == .invalidData)
    }

    @Test func aKilledConnectionIsReestablishedOnce() throws {
        let app = TestDatabase.uniqueName("app")
        let url = try #require(TestDatabase.url)
        let store = PostgresEventStore(conninfo: url + " application_name=\(app)", logger: TestDatabase.logger)
        let webhook = TestDatabase.uniqueName("reconnect")
        #expect(try store.record(sampleDelivery(webhook: webhook, dedupeKey: "id:a")) == .inserted(points: 2))
        #expect(
            try TestDatabase.count(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1", [app]) == 1
        )
        #expect(try store.record(sampleDelivery(webhook: webhook, dedupeKey: "id:b")) == .inserted(points: 2))
    }

    @Test func anUnreachableServerIsUnavailable() throws {
        let store = PostgresEventStore(
            conninfo: "host=/nonexistent-winkhook port=1 dbname=x connect_timeout=1", logger: TestDatabase.logger)
        let error = #expect(throws: EventStoreError.self) { try store.record(sampleDelivery(webhook: "x")) }
        #expect(error?.code == .unavailable)
        #expect(error.map { !$0.description.contains("nonexistent") } == true)
    }

    @Test func rowsOutsideEveryPartitionAreMovedWhenTheirDayIsCreated() throws {
        let connection = try TestDatabase.connection()
        let webhook = TestDatabase.uniqueName("future")
        let days = String(Int.random(in: 400...20_000))  // a day no other run has created
        let day = try #require(
            connection.execute("SELECT ((now() AT TIME ZONE 'UTC')::date + $1::integer)::text", [days])
                .value(row: 0, column: 0))
        try connection.execute(
            """
            INSERT INTO winkhook.events (time, received_at, webhook, event_key, disposition, dedupe_key,
                                         body_sha256, headers, body)
            VALUES ($1::date::timestamp AT TIME ZONE 'UTC' + interval '1 hour', now(), $2, 'k', 'stored', 'x', 'h',
                    '{}', '{}')
            """, [day, webhook])
        #expect(
            try TestDatabase.count("SELECT count(*) FROM winkhook.events_default WHERE webhook = $1", [webhook]) == 1)
        #expect(try TestDatabase.count("SELECT winkhook.ensure_partitions($1::date, 1)", [day]) == 1)
        #expect(
            try TestDatabase.count("SELECT count(*) FROM winkhook.events_default WHERE webhook = $1", [webhook]) == 0)
        #expect(try TestDatabase.count("SELECT count(*) FROM winkhook.events WHERE webhook = $1", [webhook]) == 1)
        try connection.execute("DROP TABLE winkhook.events_\(day.replacingAll("-", with: ""))")
    }
}

extension String {
    func replacingAll(_ target: Character, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
