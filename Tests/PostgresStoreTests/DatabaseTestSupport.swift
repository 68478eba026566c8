import Clocks
import Glibc
import Logging
import Testing
import WebhookCore

@testable import PostgresStore

/// The test database, from `WINKHOOK_TEST_DATABASE_URL` (set by `make test`). Under `CI=true` a missing
/// database is a failure, never a skip.
enum TestDatabase {
    static let url: String? = getenv("WINKHOOK_TEST_DATABASE_URL").map { String(cString: $0) }
    static let isCI = getenv("CI").map { String(cString: $0) == "true" } ?? false
    static var available: Bool { url != nil || isCI }

    static func connection(_ extra: String = "") throws -> PostgresConnection {
        let url = try #require(url, "WINKHOOK_TEST_DATABASE_URL is not set; run `make test`")
        return try PostgresConnection(conninfo: url + extra)
    }

    static func count(_ sql: String, _ parameters: [String?] = []) throws -> Int {
        let result = try connection().execute(sql, parameters)
        return result.value(row: 0, column: 0).flatMap { Int($0) } ?? -1
    }

    static var logger: Logger { Logger(label: "test") }

    /// A new, empty database on the test server (for tests that change the whole schema: retention,
    /// upgrades), migrated unless `migrated` is false. Returns its conninfo.
    static func fresh(_ name: String, migrated: Bool = true) throws -> String {
        let base = try #require(url, "WINKHOOK_TEST_DATABASE_URL is not set; run `make test`")
        let admin = try connection()
        try admin.execute("DROP DATABASE IF EXISTS \"\(name)\" WITH (FORCE)")
        try admin.execute("CREATE DATABASE \"\(name)\"")
        let conninfo =
            base.split(separator: " ").filter { !$0.hasPrefix("dbname=") }.joined(separator: " ") + " dbname=\(name)"
        if migrated {
            try PostgresMigrator(connection: PostgresConnection(conninfo: conninfo), logger: logger).migrate()
        }
        return conninfo
    }

    /// A webhook name no other test uses.
    static func uniqueName(_ prefix: String) -> String {
        "\(prefix)-\(UInt64.random(in: 0...UInt64.max))"
    }
}

func sampleDelivery(webhook: String, dedupeKey: String = "id:msg_1", body: String = #"{"type":"booking.create"}"#)
    -> Delivery
{
    guard let bookingCreate = EventKey("booking.create"), let amount = DecimalText(.number("540.00")) else {
        preconditionFailure("constant test values must parse")
    }
    let dimensions = EventDimensions(
        entity: "ent", property: "prop", channel: "chan", bookingID: "bk-1",
        occurredAt: Timestamp(iso8601: "2026-08-10T14:22:31Z"))
    let now = Timestamp(microseconds: SystemClock.wallMicros())
    return Delivery(
        webhook: webhook, dedupeKey: dedupeKey, eventKey: bookingCreate, sentKey: "booking.created",
        disposition: .stored, receivedAt: now,
        headers: .object(["user-agent": .string("test"), "webhook-id": .string("msg_1")]),
        body: Array(body.utf8), bodySHA256: DeliveryIdentity.sha256Hex(Array(body.utf8)),
        points: [
            MetricPoint(metric: "booking.count", value: .one),
            MetricPoint(metric: "booking.gross_amount", value: amount, currency: "EUR"),
        ], dimensions: dimensions)
}
