/// One value of a statement's `$n` parameters, in one of the two forms libpq sends.
enum PostgresParameter {
    /// SQL NULL.
    case null
    /// PostgreSQL's text input syntax (`42`, `{"a","b"}`).
    case text(String)
    /// The type's binary (send/receive) form, e.g. `BinaryArray.text` for a `text[]`: the server copies
    /// it instead of parsing it character by character.
    case binary([UInt8])

    /// `.text`, or `.null` for `nil`.
    init(_ text: String?) {
        self = text.map(PostgresParameter.text) ?? .null
    }

    /// The text of a `.text` value, `nil` for `.null`; a `.binary` value's bytes read as UTF-8.
    var textValue: String? {
        switch self {
        case .null: nil
        case .text(let text): text
        case .binary(let bytes): String(decoding: bytes, as: UTF8.self)
        }
    }
}

/// A value libpq can send as a parameter: `String` or `String?` (text, `nil` SQL NULL), or `PostgresParameter`.
protocol LibpqParameter {
    /// The bytes it takes in the parameters' one allocation.
    var storedBytes: Int { get }
    /// Copies it into `buffers` as parameter `index`.
    func store(in buffers: inout ParameterBuffers, at index: Int)
}

extension Optional: LibpqParameter where Wrapped == String {
    var storedBytes: Int { map { $0.utf8.count + 1 } ?? 0 }

    func store(in buffers: inout ParameterBuffers, at index: Int) {
        if let self { buffers.put(text: self, at: index) } else { buffers.putNull(at: index) }
    }
}

extension String: LibpqParameter {
    var storedBytes: Int { utf8.count + 1 }

    func store(in buffers: inout ParameterBuffers, at index: Int) {
        buffers.put(text: self, at: index)
    }
}

extension PostgresParameter: LibpqParameter {
    var storedBytes: Int {
        switch self {
        case .null: 0
        case .text(let text): text.utf8.count + 1
        case .binary(let bytes): bytes.count
        }
    }

    func store(in buffers: inout ParameterBuffers, at index: Int) {
        switch self {
        case .null: buffers.putNull(at: index)
        case .text(let text): buffers.put(text: text, at: index)
        case .binary(let bytes): buffers.put(binary: bytes, at: index)
        }
    }
}

extension Array where Element: LibpqParameter {
    /// Calls `body` with libpq's three parallel arrays (values, ending with a NULL; lengths; formats, 0 text
    /// and 1 binary), valid for the call. The values are copied once, into one allocation (a delivery has
    /// 30 parameters, one of them the body); text is NUL-terminated.
    func withLibpqArrays<R>(
        _ body: (UnsafePointer<UnsafePointer<CChar>?>, UnsafePointer<Int32>, UnsafePointer<Int32>) -> R
    ) -> R {
        var buffers = ParameterBuffers(count: count, bytes: reduce(0) { $0 + $1.storedBytes })
        defer { buffers.deallocate() }
        for (index, parameter) in enumerated() { parameter.store(in: &buffers, at: index) }
        return body(buffers.values, buffers.lengths, buffers.formats)
    }
}

/// The memory behind one call's parameter arrays: the values' bytes in one allocation, and the three
/// arrays pointing into it.
struct ParameterBuffers {
    let values: UnsafeMutablePointer<UnsafePointer<CChar>?>
    let lengths: UnsafeMutablePointer<Int32>
    let formats: UnsafeMutablePointer<Int32>
    private let storage: UnsafeMutableRawPointer
    private var offset = 0

    init(count: Int, bytes: Int) {
        values = .allocate(capacity: count + 1)
        lengths = .allocate(capacity: count + 1)
        formats = .allocate(capacity: count + 1)
        storage = .allocate(byteCount: max(bytes, 1), alignment: 1)
        values[count] = nil
    }

    func deallocate() {
        storage.deallocate()
        values.deallocate()
        lengths.deallocate()
        formats.deallocate()
    }

    func putNull(at index: Int) {
        values[index] = nil
        lengths[index] = 0
        formats[index] = 0
    }

    mutating func put(text: String, at index: Int) {
        var text = text
        text.withUTF8 { put($0, at: index, format: 0) }
        (storage + offset).storeBytes(of: 0, as: UInt8.self)
        offset += 1
    }

    mutating func put(binary: [UInt8], at index: Int) {
        binary.withUnsafeBufferPointer { put($0, at: index, format: 1) }
    }

    private mutating func put(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int, format: Int32) {
        let start = storage + offset
        if let base = bytes.baseAddress { start.copyMemory(from: base, byteCount: bytes.count) }
        values[index] = UnsafePointer(start.assumingMemoryBound(to: CChar.self))
        lengths[index] = Int32(bytes.count)
        formats[index] = format
        offset += bytes.count
    }
}
