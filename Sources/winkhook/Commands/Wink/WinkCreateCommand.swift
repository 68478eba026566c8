import ArgumentParser
import WebhookCore
import WinkAPI

/// `winkhook wink create --webhook LOCAL`.
struct WinkCreateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create the Wink subscription of a local webhook and record its id.",
        discussion: """
            Name, entity, events and enabled come from the [[webhook]] entry unless given here; the eventUrl is \
            [server] public_url (or --base-url) + its path + its URL token. The id Wink assigns is recorded in \
            the state file, so `wink update`, `remove` and `sync` know it.
            """)

    @OptionGroup var wink: WinkOptions

    @Option(name: .long, help: "The local webhook (its [[webhook]] name).")
    var webhook: String

    @Option(name: .long, help: "Name at Wink (default: the local name).")
    var name: String?

    @Option(name: .long, help: "Entity name to send with --entity (default: the webhook's entity.name).")
    var entityName: String?

    @Option(name: .long, help: "Event keys, comma-separated or repeated (default: the webhook's events; none = all).")
    var events: [String] = []

    @Option(name: .long, help: "Public base URL (default: [server] public_url).")
    var baseURL: String?

    @Flag(name: .long, help: "Create it disabled (delivery paused).")
    var disabled = false

    func run() throws {
        var context = try wink.context()
        if let record = context.state.records[webhook] {
            throw CommandFailure(
                "webhook \(webhook) already has Wink subscription \(record.id); use `wink update` or `wink sync`")
        }
        let endpoint = try context.endpoint(named: webhook)
        let entity = wink.entity.map {
            WinkEntity(identifier: $0, name: entityName ?? endpoint.entity?.name ?? "")
        }
        var plan = try SubscriptionPlan(
            endpoint: endpoint, configuration: context.configuration, name: name, entity: entity,
            baseURL: baseURL)
        if !events.isEmpty { plan.events = Set(try WinkUpdateCommand.keys(events.commaSeparated)) }
        if disabled { plan.enabled = false }
        let spellings = context.spellings(entity: plan.entity.identifier)
        let created = try context.client.create(entity: plan.entity.identifier, plan.request(spellings: spellings))
        context.state.records[webhook] = .init(id: created.id, entity: plan.entity.identifier, name: plan.name)
        try context.state.save()
        print("created Wink webhook \(created.id) for \"\(webhook)\"; recorded in \(context.state.path)")
        WinkShowCommand.describe(created, local: webhook)
    }
}
