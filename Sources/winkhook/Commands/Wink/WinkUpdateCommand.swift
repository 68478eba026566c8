import ArgumentParser
import WebhookCore
import WinkAPI

/// `winkhook wink update ID`.
struct WinkUpdateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "update",
        abstract: "Change a webhook at Wink: enable or disable it, its events, its URL or its name.",
        discussion: """
            Reads the webhook, changes what is asked, and sends it back conditional on the version read \
            (If-Match); if somebody changed it in between, Wink answers 409 and nothing is changed. This changes \
            Wink only: `wink sync` reports where Wink and the local configuration then differ.
            """)

    @OptionGroup var wink: WinkOptions

    @Argument(help: "The webhook's Wink id, or the name of a local webhook created with `wink create`.")
    var id: String

    @Flag(name: .long, help: "Resume delivery.")
    var enable = false

    @Flag(name: .long, help: "Pause delivery (the subscription is kept).")
    var disable = false

    @Option(name: .long, help: "Listen to this key too (repeatable or comma-separated).")
    var addEvent: [String] = []

    @Option(name: .long, help: "Stop listening to this key (repeatable or comma-separated).")
    var removeEvent: [String] = []

    @Option(name: .long, help: "Listen to exactly these keys (comma-separated; \"all\" for every event).")
    var events: String?

    @Option(name: .long, help: "New eventUrl.")
    var url: String?

    @Option(name: .long, help: "New name.")
    var name: String?

    func validate() throws {
        if enable && disable { throw ValidationError("give --enable or --disable, not both") }
        if events != nil, !(addEvent.isEmpty && removeEvent.isEmpty) {
            throw ValidationError("--events replaces the list: use it without --add-event and --remove-event")
        }
        if !enable, !disable, addEvent.isEmpty, removeEvent.isEmpty, events == nil, url == nil, name == nil {
            throw ValidationError("nothing to change: give --enable, --disable, --add-event, --events, --url or --name")
        }
        if let url, !url.hasPrefix("https://"), !url.hasPrefix("http://") {
            throw ValidationError("--url must be an https:// URL")
        }
    }

    func run() throws {
        var context = try wink.context()
        let (id, local, entity) = try context.target(id)
        let current = try context.client.show(entity: entity, id: id)
        var request = current.upsert
        if enable { request.enabled = true }
        if disable { request.enabled = false }
        if let events {
            request.events =
                events == "all" ? [] : try WinkUpdateCommand.keys([events].commaSeparated).map(\.rawValue)
        }
        let spellings = context.spellings(entity: entity)
        for key in try WinkUpdateCommand.keys(addEvent.commaSeparated) {
            if !request.events.contains(where: { EventKey($0) == key }) {
                request.events.append(spellings[key] ?? key.rawValue)
            }
        }
        let removing = Set(try WinkUpdateCommand.keys(removeEvent.commaSeparated))
        if !removing.isEmpty {
            if request.events.isEmpty {
                throw CommandFailure(
                    "webhook \(id) listens to all events: give the keys to keep with --events instead")
            }
            request.events.removeAll { EventKey($0).map(removing.contains) ?? false }
            if request.events.isEmpty {
                throw CommandFailure(
                    "that would leave no events, which Wink reads as all events: use --disable to pause it")
            }
        }
        if let url { request.eventURL = url }
        if let name { request.name = name }
        let updated = try context.client.update(entity: entity, id: id, version: current.version, request)
        if let local, let name {
            context.state.records[local]?.name = name
            try context.state.save()
        }
        print("updated Wink webhook \(id)")
        WinkShowCommand.describe(updated, local: local)
    }

    /// Parses event keys (aliases applied); a malformed one is an error, an uncataloged one is allowed.
    static func keys(_ texts: [String]) throws -> [EventKey] {
        try texts.map { text in
            guard let key = EventKey(text) else { throw CommandFailure("\"\(text)\" is not an event key") }
            return key
        }
    }
}
