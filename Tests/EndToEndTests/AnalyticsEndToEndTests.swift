import Foundation
import Testing
import WebhookCore

@testable import PostgresStore

extension EndToEnd {
    /// `simulate`, `maintain`, `stats` and `report` as a user runs them, on a database of their own; the
    /// report rendered by headless Chromium; maintenance supervised by `serve`.
    @Suite(.serialized)
    struct AnalyticsEndToEndTests {
        let environment: E2EEnvironment
        let databaseURL: String
        let config: String

        init() throws {
            environment = try E2EEnvironment.require()
            let admin = try PostgresConnection(conninfo: environment.databaseURL)
            try admin.execute("DROP DATABASE IF EXISTS winkhook_e2e_analytics WITH (FORCE)")
            try admin.execute("CREATE DATABASE winkhook_e2e_analytics")
            databaseURL =
                environment.databaseURL.split(separator: " ").filter { !$0.hasPrefix("dbname=") }
                .joined(separator: " ") + " dbname=winkhook_e2e_analytics"
            let base = try environment.writeConfig(name: "analytics", webhook: "analytics", databaseURL: databaseURL)
            config = base
            try (String(contentsOfFile: base, encoding: .utf8) + "\n[maintenance]\ninterval = 5\n")
                .replacingOccurrences(of: "[[webhook]]", with: "[retention]\ndays = 400\n\n[[webhook]]")
                .write(toFile: base, atomically: true, encoding: .utf8)
            #expect(try runBinary(environment, ["migrate", "--config", config]).0 == 0)
        }

        func run(_ arguments: [String]) throws -> (Int32, String) {
            try runBinary(environment, arguments + ["--config", config])
        }

        func count(_ sql: String) throws -> Int {
            try PostgresConnection(conninfo: databaseURL).execute(sql).value(row: 0, column: 0).flatMap { Int($0) }
                ?? -1
        }

        @Test func simulateThenStatsAgreeWithTheRows() throws {
            let (status, output) = try run(["simulate", "--days", "30", "--per-day", "20", "--seed", "7"])
            #expect(status == 0, "\(output)")
            #expect(output.contains("simulated") && output.contains("rolled up"))
            let created = try count("SELECT count(*) FROM winkhook.events WHERE event_key = 'booking.create'")
            #expect(created > 400)
            // The same seed twice stores nothing new.
            let again = try run(["simulate", "--days", "30", "--per-day", "20", "--seed", "7"]).1
            #expect(again.contains(": 0 new"), "\(again)")

            let (jsonStatus, json) = try run(["stats", "--last", "40d", "--by", "week", "--format", "json"])
            #expect(jsonStatus == 0, "\(json)")
            let document = try JSONParser.parse(Array(json.utf8))
            guard case .array(let rows)? = document["rows"] else {
                Issue.record("no rows: \(json)")
                return
            }
            let bookings = rows.compactMap { $0["bookings"]?.scalarText.flatMap(Double.init) }.reduce(0, +)
            #expect(Int(bookings) == created)
            #expect(rows.allSatisfy { $0["currency"]?.stringValue == "EUR" || $0["currency"]?.stringValue == "USD" })

            let (tableStatus, table) = try run(["stats", "--last", "40d", "--by", "channel", "--compare", "--charts"])
            #expect(tableStatus == 0, "\(table)")
            #expect(table.contains("by channel (UTC)") && table.contains("compared with") && table.contains("│█"))
            #expect(table.contains("Example Travel Journal (bc8abf08)"))  // names from the deliveries

            let month = String(Timestamp(seconds: Int64(Date().timeIntervalSince1970) + 20 * 86_400).iso8601.prefix(7))
            let (booksStatus, books) = try run(["stats", "--on-the-books", "--month", month, "--format", "csv"])
            #expect(booksStatus == 0, "\(books)")
            #expect(books.hasPrefix("night,group,currency,bookings,rooms,revenue\n"))
            #expect(books.split(separator: "\n").count > 10)

            let (badStatus, bad) = try run(["stats", "--by", "fortnight"])
            #expect(badStatus != 0 && bad.contains("--by must be one of"))
            let (pass, passOutput) = try run(["maintain"])
            #expect(pass == 0 && passOutput.contains("booking(s) updated in the ledger"), "\(passOutput)")
        }

        /// After a handler change (here: the derived columns wiped), `reprocess` derives everything again from
        /// the archive, and stats, rollups and the ledger follow; a second run changes nothing.
        @Test func reprocessRederivesFromTheArchive() throws {
            #expect(try run(["simulate", "--days", "10", "--per-day", "15", "--seed", "5"]).0 == 0)
            func bookings() throws -> Int {
                let (status, json) = try run(["stats", "--last", "12d", "--by", "total", "--format", "json"])
                #expect(status == 0, "\(json)")
                guard case .array(let rows)? = try JSONParser.parse(Array(json.utf8))["rows"] else { return -1 }
                return Int(rows.compactMap { $0["bookings"]?.scalarText.flatMap(Double.init) }.reduce(0, +))
            }
            let before = try bookings()
            #expect(before > 100)
            let connection = try PostgresConnection(conninfo: databaseURL)
            try connection.execute(
                """
                UPDATE winkhook.events SET metrics = '{}', metric_values = '{}', metric_currencies = '{}',
                       xact = pg_current_xact_id()::text::bigint
                WHERE event_key = 'booking.create'
                """)
            try connection.execute("DELETE FROM winkhook.bookings")
            #expect(try run(["maintain"]).0 == 0)
            #expect(try bookings() == 0)
            let (status, output) = try run(["reprocess", "--key", "booking.created"])
            #expect(status == 0, "\(output)")
            #expect(output.contains("reprocessed \(before) of \(before) event row(s)"), "\(output)")
            #expect(try bookings() == before)
            #expect(try count("SELECT count(*) FROM winkhook.bookings") == before)
            #expect(try run(["reprocess", "--key", "booking.create"]).0 == 0)
            #expect(try bookings() == before)
            #expect(try run(["reprocess", "--key", "no such key!"]).1.contains("is no event key"))
        }

        @Test func theReportRendersInHeadlessChromium() throws {
            #expect(try run(["simulate", "--days", "20", "--per-day", "10", "--seed", "11"]).0 == 0)
            let path = environment.runDirectory + "/analytics-report.html"
            let (status, output) = try run(["report", "--out", path, "--last", "30d"])
            #expect(status == 0 && output.contains("wrote \(path)"), "\(output)")
            let html = try String(contentsOfFile: path, encoding: .utf8)
            #expect(!html.contains("<script") && !html.contains(" src=") && !html.contains(" href="))

            let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first {
                FileManager.default.isExecutableFile(atPath: $0)
            }
            let browser = try #require(chromium, "chromium is not installed (make test installs it)")
            let profile = environment.runDirectory + "/chromium-profile"
            let common = [
                "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--user-data-dir=\(profile)",
                // Nothing may be fetched: any host resolves to nowhere.
                "--host-resolver-rules=MAP * ~NOTFOUND",
            ]
            let dom = try AnalyticsEndToEndTests.capture(browser, common + ["--dump-dom", "file://\(path)"])
            let charts = dom.components(separatedBy: "<svg class=\"chart\"").count - 1
            #expect(charts == 7, "\(dom.prefix(400))")
            #expect(dom.components(separatedBy: "<rect class=\"bar\"").count > 100)
            for id in ["revenue", "bookings", "channels", "properties", "cancellations", "payments", "on-the-books"] {
                #expect(dom.contains("<figure id=\"\(id)\">"), "\(id)")
            }
            let screenshot = environment.runDirectory + "/analytics-report.png"
            try? FileManager.default.removeItem(atPath: screenshot)
            _ = try AnalyticsEndToEndTests.capture(
                browser, common + ["--window-size=960,1400", "--screenshot=\(screenshot)", "file://\(path)"])
            let size = (try FileManager.default.attributesOfItem(atPath: screenshot)[.size] as? Int) ?? 0
            #expect(size > 20_000)
        }

        /// `serve` runs maintenance by itself: a booking sent over HTTP reaches the ledger within seconds.
        @Test func serveKeepsTheLedgerCurrent() throws {
            let server = try ServeProcess(environment: environment, config: config, name: "analytics-serve")
            let body = Array(
                #"{"type":"booking.create","createdDate":"2026-12-01T10:00:00Z","data":{"id":"e2e-ledger-1","bookingCode":"E2E","version":1,"roomStay":{"startDate":"2027-03-01","endDate":"2027-03-03","roomNights":2},"grossSourceAmount":{"amount":250.00,"currency":"EUR"}}}"#
                    .utf8)
            let (status, _, _) = try HTTP.signedPost(
                environment.nginxURL + "/webhook/wink", body: body, id: "msg_ledger")
            #expect(status == 200)
            let deadline = Date().addingTimeInterval(20)
            var found = 0
            while Date() < deadline {
                found = try count("SELECT count(*) FROM winkhook.bookings WHERE booking_id = 'e2e-ledger-1'")
                if found == 1 { break }
                Thread.sleep(forTimeInterval: 0.5)
            }
            #expect(found == 1)
            let log = (try? String(contentsOfFile: server.logPath, encoding: .utf8)) ?? ""
            #expect(log.contains("maintenance started"))
            #expect(server.stop() != nil)
        }

        /// Runs a program, returns its stdout (stderr discarded), within 60 s.
        static func capture(_ program: String, _ arguments: [String]) throws -> String {
            let process = Process()
            // `timeout`: a browser that hangs must not hang the suite.
            process.executableURL = URL(fileURLWithPath: "/usr/bin/timeout")
            process.arguments = ["-k", "5", "60", program] + arguments
            let output = Pipe()
            process.standardOutput = output
            process.standardError = FileHandle.nullDevice
            process.standardInput = FileHandle.nullDevice
            try process.run()
            let data = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return String(decoding: data, as: UTF8.self)
        }
    }
}
