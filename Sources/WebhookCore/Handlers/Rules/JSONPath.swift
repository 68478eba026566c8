/// A dotted path into an event's `data`, such as `refund.sourceAmount`: object members only, read
/// tolerantly (a missing member or a non-object on the way is no value, never an error).
public struct JSONPath: Sendable, Hashable, ExpressibleByStringLiteral, CustomStringConvertible {
    /// The member names, outermost first.
    public let members: [String]

    /// A path from its dotted text (`roomStay.roomNights`).
    public init(_ text: String) {
        self.members = text.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
    }

    /// A path from its member names.
    public init(members: [String]) {
        self.members = members
    }

    public init(stringLiteral value: String) {
        self.init(value)
    }

    /// The value at this path inside `value`, if every member on the way exists.
    public func value(in value: JSONValue) -> JSONValue? {
        var current: JSONValue? = value
        for member in members { current = current?[member] }
        return current
    }

    public var description: String { members.joined(separator: ".") }
}
