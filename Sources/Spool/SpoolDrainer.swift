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

    /// One pass over every closed segment. `progress` is called after each delivery (done, total).
    public func drain(into store: any EventStore, progress: (Int, Int) -> Void = { _, _ in }) -> Summary {
        var summary = Summary()
        let names = SpoolFiles.segments(in: directory)
        var segments: [SpoolSegment] = []
        for name in names {
            do {
                let segment = try SpoolSegment.read(name, in: directory)
                if segment.active { summary.activeSegments += 1 }
                segments.append(segment)
            } catch {
                summary.problems.append("\(name): \(error.reason)")
            }
        }
        committed = committed.filter { names.contains($0.key) }
        let total = segments.reduce(0) { $0 + max(0, $1.deliveries.count - (committed[$1.name] ?? 0)) }
        var done = 0
        for segment in segments {
            let already = committed[segment.name] ?? 0
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
                committed[segment.name, default: 0] += 1
                done += 1
                progress(done, total)
            }
            // A writer may be in the middle of its next record: neither torn nor done yet.
            guard !segment.active else { continue }
            if let torn = segment.tornTail {
                summary.problems.append("\(segment.name): torn tail dropped (\(torn)); it was never acknowledged")
            }
            committed[segment.name] = nil
            if segment.undecodable > 0 {
                summary.problems.append("\(segment.name): \(segment.undecodable) record(s) did not decode")
                // Kept aside for a person to look at, not deleted.
                rename(directory + "/" + segment.name, directory + "/" + segment.name + ".undecodable")
                continue
            }
            unlink(directory + "/" + segment.name)
            summary.segmentsDrained += 1
        }
        if summary.segmentsDrained > 0 { SpoolFiles.syncDirectory(directory) }
        return summary
    }
}
