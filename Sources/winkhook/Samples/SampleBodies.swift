import WebhookCore

/// Bodies for `winkhook send --sample KEY`: the bundled ASSUMED samples, else a minimal envelope.
enum SampleBodies {
    /// The body for `key`: a bundled sample named after the key (aliases applied), else
    /// `{"id", "type", "createdDate", "data": {}}`.
    static func body(for key: String, id: String, now: Timestamp) -> String {
        if let sample = bundled[key] { return sample }
        if let canonical = EventKey(key)?.rawValue, let sample = bundled[canonical] { return sample }
        let members: JSONObject = [
            "id": .string(id), "type": .string(key), "createdDate": .string(now.iso8601), "data": .object([:]),
        ]
        return JSONValue.object(members).jsonText
    }

    /// Names of the bundled samples.
    static var names: [String] { bundled.keys.sorted() }
}
