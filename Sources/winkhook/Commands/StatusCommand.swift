import ArgumentParser
import FastCGITransport
import WinkhookConfig

/// `winkhook status`: the running pool's status page, asked for over its FastCGI socket.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Print the running pool's status (workers, answers, PostgreSQL, spool) from its socket.",
        discussion: """
            Sends one FastCGI request for [status] status_path (or ping_path, metrics_path) to the socket \
            `winkhook serve` listens on, as the web server would, and prints the answer. Exit status: 0 \
            answered, 1 not reachable or refused.
            """)

    @Option(
        name: .long,
        help:
            "Configuration file, for the [status] paths (default: $WINKHOOK_CONFIG, else /etc/winkhook/winkhook.toml; the defaults if there is none)."
    )
    var config: String?

    @Option(name: .long, help: "The socket serve listens on: unix:/path or 127.0.0.1:9000.")
    var socket: String = "unix:/run/winkhook/winkhook.sock"

    @Flag(name: .long, help: "The status as JSON.")
    var json = false

    @Flag(name: .long, help: "Prometheus metrics instead of the status.")
    var metrics = false

    @Flag(name: .long, help: "Only ping (prints pong).")
    var ping = false

    func run() throws {
        let environment = ProcessEnvironment.current()
        var settings = StatusSettings()
        let path = ConfigurationLoader.locate(explicit: config, environment: environment)
        do {
            settings = try ConfigurationLoader.load(path: path, environment: environment).status
        } catch {
            if config != nil {
                print("error: \(error)")
                throw ExitCode(78)
            }
        }
        guard settings.enabled else {
            print("error: [status] enabled = false in \(path)")
            throw ExitCode(1)
        }
        let uri =
            ping ? settings.pingPath : metrics ? settings.metricsPath : settings.statusPath + (json ? "?json" : "")
        let answer: FastCGIClient.Answer
        do throws(ListenError) {
            answer = try FastCGIClient.get(uri, from: try ListenAddress(parsing: socket, allowPublic: true))
        } catch {
            print("error: \(error.reason)")
            throw ExitCode(1)
        }
        print(answer.body, terminator: answer.body.hasSuffix("\n") ? "" : "\n")
        if answer.status != 200 { throw ExitCode(1) }
    }
}
