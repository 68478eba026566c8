/// An exact decimal number kept as validated text (JSON number grammar), never a float.
public struct DecimalText: Sendable, Hashable, CustomStringConvertible {
    /// The number text, e.g. `540.00`.
    public let text: String

    /// One.
    public static let one = DecimalText(trusted: "1")

    init(trusted: String) {
        self.text = trusted
    }

    /// Accepts a JSON number, or a string holding one (money sometimes arrives as a string).
    public init?(_ value: JSONValue?) {
        switch value {
        case .number(let n): self.text = n
        case .string(let s):
            guard case .number(let n)? = try? JSONParser.parse(Array(s.utf8)) else { return nil }
            self.text = n
        default: return nil
        }
    }

    public var description: String { text }
}
