import WebhookCore

/// Bodies for `winkhook send --sample KEY` (ASSUMED shapes: Wink documents no payload).
///
/// A key with a bundled sample of its own (`booking.create`, `booking.cancelled`, …) gets it byte for byte,
/// so sending it twice shows de-duplication. Any other key of the catalog gets its family's sample with
/// `type` set to the key and `id` and `createdDate` set to this delivery's; a key the catalog does not know
/// gets a minimal envelope.
enum SampleBodies {
    /// The body for `key`. With `fresh`, even a bundled sample gets this delivery's `id` (for `send --all`,
    /// where `booking.create` and its alias `booking.created` must not be one delivery).
    static func body(for key: String, id: String, now: Timestamp, fresh: Bool = false) -> String {
        let canonical = EventKey(key)?.rawValue ?? key
        if !fresh, let sample = bundled[key] ?? bundled[canonical] { return sample }
        guard let eventKey = EventKey(key), let name = familySample(for: eventKey),
            let text = bundled[name], case .object(var members)? = try? JSONParser.parse(Array(text.utf8))
        else {
            let members: JSONObject = [
                "id": .string(id), "type": .string(key), "createdDate": .string(now.iso8601), "data": .object([:]),
            ]
            return JSONValue.object(members).jsonText
        }
        members["id"] = .string(id)
        members["type"] = .string(key)
        members["createdDate"] = .string(now.iso8601)
        return JSONValue.object(members).jsonText
    }

    /// The bundled sample whose shape `key`'s family has: the booking samples for bookings (the cancelled
    /// or refunded one where the key says so), the payment and property samples, else `families/GROUP`.
    static func familySample(for key: EventKey) -> String? {
        guard let group = EventCatalog.entry(for: key)?.group else { return nil }
        let text = key.rawValue
        if text.hasPrefix("booking.review.") { return "families/review" }
        switch group {
        case "booking", "booking_contract":
            if text.contains("cancel") { return "booking.cancelled" }
            if text.contains("refund") { return "booking.refund.partial" }
            return "booking.create"
        case "payment": return "internal.payment.succeeded"
        case "property": return "property.updated"
        default: return bundled["families/" + group] == nil ? nil : "families/" + group
        }
    }

    /// Every key `send --all` tries: the catalog's, then its aliases.
    static var allKeys: [String] {
        EventCatalog.allKeys.map(\.rawValue) + EventCatalog.aliases.keys.sorted()
    }

    /// Names of the samples bundled for a key of their own.
    static var names: [String] { bundled.keys.filter { !$0.hasPrefix("families/") }.sorted() }
}
