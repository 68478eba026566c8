import Glibc
import WebhookCore

/// Moves spooled deliveries into a store, oldest segment first. A segment is deleted only once every one
/// of its deliveries is committed and no writer holds it any more (duplicates are detected by the store,
/// so a drain that stops halfway and starts again writes nothing twice). Of a segment a worker still
/// writes to, the complete records are drained and remembered, and the file is left for a later pass.
public final class SpoolDrainer {
    /// The spool directory.
    public let directory: String
    /// Deliveries already committed, by segment name (segments still held by a writer).
    private var committed: [String: Int] = [:]

    /// Creates a drainer.
    public init(directory: String) {
        self.directory = directory
    }

    /// What one pass did.
    public struct Summary: Sendable, Equatable {
        public var segmentsDrained = 0
        public var stored = 0
        public var duplicates = 0
        public var rejected = 0
        public var activeSegments = 0
        /// Torn tails and undecodable records, in words (for the log).
        public var problems: [String] = []
        /// Why the pass stopped early (the store is unavailable), if it did.
        public var stoppedBecause: String?
    }

    /// One pass over every segment, oldest first, one segment in memory at a time (a pass that finds the
    /// store gone stops at its first write, having read one segment, not the whole spool). `progress` is
    /// called after each delivery with (bytes done, bytes in the spool).
    public func drain(into store: any EventStore, progress: (Int, Int) -> Void = { _, _ in }) -> Summary {
        var summary = Summary()
        let names = SpoolFiles.segments(in: directory)
        committed = committed.filter { names.contains($0.key) }
        let total = names.reduce(0) { $0 + SpoolFiles.size(directory + "/" + $1) }
        var done = 0
        for name in names {
            let segment: SpoolSegment
            do {
                segment = try SpoolSegment.read(name, in: directory)
            } catch {
                summary.problems.append("\(name): \(error.reason)")
                continue
            }
            if segment.active { summary.activeSegments += 1 }
            let share = segment.deliveries.isEmpty ? 0 : segment.bytes / segment.deliveries.count
            let already = committed[name] ?? 0
            done += share * already
            for delivery in segment.deliveries.dropFirst(already) {
                do {
                    switch try store.record(delivery) {
                    case .inserted, .spooled: summary.stored += 1
                    case .duplicate: summary.duplicates += 1
                    }
                } catch  where error.code == .invalidData {
                    let rejected = RejectedDelivery(
                        refused: delivery, reason: "the database refused the spooled body: \(error.detail)")
                    do {
                        try store.recordRejected(rejected)
                        summary.rejected += 1
                    } catch {
                        summary.stoppedBecause = error.debugDescription
                        return summary
                    }
                } catch {
                    summary.stoppedBecause = error.debugDescription
                    return summary
                }
                committed[name, default: 0] += 1
                done += share
                progress(done, total)
            }
            // A writer may be in the middle of its next record: neither torn nor done yet.
            guard !segment.active else { continue }
            if let torn = segment.tornTail {
                summary.problems.append("\(name): torn tail dropped (\(torn)); it was never acknowledged")
            }
            committed[name] = nil
            if segment.undecodable > 0 {
                summary.problems.append("\(name): \(segment.undecodable) record(s) did not decode")
                // Kept aside for a person to look at, not deleted.
                rename(directory + "/" + name, directory + "/" + name + ".undecodable")
                continue
            }
            unlink(directory + "/" + name)
            summary.segmentsDrained += 1
        }
        progress(total, total)
        if summary.segmentsDrained > 0 { SpoolFiles.syncDirectory(directory) }
        return summary
    }
}
