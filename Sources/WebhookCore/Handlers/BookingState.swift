/// What a booking event says about the booking as a whole: the row the booking ledger keeps per booking,
/// newest `version` winning. Read from `BookingLightweight` fields (shared/wink/booking.md); any field
/// may be missing.
public struct BookingState: Sendable, Equatable {
    /// Wink's optimistic-lock version: the order of the booking's states.
    public var version: Int64?
    /// Check-in and check-out (`roomStay.startDate`, `roomStay.endDate`).
    public var stayStart: CalendarDay?
    public var stayEnd: CalendarDay?
    /// `roomStay.roomNights` and `roomStay.quantity` (rooms).
    public var roomNights: DecimalText?
    public var rooms: DecimalText?
    /// Gross and net amounts in the source currency.
    public var gross: DecimalText?
    public var net: DecimalText?
    public var currency: String?
    /// When the booking was made (`createdDate` inside `data`).
    public var bookedAt: Timestamp?

    /// Creates a state.
    public init(
        version: Int64? = nil, stayStart: CalendarDay? = nil, stayEnd: CalendarDay? = nil,
        roomNights: DecimalText? = nil, rooms: DecimalText? = nil, gross: DecimalText? = nil,
        net: DecimalText? = nil, currency: String? = nil, bookedAt: Timestamp? = nil
    ) {
        self.version = version
        self.stayStart = stayStart
        self.stayEnd = stayEnd
        self.roomNights = roomNights
        self.rooms = rooms
        self.gross = gross
        self.net = net
        self.currency = currency
        self.bookedAt = bookedAt
    }

    /// The paths into `data` that `init(bookingData:)` reads.
    static let reads: [JSONPath] = [
        "grossSourceAmount", "amount", "version", "roomStay.startDate", "roomStay.endDate", "roomStay.roomNights",
        "roomStay.quantity", "netSourceAmount.amount", "createdDate",
    ]

    /// The state of the booking in `data`, or `nil` when it is not a booking (no `id`/`bookingCode`,
    /// no stay and no amount).
    public init?(bookingData data: JSONValue) {
        let gross = data["grossSourceAmount"] ?? data["amount"]
        self.version = data["version"].flatMap(BookingState.integer)
        // The stay's object looked up once, not once for each of its four members.
        let stay = data["roomStay"]
        self.stayStart = CalendarDay(stay?["startDate"])
        self.stayEnd = CalendarDay(stay?["endDate"])
        self.roomNights = DecimalText(stay?["roomNights"])
        self.rooms = DecimalText(stay?["quantity"])
        self.gross = DecimalText(gross?["amount"])
        self.net = DecimalText(data["netSourceAmount", "amount"])
        self.currency = gross?["currency"]?.stringValue.flatMap(MetricRule.currencyCode)
        self.bookedAt = data["createdDate"]?.stringValue.flatMap { Timestamp(iso8601: $0) }
        if stayStart == nil, self.gross == nil, version == nil { return nil }
    }

    /// A whole number that fits 64 bits, from a JSON number or numeric string.
    static func integer(_ value: JSONValue) -> Int64? {
        guard let text = value.scalarText, text.utf8.count <= 19 else { return nil }
        return Int64(text)
    }
}
