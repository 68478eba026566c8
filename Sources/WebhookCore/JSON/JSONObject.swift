/// The members of a JSON object, in the order they were written; a repeated name keeps its last value
/// (as `jsonb` does) in its first place.
///
/// Why not a `Dictionary`: a webhook body is a few dozen small objects of a few members each, read by a
/// handful of lookups. Hashing every name on the way in cost a quarter of a worker's parse; a linear
/// search over a few members costs less than one hash. An object with many members gets a dictionary
/// index, so a hostile object of 40,000 members is still parsed in linear time.
public struct JSONObject: Sendable, Equatable, Sequence, ExpressibleByDictionaryLiteral {
    /// One name and its value. A struct, not a tuple: an array of tuples is destroyed through the
    /// runtime's generic tuple witness, a fifth of the cost of freeing a parsed body.
    public struct Member: Sendable, Equatable {
        public var key: String
        public var value: JSONValue
    }

    /// The members in order.
    public private(set) var members: [Member] = []
    /// Position of each name, once there are more than `indexThreshold` members.
    private var index: [String: Int]?

    /// Members up to which lookups search linearly.
    static let indexThreshold = 32

    /// An empty object.
    public init() {}

    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        for (key, value) in elements { insert(key, value) }
    }

    /// Number of members.
    public var count: Int { members.count }
    /// Whether there are no members.
    public var isEmpty: Bool { members.isEmpty }
    /// The names in order.
    public var keys: [String] { members.map(\.key) }

    /// The value of member `key`; setting `nil` removes it.
    public subscript(key: String) -> JSONValue? {
        get { position(of: key).map { members[$0].value } }
        set {
            guard let newValue else {
                guard let slot = position(of: key) else { return }
                members.remove(at: slot)
                index = nil
                rebuildIndex()
                return
            }
            insert(key, newValue)
        }
    }

    /// Makes room for `count` members at once (the parser: most objects of a body have a few members,
    /// and growing one by one reallocated most of them twice).
    mutating func reserve(_ count: Int) {
        members.reserveCapacity(count)
    }

    /// Sets member `key` (the parser's insert too): a repeated name replaces its value in place.
    mutating func insert(_ key: String, _ value: JSONValue) {
        if let slot = position(of: key) {
            members[slot].value = value
            return
        }
        members.append(Member(key: key, value: value))
        if index != nil {
            index?[key] = members.count - 1
        } else {
            rebuildIndex()
        }
    }

    public func makeIterator() -> Iterator {
        Iterator(members: members.makeIterator())
    }

    /// The members in order, as `(key, value)` pairs.
    public struct Iterator: IteratorProtocol {
        var members: IndexingIterator<[Member]>

        public mutating func next() -> (key: String, value: JSONValue)? {
            members.next().map { ($0.key, $0.value) }
        }
    }

    /// The same names with equal values, in any order.
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.count == rhs.count else { return false }
        return lhs.members.allSatisfy { member in rhs[member.key] == member.value }
    }

    private func position(of key: String) -> Int? {
        if let index { return index[key] }
        let length = key.utf8.count  // O(1), and most names differ in it: cheaper than comparing
        return members.firstIndex { $0.key.utf8.count == length && $0.key == key }
    }

    private mutating func rebuildIndex() {
        guard members.count > JSONObject.indexThreshold else { return }
        var positions = [String: Int](minimumCapacity: members.count * 2)
        for (n, member) in members.enumerated() { positions[member.key] = n }
        index = positions
    }
}
