/// Which members of a JSON text a parse builds: every value (`whole`), or, for an object, only the named
/// members, each with its own projection. Everything else is still checked as strictly as a whole parse
/// (a body the projection accepts is a body the whole parse accepts, and the archive can hold), but it
/// costs no allocation.
///
/// Why: the handlers read a few dozen fields of a body of hundreds; building every string and object of
/// it and freeing them again was a fifth of a worker's time per delivery.
///
/// Reading a projected tree: a value at the end of a path is whole; on the way, an object keeps the
/// named members and anything that is not an object is `null` (a path through it finds nothing either
/// way).
public struct JSONProjection: Sendable, Equatable {
    /// What is kept, as a tree (built and compared in this form).
    private var tree: Node
    /// The same as flat arrays, for the parser: it looks members up without copying anything counted.
    private(set) var table: Table

    private init(tree: Node) {
        self.tree = tree
        self.table = Table(tree)
    }

    /// Every value, as `JSONParser.parse(_:)` builds it.
    public static let whole = JSONProjection(tree: Node(members: nil))

    /// An object with none of its members.
    public static let nothing = JSONProjection(tree: Node(members: []))

    /// The values at `paths`, whole, and the objects on the way to them.
    public init(paths: [JSONPath]) {
        var tree = Node(members: [])
        for path in paths { tree.keep(path.members[...], whole: true) }
        self.init(tree: tree)
    }

    /// Whether this keeps every value.
    public var isWhole: Bool { tree.members == nil }

    /// Also keeps the value at `path` whole.
    public mutating func keep(_ path: JSONPath) {
        tree.keep(path.members[...], whole: true)
        table = Table(tree)
    }

    /// Also keeps the object at `path`, with what `projection` keeps inside it (added to what is kept there).
    public mutating func keep(_ path: JSONPath, projecting projection: JSONProjection) {
        tree.keep(path.members[...], projecting: projection.tree)
        table = Table(tree)
    }

    public static func == (lhs: JSONProjection, rhs: JSONProjection) -> Bool { lhs.tree == rhs.tree }

    /// One object's kept members (`nil`: the whole value).
    struct Node: Sendable, Equatable {
        var members: [(key: String, node: Node)]?

        static func == (lhs: Node, rhs: Node) -> Bool {
            guard let left = lhs.members, let right = rhs.members else {
                return lhs.members == nil && rhs.members == nil
            }
            return left.count == right.count
                && left.allSatisfy { member in right.contains { $0.key == member.key && $0.node == member.node } }
        }

        mutating func keep(_ names: ArraySlice<String>, whole: Bool) {
            guard members != nil else { return }
            guard let first = names.first else {
                if whole { members = nil }
                return
            }
            if let slot = members?.firstIndex(where: { $0.key == first }) {
                members?[slot].node.keep(names.dropFirst(), whole: whole)
                return
            }
            var child = Node(members: [])
            child.keep(names.dropFirst(), whole: whole)
            members?.append((first, child))
        }

        mutating func keep(_ names: ArraySlice<String>, projecting projection: Node) {
            keep(names, whole: projection.members == nil)
            for member in projection.members ?? [] {
                keep(names + [member.key], projecting: member.node)
            }
        }
    }

    /// The tree as flat arrays. Node 0 is the whole value; `root` the top level.
    struct Table: Sendable {
        struct Object: Sendable {
            /// First entry, or -1 for a whole value.
            var first: Int32
            var count: Int32
            /// Where its entries of each name length start in `byLength`: entries with names of `n` bytes
            /// are `byLength[lengths + n] ..< byLength[lengths + n + 1]`, for `n` up to `longest`.
            var lengths: Int32
            var longest: Int32
        }

        struct Entry: Sendable {
            /// Where the name's bytes start in `names` (its length is its place in `byLength`).
            var start: Int32
            /// The member's node.
            var node: Int32
        }

        private(set) var objects: [Object] = [Object(first: -1, count: 0, lengths: 0, longest: -1)]
        private(set) var byLength: [Int32] = []
        /// Each object's entries are contiguous, shortest name first.
        private(set) var entries: [Entry] = []
        private(set) var keys: [String] = []
        private(set) var names: [UInt8] = []
        private(set) var root: Int32 = 0

        init(_ tree: Node) {
            root = add(tree)
        }

        private mutating func add(_ node: Node) -> Int32 {
            guard let members = node.members else { return 0 }
            let id = Int32(objects.count)
            let sorted = members.sorted { $0.key.utf8.count < $1.key.utf8.count }
            let first = entries.count
            let longest = sorted.last?.key.utf8.count ?? -1
            objects.append(
                Object(
                    first: Int32(first), count: Int32(sorted.count), lengths: Int32(byLength.count),
                    longest: Int32(longest)))
            var next = first
            for n in 0...(longest + 1) {
                while next < first + sorted.count, sorted[next - first].key.utf8.count < n { next += 1 }
                byLength.append(Int32(next))
            }
            for member in sorted {
                entries.append(Entry(start: Int32(names.count), node: 0))
                keys.append(member.key)
                names.append(contentsOf: member.key.utf8)
            }
            for (k, member) in sorted.enumerated() { entries[first + k].node = add(member.node) }
            return id
        }

        /// Whether node `id` keeps everything.
        func isWhole(_ id: Int32) -> Bool { objects[Int(id)].first < 0 }

        /// The entry of node `id`'s member named by the UTF-8 `name`, or -1.
        func entry(of id: Int32, named name: UnsafeBufferPointer<UInt8>) -> Int {
            let object = objects[Int(id)]
            guard object.first >= 0, name.count <= object.longest else { return -1 }
            let slot = Int(object.lengths) + name.count
            for e in Int(byLength[slot])..<Int(byLength[slot + 1]) {
                let start = Int(entries[e].start)
                let same = names.withUnsafeBufferPointer { pool in
                    var k = 0
                    while k < name.count, pool[start + k] == name[k] { k += 1 }
                    return k == name.count
                }
                if same { return e }
            }
            return -1
        }
    }
}
