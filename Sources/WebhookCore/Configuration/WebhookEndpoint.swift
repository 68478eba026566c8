/// One configured webhook, mirroring Wink's subscription fields (`name`, `enabled`, `entity`, `events`)
/// plus where it is served (`path`), who may reach it (`source`) and how its sender is verified.
public struct WebhookEndpoint: Sendable {
    /// The managing entity that owns the subscription on Wink's side.
    public struct Entity: Sendable, Equatable {
        /// The entity's uuid.
        public var identifier: String
        /// Its display name.
        public var name: String

        /// Creates an entity.
        public init(identifier: String, name: String) {
            self.identifier = identifier
            self.name = name
        }
    }

    /// Label, unique among webhooks; also the scope of de-duplication and the `webhook` column.
    public var name: String
    /// `false` pauses the webhook: requests get 503 with `Retry-After` and nothing is written.
    public var enabled: Bool
    /// The owning entity, if configured.
    public var entity: Entity?
    /// Subscribed keys (canonical); empty means all, like Wink.
    public var events: Set<EventKey>
    /// The URL path, e.g. `/webhook/wink`. Paths below it (`/webhook/wink/booking.create`) also match.
    public var path: String
    /// How the sender is verified: any of its methods passing is enough.
    public var authenticator: Authenticator
    /// Which client addresses may deliver (403 otherwise).
    public var source: SourcePolicy
    /// How the event key is found.
    public var resolver: EventKeyResolver

    /// Creates a webhook.
    public init(
        name: String, enabled: Bool = true, entity: Entity? = nil, events: Set<EventKey> = [],
        path: String, verifiers: [any SignatureVerifier], source: SourcePolicy = .open,
        resolver: EventKeyResolver = EventKeyResolver()
    ) {
        self.name = name
        self.enabled = enabled
        self.entity = entity
        self.events = events
        self.path = path
        self.authenticator = Authenticator(verifiers)
        self.source = source
        self.resolver = resolver
    }

    /// Creates a webhook with one verification method.
    public init(
        name: String, enabled: Bool = true, entity: Entity? = nil, events: Set<EventKey> = [],
        path: String, verifier: any SignatureVerifier, source: SourcePolicy = .open,
        resolver: EventKeyResolver = EventKeyResolver()
    ) {
        self.init(
            name: name, enabled: enabled, entity: entity, events: events, path: path, verifiers: [verifier],
            source: source, resolver: resolver)
    }

    /// Whether this webhook subscribes to `key`.
    public func subscribes(to key: EventKey) -> Bool {
        events.isEmpty || events.contains(key)
    }
}
