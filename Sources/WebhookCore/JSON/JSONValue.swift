/// A parsed JSON value. Numbers keep their exact source text, so money is never rounded through a float.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    /// The number exactly as written in the source (RFC 8259 grammar).
    case number(String)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    /// The member `key` of an object, or `nil` for a missing member or a non-object.
    public subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    /// Follows a path of object members, e.g. `value["data", "hotel", "hotelIdentifier"]`.
    public subscript(path: String...) -> JSONValue? {
        var current: JSONValue? = self
        for key in path { current = current?[key] }
        return current
    }

    /// The string, or `nil` for any other kind of value.
    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// A string or a number as text (identifiers arrive as either), else `nil`.
    public var scalarText: String? {
        switch self {
        case .string(let s): return s
        case .number(let n): return n
        default: return nil
        }
    }

    /// The `data` member when it is an object: the (ASSUMED) Wink envelope `{id, type, createdDate, entity,
    /// data}`. `nil` for a bare body, such as a booking delivered without an envelope.
    public var envelopeData: JSONValue? {
        guard let data = self["data"], case .object = data else { return nil }
        return data
    }

    /// The members, when this is an object.
    public var objectValue: JSONObject? {
        if case .object(let members) = self { return members }
        return nil
    }
}
