/// The one routing table from event key to handler, checked for duplicates when built.
public struct EventRouter: Sendable {
    private let table: [EventKey: any EventHandler]
    private let fallback: any EventHandler
    /// Every path any of its handlers reads into `data`, or `nil` when one of them reads the whole body.
    public let dataReads: [JSONPath]?

    /// Builds the table.
    /// - Parameters:
    ///   - handlers: specific handlers; a key claimed twice is a configuration error.
    ///   - fallback: serves every other key, cataloged or not.
    ///   - requireCataloged: every declared key must be in the published catalogs (the built-in table);
    ///     off only for handlers of keys a deployment invents.
    /// - Throws: `RoutingError` naming the key claimed twice, or a declared key that is no cataloged key.
    public init(handlers: [any EventHandler], fallback: any EventHandler, requireCataloged: Bool = true)
        throws(RoutingError)
    {
        var table: [EventKey: any EventHandler] = [:]
        table.reserveCapacity(handlers.reduce(0) { $0 + $1.declaredKeys.count })
        for handler in handlers {
            for name in handler.declaredKeys {
                guard let key = EventKey(name), !requireCataloged || key.isCataloged else {
                    throw RoutingError(name: name, problem: .notInCatalog)
                }
                guard table[key] == nil else { throw RoutingError(name: key.rawValue, problem: .claimedTwice) }
                table[key] = handler
            }
        }
        self.table = table
        self.fallback = fallback
        var reads: [JSONPath]? = []
        for handler in handlers + [fallback] {
            guard let own = handler.reads else {
                reads = nil
                break
            }
            reads?.append(contentsOf: own)
        }
        self.dataReads = reads
    }

    /// The handler for `key`.
    public func handler(for key: EventKey) -> any EventHandler {
        table[key] ?? fallback
    }

    /// Keys with a handler of their own, sorted.
    public var routedKeys: [EventKey] { table.keys.sorted() }
}

/// A routing table that cannot be built.
public struct RoutingError: Error, Sendable, CustomStringConvertible {
    /// What is wrong with the key.
    public enum Problem: Sendable {
        /// Two handlers claim it.
        case claimedTwice
        /// It is not a key of the published catalogs (a typo in the registry).
        case notInCatalog
    }

    /// The key as declared.
    public var name: String
    public var problem: Problem

    public var description: String {
        switch problem {
        case .claimedTwice: "two handlers claim the event key \(name)"
        case .notInCatalog: "a handler declares \(name), which is no event key of the catalog"
        }
    }
}
