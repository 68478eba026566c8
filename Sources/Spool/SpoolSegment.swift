import WebhookCore

/// One segment as read from disk, from a given offset: its deliveries with where each record ends, and
/// whatever could not be used (a torn tail, a record that does not decode).
public struct SpoolSegment: Sendable {
    /// A complete record's delivery and the offset just past it.
    public struct Entry: Sendable {
        public var delivery: Delivery
        public var end: Int
    }

    /// The file name.
    public var name: String
    /// The deliveries of its complete records after the starting offset, in order.
    public var entries: [Entry]
    /// Bytes on disk.
    public var bytes: Int
    /// Where the complete records end (the offset a later read starts from).
    public var end: Int
    /// Why its tail was not used, if it was torn (a write cut short by a crash: never acknowledged).
    public var tornTail: String?
    /// Records whose checksum was right but whose content did not decode.
    public var undecodable: Int
    /// Whether a writer still holds it.
    public var active: Bool

    /// The deliveries alone.
    public var deliveries: [Delivery] { entries.map(\.delivery) }

    /// Reads `name` in `directory` from byte `offset` (the end of records already drained).
    static func read(_ name: String, in directory: String, from offset: Int = 0) throws(SpoolError) -> SpoolSegment {
        let path = directory + "/" + name
        // The lock is tested first: whatever a writer had made durable before is complete in the read.
        let active = SpoolFiles.isActive(path)
        let (bytes, size) = try SpoolFiles.read(path, from: offset)
        var entries: [Entry] = []
        var undecodable = 0
        var position = 0
        var torn: String?
        reading: while true {
            switch SpoolRecord.parse(bytes, at: position) {
            case .end: break reading
            case .torn(let reason):
                torn = "\(reason) at byte \(offset + position) of \(size)"
                break reading
            case .record(let payload, let next):
                if let delivery = DeliveryCodec.decode(payload) {
                    entries.append(Entry(delivery: delivery, end: offset + next))
                } else {
                    undecodable += 1
                }
                position = next
            }
        }
        return SpoolSegment(
            name: name, entries: entries, bytes: size, end: offset + position, tornTail: torn,
            undecodable: undecodable, active: active)
    }
}
