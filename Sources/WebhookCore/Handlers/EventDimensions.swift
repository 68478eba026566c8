/// The dimensions of an event: who and what it is about, read from the body where it has them. They hold
/// for every point of the event, and the event's row in the time series has one column for each.
public struct EventDimensions: Sendable, Equatable {
    /// Managing entity uuid: the envelope's `entity.identifier`, else the webhook's configured entity.
    public var entity: String?
    /// Property uuid: `hotel.hotelIdentifier`, `hotelIdentifier` or `propertyIdentifier`; for the
    /// property family, the property itself.
    public var property: String?
    /// Sales channel: `customization.id` or `salesChannelIdentifier`; for the sales-channel family, the channel itself.
    public var channel: String?
    /// Booking uuid: a booking's `id`, or `bookingIdentifier` of anything about a booking.
    public var bookingID: String?
    /// What the event is about when that is none of the above: a room type, rate plan, payee, task…
    /// (`identifier`, else `id`).
    public var subject: String?
    /// Room type: a booking's `roomStay.room.identifier`, `roomTypeIdentifier`, or a room type event's subject.
    public var roomType: String?
    /// State the event reports: `bookingStatus`, else `status` (a string).
    public var status: String?
    /// When it happened: envelope `createdDate`, else `lastUpdate`/`createdDate` inside `data`.
    public var occurredAt: Timestamp?

    /// Creates dimensions (inlinable, as `Delivery`'s: built in place by callers in other modules).
    @inlinable public init(
        entity: String? = nil, property: String? = nil, channel: String? = nil, bookingID: String? = nil,
        subject: String? = nil, roomType: String? = nil, status: String? = nil, occurredAt: Timestamp? = nil
    ) {
        self.entity = entity
        self.property = property
        self.channel = channel
        self.bookingID = bookingID
        self.subject = subject
        self.roomType = roomType
        self.status = status
        self.occurredAt = occurredAt
    }

    /// The paths into `data` that `init(body:key:fallbackEntity:)` reads.
    static let dataReads: [JSONPath] = [
        "identifier", "id", "bookingCode", "hotel.hotelIdentifier", "hotelIdentifier", "propertyIdentifier",
        "customization.id", "salesChannelIdentifier", "bookingIdentifier", "roomStay.room.identifier",
        "roomTypeIdentifier", "bookingStatus", "status", "lastUpdate", "createdDate",
    ]
    /// The paths into the body (the envelope) it reads.
    static let bodyReads: [JSONPath] = ["entity.identifier", "createdDate"]

    /// Reads the dimensions of `body` for `key`, with `fallbackEntity` from the webhook's configuration.
    public init(body: JSONValue, key: EventKey, fallbackEntity: String?) {
        let data = body.envelopeData ?? body
        let family = EventCatalog.entry(for: key)?.group ?? ""
        let own = EventDimensions.text(data["identifier"]) ?? EventDimensions.text(data["id"])
        let isBooking = family == "booking" || family == "booking_contract" || data["bookingCode"] != nil
        self.entity =
            EventDimensions.text(body["entity", "identifier"])
            ?? (family == "managing_entity" || family == "account" ? own : nil) ?? fallbackEntity
        self.property =
            EventDimensions.text(data["hotel", "hotelIdentifier"]) ?? EventDimensions.text(data["hotelIdentifier"])
            ?? EventDimensions.text(data["propertyIdentifier"]) ?? (family == "property" ? own : nil)
        self.channel =
            EventDimensions.text(data["customization", "id"])
            ?? EventDimensions.text(data["salesChannelIdentifier"]) ?? (family == "sales_channel" ? own : nil)
        self.bookingID = EventDimensions.text(data["bookingIdentifier"]) ?? (isBooking ? own : nil)
        let claimed = [property, channel, bookingID, family == "managing_entity" ? entity : nil]
        self.subject = own.flatMap { claimed.contains($0) ? nil : $0 }
        self.roomType =
            EventDimensions.text(data["roomStay", "room", "identifier"])
            ?? EventDimensions.text(data["roomTypeIdentifier"]) ?? (key.rawValue.hasPrefix("room_type.") ? own : nil)
        self.status = EventDimensions.text(data["bookingStatus"]) ?? EventDimensions.text(data["status"])
        let when =
            body["createdDate"]?.stringValue ?? data["lastUpdate"]?.stringValue ?? data["createdDate"]?.stringValue
        self.occurredAt = when.flatMap { Timestamp(iso8601: $0) }
    }

    /// A dimension value: a string or number of at most 200 bytes (longer is no dimension).
    static func text(_ value: JSONValue?) -> String? {
        guard let text = value?.scalarText, !text.isEmpty, text.utf8.count <= 200 else { return nil }
        return text
    }
}
