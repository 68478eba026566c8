import ArgumentParser
import WebhookCore
import WinkAPI

/// `winkhook wink`: Wink's side of each webhook, managed as Wink's Webhooks page does.
struct WinkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wink",
        abstract: "Manage the Wink subscriptions of your webhooks (create, update, disable, remove, sync).",
        discussion: """
            Talks to Wink's management API (OAuth2 client credentials from [wink] client_id and \
            client_secret_file, or WINK_CLIENT_ID and WINK_CLIENT_SECRET). Which Wink id each local webhook \
            has is kept in wink-state.json next to the configuration ([wink] state_file), never in \
            winkhook.toml. Needs Debian's libcurl4.
            """,
        subcommands: [
            WinkEventsCommand.self, WinkListCommand.self, WinkShowCommand.self, WinkCreateCommand.self,
            WinkUpdateCommand.self, WinkRemoveCommand.self, WinkSyncCommand.self,
        ])
}

/// `winkhook wink events`.
struct WinkEventsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events",
        abstract: "List the event keys Wink offers and compare them with winkhook's catalog.")

    @OptionGroup var wink: WinkOptions

    func run() throws {
        let context = try wink.context()
        let listed = try context.client.events(entity: try context.entity())
        let width = listed.map(\.value.count).max() ?? 0
        for item in listed {
            let known = EventKey(item.value).map(\.isCataloged) ?? false
            let label = item.label == item.value ? "" : "  " + item.label
            print(
                item.value + String(repeating: " ", count: width - item.value.count) + (known ? "  " : " *") + label
            )
        }
        let theirs = Set(listed.compactMap { EventKey($0.value) })
        let new = listed.filter { !(EventKey($0.value)?.isCataloged ?? false) }.map(\.value)
        let gone = EventCatalog.allKeys.filter { !theirs.contains($0) }.map(\.rawValue)
        print("\n\(listed.count) keys at Wink; winkhook's catalog has \(EventCatalog.allKeys.count)")
        if !new.isEmpty {
            print("new at Wink (*), not in winkhook's catalog: \(new.joined(separator: ", "))")
            print(
                "  winkhook stores them (as event.count) but has no handler for them: add each to "
                    + "shared/wink/events.tsv, run scripts/gen-catalog, and give it a handler rule")
        }
        if !gone.isEmpty {
            print("in winkhook's catalog, not listed by Wink: \(gone.joined(separator: ", "))")
        }
    }
}

/// `winkhook wink list`.
struct WinkListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List the entity's webhooks at Wink (tokens in URLs masked).")

    @OptionGroup var wink: WinkOptions

    func run() throws {
        let context = try wink.context()
        let webhooks = try context.client.list(entity: try context.entity())
        if webhooks.isEmpty {
            print("no webhooks at Wink for this entity")
            return
        }
        for webhook in webhooks {
            let local = context.state.local(for: webhook.id).map { "  (local: \($0))" } ?? ""
            let events = webhook.events.isEmpty ? "all events" : "\(webhook.events.count) event(s)"
            print(
                "\(webhook.id)  \(webhook.enabled ? "enabled " : "DISABLED")  \(webhook.name)  \(events)  "
                    + SubscriptionPlan.masked(webhook.eventURL) + local)
        }
    }
}

/// `winkhook wink show ID`.
struct WinkShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Show one webhook at Wink (its URL's token masked unless --reveal).")

    @OptionGroup var wink: WinkOptions

    @Argument(help: "The webhook's Wink id, or the name of a local webhook created with `wink create`.")
    var id: String

    @Flag(name: .long, help: "Print the eventUrl with its token.")
    var reveal = false

    func run() throws {
        let context = try wink.context()
        let (id, local, entity) = try context.target(id)
        WinkShowCommand.describe(try context.client.show(entity: entity, id: id), reveal: reveal, local: local)
    }

    static func describe(_ webhook: WinkWebhook, reveal: Bool = false, local: String?) {
        print("id:        \(webhook.id)")
        print("name:      \(webhook.name)")
        print("enabled:   \(webhook.enabled)")
        if let entity = webhook.entity { print("entity:    \(entity.identifier) (\(entity.name))") }
        print("eventUrl:  \(reveal ? webhook.eventURL : SubscriptionPlan.masked(webhook.eventURL))")
        print("events:    \(webhook.events.isEmpty ? "all" : webhook.events.joined(separator: ", "))")
        if let version = webhook.version { print("version:   \(version)") }
        if let created = webhook.createdDate { print("created:   \(created)") }
        if let updated = webhook.lastUpdate { print("updated:   \(updated)") }
        if let local { print("local:     webhook \"\(local)\"") }
    }
}
