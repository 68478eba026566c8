import ArgumentParser
import WebhookCore

/// `winkhook metrics`: what the built-in handlers measure, per event key, as a markdown table.
struct MetricsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metrics", abstract: "List the metrics each event key yields (markdown table).")

    func run() throws {
        print(HandlerRegistry.markdownTable(), terminator: "")
    }
}
