/// An exact decimal number kept as validated text (JSON number grammar), never a float.
public struct DecimalText: Sendable, Hashable, CustomStringConvertible {
    /// The number text, e.g. `540.00`.
    public let text: String

    /// One.
    public static let one = DecimalText(trusted: "1")

    init(trusted: String) {
        self.text = trusted
    }

    /// Accepts a JSON number, or a string holding one (money sometimes arrives as a string), that
    /// PostgreSQL's `numeric` can hold: at most 100 characters and an exponent within ±1000. Anything
    /// else is no value (a missing dimension), never a refused delivery.
    public init?(_ value: JSONValue?) {
        let text: String
        switch value {
        case .number(let n): text = n
        case .string(let s):
            guard s.utf8.count <= 100, case .number(let n)? = try? JSONParser.parse(Array(s.utf8)) else { return nil }
            text = n
        default: return nil
        }
        guard text.utf8.count <= 100, DecimalText.exponentIsModest(text) else { return nil }
        self.text = text
    }

    /// Whether the exponent, if any, has at most three digits (a drained spool checks every value
    /// again, so this reads the bytes directly).
    static func exponentIsModest(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            guard let e = bytes.firstIndex(where: { $0 | 0x20 == UInt8(ascii: "e") }) else { return true }
            var digits = 0
            for byte in bytes[(e + 1)...] where byte != UInt8(ascii: "+") && byte != UInt8(ascii: "-") { digits += 1 }
            return digits <= 3
        }
    }

    public var description: String { text }
}
