import Glibc
import WebhookCore

/// One segment as read from disk, from a given offset: its deliveries with where each record ends, and
/// whatever could not be used (a torn tail, a record that does not decode).
public struct SpoolSegment: Sendable {
    /// The file name.
    public var name: String
    /// The deliveries of its complete records after the starting offset, in order.
    public internal(set) var deliveries: [Delivery]
    /// For each of `deliveries`, the offset just past its record. Kept apart (not as one array of pairs)
    /// so that a drained batch copies its deliveries out once, not each pair and then its delivery.
    public internal(set) var ends: [Int]
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

    /// Bytes read at a time; the first read of a pass is smaller (a writer's segment has mostly zeros
    /// after what is new).
    static let window = 1 << 20
    static let firstWindow = 64 << 10

    /// Reads `name` in `directory` from byte `offset` (the end of records already drained), a window at a
    /// time: the zeros after the last record of a segment a writer holds are not read.
    static func read(_ name: String, in directory: String, from offset: Int = 0) throws(SpoolError) -> SpoolSegment {
        let path = directory + "/" + name
        // The lock is tested first: whatever a writer had made durable before is complete in the read.
        let active = SpoolFiles.isActive(path)
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw SpoolError("cannot open \(path): \(SpoolFiles.errorText())") }
        defer { close(fd) }
        var info = stat()
        fstat(fd, &info)
        let size = Int(info.st_size)
        var segment = SpoolSegment(
            name: name, deliveries: [], ends: [], bytes: size, end: offset, tornTail: nil, undecodable: 0,
            active: active)
        var start = offset
        var bytes = try SpoolFiles.read(fd, at: start, count: firstWindow, path: path)
        var position = 0
        reading: while true {
            switch SpoolRecord.parse(bytes, at: position) {
            case .end where start + bytes.count >= size:
                break reading
            case .end,
                .short where start + bytes.count < size:
                // The window ends inside a record: read on from the record's start.
                let had = bytes.count - position
                start += position
                let needed = SpoolRecord.length(bytes, at: position).map { $0 + SpoolRecord.headerSize } ?? 0
                bytes = try SpoolFiles.read(fd, at: start, count: max(window, needed), path: path)
                position = 0
                // Nothing more after all: the writer cut its segment to its records meanwhile.
                if bytes.count <= had { break reading }
            case .torn(let reason), .short(let reason):
                segment.tornTail = "\(reason) at byte \(start + position) of \(size)"
                break reading
            case .zeros:
                // A writer's unused space; after a crash, whatever follows must be zeros too.
                if !active, let reason = try SpoolSegment.nonZero(fd, from: start + position, size: size, path: path) {
                    segment.tornTail = reason
                }
                break reading
            case .record(let payload, let next):
                if let delivery = DeliveryCodec.decode(payload, like: segment.deliveries.last) {
                    segment.deliveries.append(delivery)
                    segment.ends.append(start + next)
                } else {
                    segment.undecodable += 1
                }
                position = next
                segment.end = start + next
            }
        }
        return segment
    }

    /// Why the bytes from `offset` on are not all zeros, or `nil` when they are.
    private static func nonZero(_ fd: Int32, from offset: Int, size: Int, path: String) throws(SpoolError) -> String? {
        var at = offset
        while at < size {
            let chunk = try SpoolFiles.read(fd, at: at, count: window, path: path)
            if chunk.isEmpty { break }
            if let index = chunk.firstIndex(where: { $0 != 0 }) {
                return "bytes after the last record at byte \(at + index) of \(size)"
            }
            at += chunk.count
        }
        return nil
    }
}
