import WebhookCore

/// What the spool holds: `winkhook spool status`.
public struct SpoolStatus: Sendable {
    public var segments = 0
    public var activeSegments = 0
    public var records = 0
    public var bytes = 0
    /// When the oldest spooled delivery was received.
    public var oldest: Timestamp?
    /// Torn tails and unreadable segments, in words.
    public var problems: [String] = []

    /// Reads every segment of `directory`.
    public static func read(_ directory: String) -> SpoolStatus {
        var status = SpoolStatus()
        for name in SpoolFiles.segments(in: directory) {
            do {
                let segment = try SpoolSegment.read(name, in: directory)
                status.segments += 1
                if segment.active { status.activeSegments += 1 }
                status.records += segment.deliveries.count
                status.bytes += segment.bytes
                if let first = segment.deliveries.first?.receivedAt, status.oldest.map({ first < $0 }) ?? true {
                    status.oldest = first
                }
                if let torn = segment.tornTail { status.problems.append("\(name): torn tail (\(torn))") }
            } catch {
                status.problems.append("\(name): \(error.reason)")
            }
        }
        for name in SpoolFiles.keptForAPerson(in: directory) {
            status.problems.append("\(name): deliveries kept aside for a person (see README, Troubleshooting)")
        }
        return status
    }

    /// A cheap look for status pages: the segments and their bytes (sizes only), and the oldest
    /// delivery (the first record of the oldest segment, the only one read).
    public static func glance(_ directory: String) -> SpoolStatus {
        var status = SpoolStatus()
        let names = SpoolFiles.segments(in: directory).sorted()
        status.segments = names.count
        for name in names { status.bytes += SpoolFiles.size(directory + "/" + name) }
        for name in names {
            guard let segment = try? SpoolSegment.read(name, in: directory) else { continue }
            if segment.active { status.activeSegments += 1 }
            if let first = segment.deliveries.first?.receivedAt {
                status.oldest = first
                break
            }
        }
        return status
    }
}
