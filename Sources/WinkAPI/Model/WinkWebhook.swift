import WebhookCore

/// A webhook subscription as Wink returns it (`WebhookLightweight`).
public struct WinkWebhook: Sendable, Equatable {
    public var id: String
    public var name: String
    public var enabled: Bool
    public var entity: WinkEntity?
    public var eventURL: String
    /// Event keys as Wink spells them; empty means every event.
    public var events: [String]
    /// The optimistic lock, echoed as `If-Match` on an update.
    public var version: Int64?
    public var createdDate: String?
    public var lastUpdate: String?
    public var ownerIdentifier: String?
    public var ownerName: String?

    public init(
        id: String, name: String, enabled: Bool, entity: WinkEntity?, eventURL: String, events: [String],
        version: Int64? = nil, createdDate: String? = nil, lastUpdate: String? = nil,
        ownerIdentifier: String? = nil, ownerName: String? = nil
    ) {
        self.id = id
        self.name = name
        self.enabled = enabled
        self.entity = entity
        self.eventURL = eventURL
        self.events = events
        self.version = version
        self.createdDate = createdDate
        self.lastUpdate = lastUpdate
        self.ownerIdentifier = ownerIdentifier
        self.ownerName = ownerName
    }

    /// Reads a record, tolerating absent optional fields and the older SDK's `eventList` of objects
    /// (`{"key": …}` or `{"value": …}`).
    public init(json: JSONValue) throws(WinkAPIError) {
        guard case .object(let members) = json, let id = members["id"]?.scalarText, !id.isEmpty else {
            throw .unexpected("a webhook record without an id")
        }
        self.id = id
        name = members["name"]?.stringValue ?? ""
        if case .bool(let flag)? = members["enabled"] { enabled = flag } else { enabled = true }
        entity = members["entity"].flatMap(WinkEntity.init(json:))
        eventURL = members["eventUrl"]?.stringValue ?? ""
        if case .array(let items)? = members["eventList"] {
            events = items.compactMap { item in
                item.stringValue ?? item["key"]?.stringValue ?? item["value"]?.stringValue
            }
        } else {
            events = []
        }
        version = members["version"]?.scalarText.flatMap { Int64($0) }
        createdDate = members["createdDate"]?.stringValue
        lastUpdate = members["lastUpdate"]?.stringValue
        ownerIdentifier = members["ownerIdentifier"]?.stringValue
        ownerName = members["ownerName"]?.stringValue
        if entity == nil, let owner = ownerIdentifier { entity = WinkEntity(identifier: owner, name: ownerName ?? "") }
    }

    /// The fields an update sends (`UpsertWebhookRequest`), as they stand.
    public var upsert: WinkWebhookRequest {
        WinkWebhookRequest(
            name: name, enabled: enabled,
            entity: entity ?? WinkEntity(identifier: ownerIdentifier ?? "", name: ownerName ?? ""), eventURL: eventURL,
            events: events)
    }
}

/// A managing entity: `{identifier, name}`.
public struct WinkEntity: Sendable, Equatable {
    public var identifier: String
    public var name: String

    public init(identifier: String, name: String) {
        self.identifier = identifier
        self.name = name
    }

    init?(json: JSONValue) {
        guard let identifier = json["identifier"]?.stringValue else { return nil }
        self.init(identifier: identifier, name: json["name"]?.stringValue ?? "")
    }
}

/// `UpsertWebhookRequest`: the body of a create and of an update (every field required).
public struct WinkWebhookRequest: Sendable, Equatable {
    public var name: String
    public var enabled: Bool
    public var entity: WinkEntity
    public var eventURL: String
    /// Empty means every event.
    public var events: [String]

    public init(name: String, enabled: Bool, entity: WinkEntity, eventURL: String, events: [String]) {
        self.name = name
        self.enabled = enabled
        self.entity = entity
        self.eventURL = eventURL
        self.events = events
    }

    /// The JSON body.
    public var json: [UInt8] {
        let body: JSONObject = [
            "name": .string(name), "enabled": .bool(enabled),
            "entity": .object(["identifier": .string(entity.identifier), "name": .string(entity.name)]),
            "eventUrl": .string(eventURL), "eventList": .array(events.map { .string($0) }),
        ]
        return Array(JSONValue.object(body).jsonText.utf8)
    }
}

/// A subscribable event as `show-webhook-events` lists it (`KeyValuePair {label, value}`).
public struct WinkEventKey: Sendable, Equatable {
    public var value: String
    public var label: String

    public init(value: String, label: String) {
        self.value = value
        self.label = label
    }
}
