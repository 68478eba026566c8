/// The dimensions of the time-series table, read from the body where it has them.
public struct EventDimensions: Sendable, Equatable {
    /// Managing entity uuid: the envelope's `entity.identifier`, else the webhook's configured entity.
    public var entity: String?
    /// Property uuid: `hotel.hotelIdentifier`, else a top-level `hotelIdentifier`.
    public var property: String?
    /// Sales channel: `customization.id`.
    public var channel: String?
    /// Booking uuid: a booking's `id`, or a payment's `bookingIdentifier`.
    public var bookingID: String?
    /// When it happened: envelope `createdDate`, else `lastUpdate`/`createdDate` inside `data`.
    public var occurredAt: Timestamp?

    /// Creates empty dimensions.
    public init(
        entity: String? = nil, property: String? = nil, channel: String? = nil, bookingID: String? = nil,
        occurredAt: Timestamp? = nil
    ) {
        self.entity = entity
        self.property = property
        self.channel = channel
        self.bookingID = bookingID
        self.occurredAt = occurredAt
    }

    /// Reads the dimensions of `body` for `key`, with `fallbackEntity` from the webhook's configuration.
    public init(body: JSONValue, key: EventKey, fallbackEntity: String?) {
        let data = body.envelopeData ?? body
        self.entity = body["entity", "identifier"]?.scalarText ?? fallbackEntity
        self.property = data["hotel", "hotelIdentifier"]?.scalarText ?? data["hotelIdentifier"]?.scalarText
        self.channel = data["customization", "id"]?.scalarText
        if let booking = data["bookingIdentifier"]?.scalarText {
            self.bookingID = booking
        } else if key.rawValue.hasPrefix("booking.") || data["bookingCode"] != nil {
            self.bookingID = data["id"]?.scalarText
        } else {
            self.bookingID = nil
        }
        let when =
            body["createdDate"]?.stringValue ?? data["lastUpdate"]?.stringValue ?? data["createdDate"]?.stringValue
        self.occurredAt = when.flatMap { Timestamp(iso8601: $0) }
    }
}
