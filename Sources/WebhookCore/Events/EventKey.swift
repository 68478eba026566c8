/// A webhook event key such as `booking.create`, always in its canonical spelling.
///
/// Keys are data: the catalog, aliases and routing table are built from them, never from string
/// switches. A key that is syntactically fine but not in the catalog is kept as is.
public struct EventKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The canonical key text.
    public let rawValue: String

    /// The key for payloads whose event could not be determined.
    public static let unknown = EventKey(canonical: "unknown")

    /// Creates a key from text, applying the alias table (`booking.created` → `booking.create`).
    /// Returns `nil` unless the text looks like a dot-hierarchical key (`[A-Za-z0-9_-]` segments, 1–128 bytes).
    public init?(_ text: String) {
        guard EventKey.isWellFormed(text) else { return nil }
        self.rawValue = EventCatalog.aliasTable[text] ?? text
    }

    init(canonical: String) {
        self.rawValue = canonical
    }

    /// Whether the key is in the published catalogs.
    public var isCataloged: Bool { EventCatalog.entry(for: self) != nil }

    public var description: String { rawValue }

    public static func < (lhs: EventKey, rhs: EventKey) -> Bool { lhs.rawValue < rhs.rawValue }

    /// `segment(.segment)+` with segments of letters, digits, `_` and `-`; at most 128 bytes.
    static func isWellFormed(_ text: String) -> Bool {
        let utf8 = text.utf8
        guard (3...128).contains(utf8.count) else { return false }
        var dots = 0
        var previous: UInt8 = UInt8(ascii: ".")
        for c in utf8 {
            switch c {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"):
                break
            case UInt8(ascii: "."):
                guard previous != UInt8(ascii: ".") else { return false }
                dots += 1
            default:
                return false
            }
            previous = c
        }
        return dots > 0 && previous != UInt8(ascii: ".")
    }
}
