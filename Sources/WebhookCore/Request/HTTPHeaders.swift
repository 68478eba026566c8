/// Request headers with case-insensitive names. Repeated headers keep every value.
public struct HTTPHeaders: Sendable, Equatable {
    /// (lowercased name, value) pairs in arrival order.
    public private(set) var fields: [(name: String, value: String)] = []

    /// Creates an empty header list.
    public init() {}

    /// Creates headers from (name, value) pairs; names are lowercased.
    public init(_ pairs: [(String, String)]) {
        for (name, value) in pairs { add(name, value) }
    }

    /// Appends a header.
    public mutating func add(_ name: String, _ value: String) {
        fields.append((HTTPHeaders.lowercase(name), value))
    }

    /// Appends a header whose name is already lowercase.
    mutating func addLowercased(_ name: String, _ value: String) {
        fields.append((name, value))
    }

    /// The first value of `name`, if any.
    public subscript(name: String) -> String? {
        let lower = HTTPHeaders.lowercase(name)
        for field in fields where HTTPHeaders.sameName(field.name, lower) { return field.value }
        return nil
    }

    /// Every value of `name`.
    public func values(_ name: String) -> [String] {
        let lower = HTTPHeaders.lowercase(name)
        var out: [String] = []
        for field in fields where HTTPHeaders.sameName(field.name, lower) { out.append(field.value) }
        return out
    }

    /// The first value of `name` and whether a second follows, in one pass with nothing allocated.
    func firstValue(_ name: String) -> (value: String?, repeated: Bool) {
        let lower = HTTPHeaders.lowercase(name)
        var first: String?
        for field in fields where HTTPHeaders.sameName(field.name, lower) {
            if first != nil { return (first, true) }
            first = field.value
        }
        return (first, false)
    }

    /// Whether two lowercase names are the same. The stored lengths first: they tell most names apart
    /// without comparing bytes (lookups run for every header of every request).
    static func sameName(_ a: String, _ b: String) -> Bool {
        a.utf8.count == b.utf8.count && a == b
    }

    /// `name` in lowercase; no copy when it already is (the usual case: names are constants).
    static func lowercase(_ name: String) -> String {
        // Over the contiguous bytes: iterating the UTF-8 view cost some 25 instructions a byte.
        var bytes = name
        let upper = bytes.withUTF8 { buffer in
            for byte in buffer where byte >= 0x41 && byte <= 0x5A { return true }
            return false
        }
        return upper ? name.lowercased() : name
    }

    public static func == (lhs: HTTPHeaders, rhs: HTTPHeaders) -> Bool {
        lhs.fields.elementsEqual(rhs.fields) { $0.name == $1.name && $0.value == $1.value }
    }
}
