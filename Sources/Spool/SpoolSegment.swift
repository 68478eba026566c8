import WebhookCore

/// One segment as read from disk: its deliveries, and whatever could not be used (a torn tail, a record
/// that does not decode).
public struct SpoolSegment: Sendable {
    /// The file name.
    public var name: String
    /// The deliveries of its complete records, in order.
    public var deliveries: [Delivery]
    /// Bytes on disk.
    public var bytes: Int
    /// Why its tail was not used, if it was torn (a write cut short by a crash: never acknowledged).
    public var tornTail: String?
    /// Records whose checksum was right but whose content did not decode.
    public var undecodable: Int
    /// Whether a writer still holds it.
    public var active: Bool

    /// Reads `name` in `directory`.
    static func read(_ name: String, in directory: String) throws(SpoolError) -> SpoolSegment {
        let path = directory + "/" + name
        let active = SpoolFiles.isActive(path)
        let bytes = try SpoolFiles.read(path)
        var deliveries: [Delivery] = []
        var undecodable = 0
        var offset = 0
        var torn: String?
        reading: while true {
            switch SpoolRecord.parse(bytes, at: offset) {
            case .end: break reading
            case .torn(let reason):
                torn = "\(reason) at byte \(offset) of \(bytes.count)"
                break reading
            case .record(let payload, let next):
                if let delivery = DeliveryCodec.decode(payload) {
                    deliveries.append(delivery)
                } else {
                    undecodable += 1
                }
                offset = next
            }
        }
        return SpoolSegment(
            name: name, deliveries: deliveries, bytes: bytes.count, tornTail: torn, undecodable: undecodable,
            active: active)
    }
}
