import Foundation
import Testing

extension EndToEnd {
    /// The subcommands of the built binary, as a user runs them.
    @Suite(.serialized)
    struct CommandLineTests {
        let environment: E2EEnvironment
        let webhook = "cli-\(UInt32.random(in: 0...UInt32.max))"

        init() throws {
            environment = try E2EEnvironment.require()
        }

        func run(_ arguments: [String]) throws -> (Int32, String) {
            try runBinary(environment, arguments)
        }
    }
}

/// Runs the built binary; returns (exit status, stdout + stderr).
func runBinary(_ environment: E2EEnvironment, _ arguments: [String], extraEnvironment: [String: String] = [:])
    throws -> (Int32, String)
{
    let process = Process()
    process.executableURL = URL(fileURLWithPath: environment.binary)
    process.arguments = arguments
    process.environment = ["PATH": "/usr/bin:/bin"].merging(extraEnvironment) { $1 }
    let output = Pipe()
    process.standardOutput = output
    process.standardError = output
    process.standardInput = FileHandle.nullDevice
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

extension EndToEnd.CommandLineTests {

    @Test func migrateTwiceThroughTheCommandLine() throws {
        let first = try run(["migrate", "--database", environment.databaseURL])
        #expect(first.0 == 0, "\(first.1)")
        let second = try run(["migrate", "--database", environment.databaseURL])
        #expect(second.0 == 0)
        #expect(second.1.contains("is current"))
    }

    @Test func checkConfigSummarisesWithoutSecrets() throws {
        let config = try environment.writeConfig(name: "cli-check", webhook: webhook)
        let (status, output) = try run(["check-config", "--config", config])
        #expect(status == 0, "\(output)")
        #expect(output.contains("webhook \"\(webhook)\""))
        #expect(output.contains("1 secret(s) from file"))
        #expect(!output.contains("MfKQ9r8"))
    }

    @Test func checkConfigExitCodes() throws {
        let broken = environment.runDirectory + "/cli-broken.toml"
        try "[[webhook]]\nname = \"x\"\n".write(toFile: broken, atomically: true, encoding: .utf8)
        #expect(try run(["check-config", "--config", broken]).0 == 78)
        let failClosed = environment.runDirectory + "/cli-nosecret.toml"
        try "[[webhook]]\nname = \"x\"\npath = \"/x\"\nverify = { secret_env = \"CLI_UNSET_SECRET\" }\n"
            .write(toFile: failClosed, atomically: true, encoding: .utf8)
        let (status, output) = try run(["check-config", "--config", failClosed])
        #expect(status == 1)
        #expect(output.contains("fail closed"))
        #expect(try run(["check-config", "--config", environment.runDirectory + "/does-not-exist.toml"]).0 == 78)
    }

    @Test func sendPrintsVerifiableHeaders() throws {
        let config = try environment.writeConfig(name: "cli-print", webhook: webhook)
        let (status, output) = try run(["send", "--config", config, "--sample", "property.updated", "--print"])
        #expect(status == 0)
        let lines = output.split(separator: "\n")
        #expect(lines.first == "POST http://127.0.0.1:8080/webhook/wink")
        let names = lines.dropFirst().compactMap { $0.split(separator: ":").first.map(String.init) }
        #expect(names == ["Content-Type", "webhook-id", "webhook-timestamp", "webhook-signature"])
        #expect(output.contains("webhook-signature: v1,"))
    }

    @Test func checkConfigConnectReportsTheSchema() throws {
        try environment.migrate()
        let config = try environment.writeConfig(name: "cli-connect", webhook: webhook)
        let (status, output) = try run(["check-config", "--config", config, "--connect"])
        #expect(status == 0, "\(output)")
        #expect(output.contains("reachable"))
        let unreachable = try environment.writeConfig(
            name: "cli-unreachable", webhook: webhook, databaseURL: "host=/nonexistent-winkhook port=1 dbname=x")
        let (badStatus, badOutput) = try run(["check-config", "--config", unreachable, "--connect"])
        #expect(badStatus == 1)
        #expect(badOutput.contains("cannot use the database"))
    }

    @Test func sendRefusesHTTPSAndSaysWhy() throws {
        let config = try environment.writeConfig(name: "cli-https", webhook: webhook)
        let (status, output) = try run([
            "send", "--config", config, "--url", "https://hooks.example.com/webhook/wink", "--sample", "booking.create",
        ])
        #expect(status != 0)
        #expect(output.contains("--print"))
    }

    /// Every subcommand `winkhook --help` lists answers `--help`, even where a web server's variables are
    /// set (a subcommand missing from the start-mode check would run as CGI there).
    @Test func helpForEverySubcommand() throws {
        let (_, help) = try run(["--help"])
        let commands =
            help.components(separatedBy: "SUBCOMMANDS:").last?.split(separator: "\n").compactMap { line in
                line.hasPrefix("  ") && !line.hasPrefix("   ") ? line.split(separator: " ").first.map(String.init) : nil
            }.filter { $0 != "help" && $0.allSatisfy { $0.isLowercase || $0 == "-" } } ?? []
        #expect(commands.count >= 16, "\(help)")
        for command in commands {
            let (status, output) = try runBinary(
                environment, [command, "--help"], extraEnvironment: ["GATEWAY_INTERFACE": "CGI/1.1"])
            #expect(status == 0, "\(command): \(output)")
            #expect(output.contains("USAGE: winkhook \(command)"), "\(command): \(output)")
        }
    }
}

/// `send` needs the shared socket, so it runs inside the serialized end-to-end suite.
extension EndToEnd.EndToEndTests {
    @Test func sendSignsAndPostsASample() throws {
        let config = try environment.writeConfig(name: "cli-send", webhook: webhook)
        let server = try ServeProcess(environment: environment, config: config, name: "cli-send")
        let url = environment.nginxURL + "/webhook/wink"
        let (status, output) = try runBinary(
            environment,
            [
                "send", "--config", config, "--url", url, "--sample", "booking.created",
                "--id", "msg_cli_send",
            ])
        #expect(status == 0, "\(output)")
        #expect(output.hasPrefix("200 (stored)"))
        let again = try runBinary(
            environment,
            [
                "send", "--config", config, "--url", url, "--sample", "booking.create", "--id", "msg_cli_send",
            ])
        #expect(again.1.hasPrefix("200 (duplicate)"))
        #expect(
            try environment.count(
                "SELECT count(*) FROM winkhook.deliveries WHERE webhook = $1 AND event_key = 'booking.create'",
                [webhook]) == 1)
        _ = server.stop()
    }

    /// `send --all`: a sample of every catalog key and alias, each answered 200 and stored once.
    @Test func sendAllTriesEveryKey() throws {
        let name = "cli-all-\(UInt32.random(in: 0...UInt32.max))"
        let config = try environment.writeConfig(name: "cli-all", webhook: name)
        let server = try ServeProcess(environment: environment, config: config, name: "cli-all")
        defer { _ = server.stop() }
        let (status, output) = try runBinary(
            environment, ["send", "--all", "--config", config, "--url", environment.nginxURL + "/webhook/wink"])
        #expect(status == 0, "\(output)")
        let rows = output.split(separator: "\n").dropFirst().dropLast()
        #expect(rows.count == 130, "\(output)")
        #expect(
            rows.allSatisfy { $0.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first == "200" })
        #expect(rows.contains { $0.hasPrefix("booking.created ") })
        #expect(output.hasSuffix("130 sent, 130 answered 2xx, 0 not\n"))
        #expect(try environment.count("SELECT count(*) FROM winkhook.deliveries WHERE webhook = $1", [name]) == 130)
        #expect(
            try environment.count(
                "SELECT count(DISTINCT event_key) FROM winkhook.deliveries WHERE webhook = $1", [name])
                == 129)
    }

    /// `deliveries list|show|replay`: what arrived, without its signature, and today's handlers over it again.
    @Test func deliveriesListShowAndReplay() throws {
        let name = "cli-deliveries-\(UInt32.random(in: 0...UInt32.max))"
        let config = try environment.writeConfig(name: "cli-deliveries", webhook: name)
        let server = try ServeProcess(environment: environment, config: config, name: "cli-deliveries")
        defer { _ = server.stop() }
        let sent = try runBinary(
            environment,
            ["send", "--config", config, "--url", environment.nginxURL + "/webhook/wink", "--sample", "booking.create"])
        #expect(sent.0 == 0, "\(sent.1)")
        let listed = try runBinary(environment, ["deliveries", "list", "--config", config, "--webhook", name])
        #expect(listed.0 == 0, "\(listed.1)")
        let rows = listed.1.split(separator: "\n")
        #expect(rows.count == 2, "\(listed.1)")
        #expect(rows.first?.hasPrefix("id") == true)
        let id = try #require(rows.last?.split(separator: " ").first.map(String.init))
        #expect(rows.last?.contains("booking.create  stored") == true, "\(listed.1)")

        let shown = try runBinary(environment, ["deliveries", "show", id, "--config", config])
        #expect(shown.0 == 0, "\(shown.1)")
        #expect(shown.1.contains("webhook:     \(name)"))
        #expect(shown.1.contains("\"bookingCode\": \"WK7Q4M2X\""), "\(shown.1)")
        #expect(shown.1.contains("webhook-id"))
        #expect(!shown.1.contains("webhook-signature"), "no credential is archived")
        #expect(shown.1.contains("booking.gross_amount=540.00 EUR"), "\(shown.1)")
        let body = try runBinary(environment, ["deliveries", "show", id, "--body", "--config", config])
        #expect(body.1.hasPrefix("{"))

        let replayed = try runBinary(environment, ["deliveries", "replay", id, "--config", config])
        #expect(replayed.0 == 0, "\(replayed.1)")
        let lines = replayed.1.split(separator: "\n")
        let before = lines.first { $0.hasPrefix("points before:") }?.dropFirst(15)
        let after = lines.first { $0.hasPrefix("points after:") }?.dropFirst(15)
        #expect(before != nil && before == after, "\(replayed.1)")
        #expect(replayed.1.contains("reprocessed 1 of 1 event row(s)"), "\(replayed.1)")
        #expect(try runBinary(environment, ["deliveries", "show", "999999999999", "--config", config]).0 == 1)
    }
}
