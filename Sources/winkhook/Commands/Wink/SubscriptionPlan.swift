import WebhookCore
import WinkAPI
import WinkhookConfig

/// What a local `[[webhook]]` says its Wink subscription should be, and how a subscription differs.
struct SubscriptionPlan {
    var name: String
    var enabled: Bool
    var entity: WinkEntity
    var eventURL: String
    /// Canonical keys; empty means every event.
    var events: Set<EventKey>

    /// The plan for `endpoint`: its entity (or `entity`), its events, and the eventUrl built from
    /// `[server] public_url` (or `baseURL`), its path and its URL token.
    init(
        endpoint: WebhookEndpoint, configuration: WinkhookConfiguration, name: String? = nil,
        entity: WinkEntity? = nil, baseURL: String? = nil
    ) throws {
        guard let owner = entity ?? endpoint.entity.map({ WinkEntity(identifier: $0.identifier, name: $0.name) })
        else {
            throw CommandFailure(
                "webhook \(endpoint.name) has no entity: add entity = { identifier = \"…\", name = \"…\" } to it, "
                    + "or pass --entity")
        }
        self.name = name ?? endpoint.name
        enabled = endpoint.enabled
        self.entity = owner
        eventURL = try SubscriptionPlan.eventURL(endpoint: endpoint, configuration: configuration, baseURL: baseURL)
        events = endpoint.events
    }

    /// `public_url` + path + the URL token (in the path or the query, as the url-token method reads it).
    /// Wink signs nothing, so a webhook without a url-token method cannot be authenticated in its URL.
    static func eventURL(endpoint: WebhookEndpoint, configuration: WinkhookConfiguration, baseURL: String?) throws
        -> String
    {
        guard var base = baseURL ?? configuration.publicURL else {
            throw CommandFailure(
                "no public URL: set [server] public_url (e.g. https://hooks.example.com) or pass --base-url")
        }
        while base.hasSuffix("/") { base.removeLast() }
        guard let signer = endpoint.authenticator.methods.first(where: { $0.scheme == "url-token" })?.signer else {
            throw CommandFailure(
                "webhook \(endpoint.name) has no url-token method with a token: Wink signs nothing, so its eventUrl "
                    + "must carry one (add [[webhook.verify]] scheme = \"url-token\", then winkhook token new --append)"
            )
        }
        let signed = signer.sign(id: "", timestamp: 0, body: [])
        var url = base + endpoint.path
        if let segment = signed.pathSegment { url += (url.hasSuffix("/") ? "" : "/") + segment }
        if let query = signed.query { url += (url.contains("?") ? "&" : "?") + query }
        return url
    }

    /// The create or update body; keys in the spelling Wink lists (`booking.created`) where it is known.
    func request(spellings: [EventKey: String] = [:]) -> WinkWebhookRequest {
        WinkWebhookRequest(
            name: name, enabled: enabled, entity: entity, eventURL: eventURL,
            events: events.sorted().map { spellings[$0] ?? $0.rawValue })
    }

    /// How `webhook` differs from this plan, a line per field (the URL's token masked).
    func differences(from webhook: WinkWebhook) -> [String] {
        var lines: [String] = []
        if webhook.name != name { lines.append("name: Wink has \"\(webhook.name)\", local \"\(name)\"") }
        if webhook.enabled != enabled {
            lines.append("enabled: Wink has \(webhook.enabled), local \(enabled)")
        }
        if webhook.eventURL != eventURL {
            lines.append(
                "eventUrl: Wink has \(SubscriptionPlan.masked(webhook.eventURL)), local \(SubscriptionPlan.masked(eventURL))"
                    + (SubscriptionPlan.masked(webhook.eventURL) == SubscriptionPlan.masked(eventURL)
                        ? " (the tokens differ)" : ""))
        }
        let theirs = Set(webhook.events.compactMap(EventKey.init))
        if theirs != events {
            let missing = events.subtracting(theirs).map(\.rawValue).sorted()
            let extra = theirs.subtracting(events).map(\.rawValue).sorted()
            if events.isEmpty {
                lines.append("events: Wink has \(webhook.events.count) listed, local all")
            } else if theirs.isEmpty {
                lines.append("events: Wink has all, local \(events.count) listed")
            } else {
                var parts: [String] = []
                if !missing.isEmpty { parts.append("missing at Wink: \(missing.joined(separator: ", "))") }
                if !extra.isEmpty { parts.append("only at Wink: \(extra.joined(separator: ", "))") }
                lines.append("events: " + parts.joined(separator: "; "))
            }
        }
        return lines
    }

    /// `url` with the token replaced: the last path segment after the webhook path and any query value.
    static func masked(_ url: String) -> String {
        var text = url
        var query = ""
        if let mark = text.firstIndex(of: "?") {
            let pairs = text[text.index(after: mark)...].split(separator: "&").map { pair in
                pair.split(separator: "=", maxSplits: 1).first.map { "\($0)=…" } ?? "…"
            }
            query = "?" + pairs.joined(separator: "&")
            text = String(text[..<mark])
        }
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        if let last = parts.last, last.count >= 22 {
            text = parts.dropLast().joined(separator: "/") + "/…"
        }
        return text + query
    }
}
