/// When a rule applies, tested against the event's `data`. Values compare as text (`"3"` and `3` match).
public indirect enum Condition: Sendable {
    /// The value at the path is one of these (string, number or boolean text).
    case oneOf(JSONPath, [String])
    /// There is a non-null value at the path.
    case present(JSONPath)
    /// The value at the path is JSON `true`.
    case isTrue(JSONPath)
    /// The condition does not hold.
    case not(Condition)
    /// Both hold.
    case all([Condition])

    /// The value at the path equals `text`.
    public static func equals(_ path: JSONPath, _ text: String) -> Condition { .oneOf(path, [text]) }

    /// The paths it reads.
    public var paths: [JSONPath] {
        switch self {
        case .oneOf(let path, _), .present(let path), .isTrue(let path): [path]
        case .not(let inner): inner.paths
        case .all(let conditions): conditions.flatMap(\.paths)
        }
    }

    /// Whether the condition holds for `data`.
    public func holds(for data: JSONValue) -> Bool {
        switch self {
        case .oneOf(let path, let texts):
            guard let value = path.value(in: data) else { return false }
            let text: String?
            switch value {
            case .bool(let b): text = b ? "true" : "false"
            default: text = value.scalarText
            }
            return text.map(texts.contains) ?? false
        case .present(let path):
            guard let value = path.value(in: data) else { return false }
            if case .null = value { return false }
            return true
        case .isTrue(let path):
            if case .bool(true)? = path.value(in: data) { return true }
            return false
        case .not(let inner):
            return !inner.holds(for: data)
        case .all(let conditions):
            return conditions.allSatisfy { $0.holds(for: data) }
        }
    }
}
