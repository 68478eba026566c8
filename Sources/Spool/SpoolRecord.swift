/// One record in a spool segment: `WKS1`, the payload length (UInt32, little endian), the payload's
/// CRC-32C (UInt32, little endian), the payload. A record cut short or with a wrong checksum is a torn
/// tail: never applied. Four zero bytes where a record would start end the records (a segment is
/// written full of zeros before records overwrite it); anything but zeros after that is a torn tail.
enum SpoolRecord {
    static let magic: [UInt8] = Array("WKS1".utf8)
    static let headerSize = 12
    /// Larger than any body winkhook accepts plus its metadata.
    static let maximumPayload = 80 << 20

    static func frame(_ payload: [UInt8]) -> [UInt8] {
        var out = magic
        out.reserveCapacity(headerSize + payload.count)
        append(UInt32(payload.count), to: &out)
        append(CRC32C.checksum(payload), to: &out)
        out += payload
        return out
    }

    /// What is at `offset` of `bytes`.
    enum Parsed {
        case record(payload: ArraySlice<UInt8>, next: Int)
        case end
        /// Zeros where a record would start: the end of the records if only zeros follow.
        case zeros
        /// The bytes end inside a record (more may follow in the file).
        case short(reason: String)
        case torn(reason: String)
    }

    static func parse(_ bytes: [UInt8], at offset: Int) -> Parsed {
        guard offset < bytes.count else { return .end }
        if bytes[offset] == 0, bytes.count - offset < 4 || bytes[offset..<offset + 4].allSatisfy({ $0 == 0 }) {
            return .zeros
        }
        guard bytes.count - offset >= headerSize else { return .short(reason: "a record header cut short") }
        guard Array(bytes[offset..<offset + 4]) == magic else { return .torn(reason: "no record marker") }
        let length = Int(read(bytes, offset + 4))
        let crc = read(bytes, offset + 8)
        guard length <= maximumPayload else { return .torn(reason: "an impossible record length") }
        let start = offset + headerSize
        guard bytes.count - start >= length else { return .short(reason: "a record cut short") }
        let payload = bytes[start..<start + length]
        guard CRC32C.checksum(payload) == crc else { return .torn(reason: "a record whose checksum is wrong") }
        return .record(payload: payload, next: start + length)
    }

    /// The payload length a record header at `offset` declares, if the header is there.
    static func length(_ bytes: [UInt8], at offset: Int) -> Int? {
        guard bytes.count - offset >= headerSize, Array(bytes[offset..<offset + 4]) == magic else { return nil }
        let length = Int(read(bytes, offset + 4))
        return length <= maximumPayload ? length : nil
    }

    private static func append(_ value: UInt32, to out: inout [UInt8]) {
        for shift in [0, 8, 16, 24] { out.append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
    }

    private static func read(_ bytes: [UInt8], _ at: Int) -> UInt32 {
        UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24
    }
}
