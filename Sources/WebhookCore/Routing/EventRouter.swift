/// The one routing table from event key to handler, checked for duplicates when built.
public struct EventRouter: Sendable {
    private let table: [EventKey: any EventHandler]
    private let fallback: any EventHandler

    /// Builds the table.
    /// - Parameters:
    ///   - handlers: specific handlers; a key claimed twice is a configuration error.
    ///   - fallback: serves every other key, cataloged or not.
    /// - Throws: `RoutingError` naming the key claimed twice.
    public init(handlers: [any EventHandler], fallback: any EventHandler) throws(RoutingError) {
        var table: [EventKey: any EventHandler] = [:]
        for handler in handlers {
            for key in handler.keys {
                guard table[key] == nil else { throw RoutingError(key: key) }
                table[key] = handler
            }
        }
        self.table = table
        self.fallback = fallback
    }

    /// The handler for `key`.
    public func handler(for key: EventKey) -> any EventHandler {
        table[key] ?? fallback
    }

    /// Keys with a handler of their own, sorted.
    public var routedKeys: [EventKey] { table.keys.sorted() }
}

/// Two handlers claim the same key.
public struct RoutingError: Error, Sendable, CustomStringConvertible {
    /// The key claimed twice.
    public var key: EventKey
    public var description: String { "two handlers claim the event key \(key)" }
}
