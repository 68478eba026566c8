/// PostgreSQL's binary form of a one-dimensional array (`array_send`): a header, then each element as a
/// 32-bit big-endian length (-1 for NULL) and its bytes. Sent as a binary parameter, an array of bodies
/// costs the server a copy, where its text form (`ArrayLiteral`) is read one character at a time
/// (a quarter of the server's time while draining, by `perf`).
enum BinaryArray {
    /// The type of `text`'s elements (`pg_type.oid`).
    static let textOID: UInt32 = 25

    /// A `text[]` of `elements`: `.text` and `.binary` (a text's binary form is its bytes) are elements,
    /// `.null` is NULL. The server checks each element's UTF-8 as it does for text.
    static func text(_ elements: [PostgresParameter]) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(elements.reduce(20) { $0 + 4 + $1.storedBytes })
        append(1, to: &out)  // dimensions
        append(elements.contains { if case .null = $0 { true } else { false } } ? 1 : 0, to: &out)  // has NULLs
        append(textOID, to: &out)
        append(UInt32(elements.count), to: &out)
        append(1, to: &out)  // lower bound
        for element in elements {
            switch element {
            case .null:
                append(UInt32(bitPattern: -1), to: &out)
            case .text(var text):
                text.withUTF8 { bytes in
                    append(UInt32(bytes.count), to: &out)
                    out.append(contentsOf: bytes)
                }
            case .binary(let bytes):
                append(UInt32(bytes.count), to: &out)
                out.append(contentsOf: bytes)
            }
        }
        return out
    }

    private static func append(_ value: UInt32, to out: inout [UInt8]) {
        withUnsafeBytes(of: value.bigEndian) { out.append(contentsOf: $0) }
    }
}
