/// PostgreSQL's binary form of a one-dimensional array (`array_send`): a header, then each element as a
/// 32-bit big-endian length (-1 for NULL) and its bytes. Sent as a binary parameter, an array of bodies
/// costs the server a copy, where its text form (`ArrayLiteral`) is read one character at a time
/// (a quarter of the server's time while draining, by `perf`).
enum BinaryArray {
    /// A `text[]` of `elements`: `.text` and `.binary` (a text's binary form is its bytes) are elements,
    /// `.null` is NULL. The server checks each element's UTF-8 as it does for text.
    static func text(_ elements: [PostgresParameter]) -> [UInt8] {
        var out = BinaryWriter(capacity: elements.reduce(20) { $0 + 4 + $1.storedBytes })
        out.arrayHeader(
            count: elements.count, oid: BinaryWriter.textOID,
            hasNull: elements.contains { if case .null = $0 { true } else { false } })
        for element in elements {
            switch element {
            case .null: out.null()
            case .text(let text): out.sized { $0.append(text) }
            case .binary(let bytes): out.sized { $0.append(bytes) }
            }
        }
        return out.bytes
    }
}
