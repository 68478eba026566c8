/// The Wink and TripPay event catalogs as data (generated from shared/wink by scripts/gen-catalog).
public enum EventCatalog {
    /// One catalog row.
    public struct Entry: Sendable {
        /// The key as the catalog prints it.
        public let key: String
        /// The catalog group, e.g. `booking`.
        public let group: String
        /// `current`, `old` or `both`.
        public let catalog: String
        /// A one-line paraphrase of what the event means.
        public let description: String
    }

    private static let index: [String: Entry] = Dictionary(
        entries.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })

    /// Every cataloged key.
    public static var allKeys: [EventKey] { entries.map { EventKey(canonical: $0.key) } }

    /// Spellings seen outside the catalogs (`booking.created`), each with the catalog key it means.
    public static var aliases: [String: String] { aliasTable }

    /// The catalog row of `key`, if it has one.
    public static func entry(for key: EventKey) -> Entry? { index[key.rawValue] }
}
