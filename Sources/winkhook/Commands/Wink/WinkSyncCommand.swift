import ArgumentParser
import WinkAPI
import WinkhookConfig

/// `winkhook wink sync`.
struct WinkSyncCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Compare every local webhook with its Wink subscription; --apply makes Wink match.",
        discussion: """
            Compares enabled, events, eventUrl and name. Exit status: 0 in step (or repaired with --apply), \
            1 when they differ, a subscription is missing or Wink cannot be asked. Webhooks without a recorded \
            subscription are reported with the command that creates one.
            """)

    @OptionGroup var wink: WinkOptions

    @Flag(name: .long, help: "Update each differing subscription at Wink to match the local configuration.")
    var apply = false

    @Option(name: .long, help: "Public base URL (default: [server] public_url).")
    var baseURL: String?

    func run() throws {
        if try !WinkSyncCommand.sync(try wink.context(), apply: apply, baseURL: baseURL) { throw ExitCode(1) }
    }

    /// Prints the comparison; returns whether everything is (now) in step.
    static func sync(_ context: WinkContext, apply: Bool, baseURL: String? = nil) throws -> Bool {
        var inStep = true
        var seen: Set<String> = []
        var entities: Set<String> = []
        for endpoint in context.configuration.webhooks {
            guard let record = context.state.records[endpoint.name] else {
                print(
                    "\(endpoint.name): no Wink subscription recorded (winkhook wink create --webhook \(endpoint.name))")
                inStep = false
                continue
            }
            entities.insert(record.entity)
            seen.insert(record.id)
            let found: Result<WinkWebhook, WinkAPIError> = Result { () throws(WinkAPIError) in
                try context.client.show(entity: record.entity, id: record.id)
            }
            if case .failure(let error) = found, case .problem(status: 404, _, _) = error {
                print("\(endpoint.name): subscription \(record.id) is gone at Wink (wink create makes a new one)")
                inStep = false
                continue
            }
            let webhook = try found.get()
            let plan = try SubscriptionPlan(
                endpoint: endpoint, configuration: context.configuration, name: record.name,
                entity: WinkEntity(identifier: record.entity, name: webhook.entity?.name ?? ""), baseURL: baseURL)
            let differences = plan.differences(from: webhook)
            if differences.isEmpty {
                print("\(endpoint.name): in step with \(record.id)")
                continue
            }
            print("\(endpoint.name): differs from \(record.id)")
            for line in differences { print("  \(line)") }
            if apply {
                let updated = try context.client.update(
                    entity: record.entity, id: record.id, version: webhook.version,
                    plan.request(spellings: context.spellings(entity: record.entity)))
                let left = plan.differences(from: updated)
                print(
                    left.isEmpty ? "  → updated at Wink" : "  → updated, still differs: \(left.joined(separator: "; "))"
                )
                if !left.isEmpty { inStep = false }
            } else {
                inStep = false
            }
        }
        for entity in entities.sorted() {
            for other in try context.client.list(entity: entity) where !seen.contains(other.id) {
                print("only at Wink: \(other.id) \"\(other.name)\" → \(SubscriptionPlan.masked(other.eventURL))")
            }
        }
        if !inStep, !apply { print("run `winkhook wink sync --apply` to make Wink match the local configuration") }
        return inStep
    }
}
