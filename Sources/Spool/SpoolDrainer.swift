import Clocks
import Glibc
import WebhookCore

/// Moves spooled deliveries into a store, oldest segment first, in batches (one transaction each). A
/// segment is deleted only once every one of its deliveries is committed and no writer holds it any more
/// (duplicates are detected by the store, so a drain that stops halfway and starts again writes nothing
/// twice). Of a segment a worker still writes to, the complete records are drained and the offset
/// reached remembered, so the next pass reads only what was appended since. A segment another drainer
/// holds (its lease, `SpoolFiles.lease`) is left to it.
public final class SpoolDrainer {
    /// The spool directory.
    public let directory: String
    /// Deliveries per batch at most.
    public let batchLimit: Int
    /// Body bytes per batch at most.
    public let batchByteLimit: Int
    /// When several drain one spool side by side, taking segments as they go: called with each segment
    /// before it is read; `false` means another drainer has it. A pass's progress then counts only this
    /// drainer's segments against the whole spool.
    public var claim: ((String) -> Bool)?
    /// How far each segment still held by a writer is committed (byte offset), by name.
    private var committed: [String: Int] = [:]
    /// Records that did not decode in the part of a segment already read, by name.
    private var undecodable: [String: Int] = [:]

    /// The default batch size.
    public static let defaultBatchLimit = 500

    /// Creates a drainer.
    public init(directory: String, batchLimit: Int = defaultBatchLimit, batchByteLimit: Int = 8 << 20) {
        self.directory = directory
        self.batchLimit = max(1, batchLimit)
        self.batchByteLimit = max(1, batchByteLimit)
    }

    /// What one pass did.
    public struct Summary: Sendable, Equatable {
        public var segmentsDrained = 0
        public var stored = 0
        public var duplicates = 0
        public var rejected = 0
        /// Deliveries the database refused for good (not a data error: e.g. a key too long for its
        /// index), written to `<segment>.refused` for a person instead of holding up the rest.
        public var keptAside = 0
        public var batches = 0
        public var activeSegments = 0
        /// Segments skipped because another drainer had them (its lease): left to it.
        public var heldElsewhere = 0
        /// For each delivery stored, µs from its receipt to its commit (visibility lag).
        public var lagMicros: [Int64] = []
        /// Torn tails and undecodable records, in words (for the log).
        public var problems: [String] = []
        /// Why the pass stopped early (the store is unavailable), if it did.
        public var stoppedBecause: String?

        /// Whether anything was written or found.
        public var moved: Int { stored + duplicates + rejected + keptAside }

        /// An empty summary.
        public init() {}
    }

    /// One pass over every segment, oldest first, one segment in memory at a time (a pass that finds the
    /// store gone stops at its first batch, having read one segment, not the whole spool). `progress` is
    /// called after each batch with (bytes done, bytes in the spool).
    public func drain(into store: any EventStore, progress: (Int, Int) -> Void = { _, _ in }) -> Summary {
        var summary = Summary()
        let names = SpoolFiles.segments(in: directory)
        committed = committed.filter { names.contains($0.key) }
        undecodable = undecodable.filter { names.contains($0.key) }
        SpoolFiles.removeAbandonedHiddenSegments(in: directory)
        let total = names.reduce(0) { $0 + SpoolFiles.size(directory + "/" + $1) }
        var done = 0
        for name in names {
            if let claim, !claim(name) { continue }
            let lease = SpoolFiles.lease(directory + "/" + name)
            switch lease {
            case .busy:
                summary.heldElsewhere += 1
                continue
            case .gone:
                committed[name] = nil
                continue
            case .held, .unavailable:
                break
            }
            defer { if case .held(let descriptor) = lease { close(descriptor) } }
            let from = committed[name] ?? 0
            let segment: SpoolSegment
            do {
                segment = try SpoolSegment.read(name, in: directory, from: from)
            } catch {
                summary.problems.append("\(name): \(error.reason)")
                continue
            }
            if segment.active { summary.activeSegments += 1 }
            undecodable[name, default: 0] += segment.undecodable
            done += from
            var start = 0
            while start < segment.deliveries.count {
                var end = start
                var bytes = 0
                while end < segment.deliveries.count, end - start < batchLimit, bytes < batchByteLimit {
                    bytes += segment.deliveries[end].body.count
                    end += 1
                }
                if let reason = write(Array(segment.deliveries[start..<end]), from: name, into: store, &summary) {
                    summary.stoppedBecause = reason
                    return summary
                }
                guard end > start else { break }
                committed[name] = segment.ends[end - 1]
                done += segment.ends[end - 1] - (start == 0 ? from : segment.ends[start - 1])
                progress(done, total)
                start = end
            }
            done += segment.bytes - segment.end
            // A writer may be in the middle of its next record: neither torn nor done yet.
            guard !segment.active else {
                committed[name] = segment.end
                continue
            }
            if let torn = segment.tornTail {
                summary.problems.append("\(name): torn tail dropped (\(torn)); it was never acknowledged")
            }
            committed[name] = nil
            if let count = undecodable.removeValue(forKey: name), count > 0 {
                summary.problems.append("\(name): \(count) record(s) did not decode")
                // Kept aside for a person to look at, not deleted.
                rename(directory + "/" + name, directory + "/" + name + ".undecodable")
                continue
            }
            unlink(directory + "/" + name)
            summary.segmentsDrained += 1
        }
        progress(claim == nil ? total : done, total)
        if summary.segmentsDrained > 0 { SpoolFiles.syncDirectory(directory) }
        return summary
    }

    /// Writes one batch; returns why it could not (the store is unavailable), or `nil`.
    private func write(_ batch: [Delivery], from segment: String, into store: any EventStore, _ summary: inout Summary)
        -> String?
    {
        do {
            let results = try store.recordBatch(batch)
            summary.batches += 1
            count(results, of: batch, &summary)
            return nil
        } catch  where error.code != .unavailable {
            // One delivery the database refuses must not hold up the rest: one at a time, as the request
            // path does (points dropped first, then the body kept raw, else kept aside on disk).
            for delivery in batch {
                if let reason = writeAlone(delivery, from: segment, into: store, &summary) { return reason }
            }
            summary.batches += 1
            return nil
        } catch {
            return error.debugDescription
        }
    }

    private func writeAlone(
        _ delivery: Delivery, from segment: String, into store: any EventStore, _ summary: inout Summary
    ) -> String? {
        var attempt = delivery
        do {
            do {
                count([try store.record(attempt)], of: [attempt], &summary)
            } catch  where error.code == .invalidData && attempt.hasDerivedValues {
                attempt = attempt.archiveOnly
                count([try store.record(attempt)], of: [attempt], &summary)
            }
        } catch  where error.code == .invalidData {
            let rejected = RejectedDelivery(
                refused: delivery, reason: "the database refused the spooled delivery: \(error.detail)")
            do {
                try store.recordRejected(rejected)
                summary.rejected += 1
            } catch  where error.code == .unavailable {
                return error.debugDescription
            } catch {
                return keepAside(delivery, from: segment, because: error.detail, &summary)
            }
        } catch  where error.code == .failed {
            return keepAside(delivery, from: segment, because: error.detail, &summary)
        } catch {
            return error.debugDescription
        }
        return nil
    }

    /// Appends `delivery` to `<segment>.refused` (durably), for a person: never drained again, never lost.
    private func keepAside(_ delivery: Delivery, from segment: String, because reason: String, _ summary: inout Summary)
        -> String?
    {
        let path = directory + "/" + segment + ".refused"
        do {
            try SpoolFiles.appendDurably(SpoolRecord.frame(DeliveryCodec.encode(delivery)), to: path)
        } catch {
            return "cannot keep a refused delivery aside in \(path): \(error.reason)"
        }
        summary.keptAside += 1
        summary.problems.append(
            "\(segment): \(delivery.dedupeKey.prefix(80)) refused by the database (\(reason)); kept in \(path)")
        return nil
    }

    private func count(_ results: [RecordResult], of batch: [Delivery], _ summary: inout Summary) {
        let now = SystemClock.wallMicros()
        for (result, delivery) in zip(results, batch) {
            switch result {
            case .inserted, .spooled, .accepted:
                summary.stored += 1
                summary.lagMicros.append(max(0, now - delivery.receivedAt.microseconds))
            case .duplicate: summary.duplicates += 1
            }
        }
    }
}
