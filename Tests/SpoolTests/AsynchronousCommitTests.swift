import Foundation
import Glibc
import Testing
import WebhookCore

@testable import Spool

/// A store whose batches commit without waiting for the disk, as a drainer's PostgreSQL store does: what
/// is not flushed yet is lost when the server restarts (and the server is another one afterwards).
final class LossyStore: EventStore {
    /// Deliveries that are durable.
    private(set) var durable: [Delivery] = []
    /// Deliveries committed since the last flush (visible, not yet durable).
    private(set) var pending: [Delivery] = []
    private(set) var flushes = 0
    private(set) var unflushedCommit: String?
    private var server = "server-1"
    /// Called at each flush (a test looks at the spool at that moment).
    var onFlush: () -> Void = {}

    private func holds(_ delivery: Delivery) -> Bool {
        (durable + pending).contains { $0.webhook == delivery.webhook && $0.dedupeKey == delivery.dedupeKey }
    }

    func record(_ delivery: Delivery) throws(EventStoreError) -> RecordResult {
        guard !holds(delivery) else { return .duplicate }
        durable.append(delivery)
        return .inserted(points: delivery.points.count)
    }

    func recordBatch(_ deliveries: [Delivery]) throws(EventStoreError) -> [RecordResult] {
        let results = deliveries.map { delivery -> RecordResult in
            guard !holds(delivery) else { return .duplicate }
            pending.append(delivery)
            return .inserted(points: delivery.points.count)
        }
        unflushedCommit = server
        return results
    }

    func recordRejected(_ rejected: RejectedDelivery) throws(EventStoreError) {}

    func flushCommits() throws(EventStoreError) -> String? {
        onFlush()
        flushes += 1
        durable += pending
        pending = []
        unflushedCommit = nil
        return server
    }

    /// The server stops without flushing and starts again: what was not durable is gone.
    func restart() {
        pending = []
        unflushedCommit = nil
        server = "server-2"
    }
}

@Suite final class AsynchronousCommitTests {
    let directory: String

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    init() {
        var template = Array("/tmp/winkhook-async-test.XXXXXX".utf8CString)
        directory = template.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress, let made = mkdtemp(base) else { return "/tmp/winkhook-async-test" }
            return String(cString: made)
        }
    }

    func delivery(_ n: Int) -> Delivery {
        Delivery(
            webhook: "wink", dedupeKey: "id:msg_\(n)", eventKey: EventKey("booking.create") ?? .unknown,
            sentKey: "booking.created", disposition: .stored, receivedAt: Timestamp(seconds: 1_780_000_000 + Int64(n)),
            headers: .object([:]), body: Array(#"{"type":"booking.created","n":\#(n)}"#.utf8), bodySHA256: "hash\(n)",
            points: [], dimensions: EventDimensions(), booking: nil)
    }

    func keys(_ deliveries: [Delivery]) -> [String] { deliveries.map(\.dedupeKey).sorted() }

    @Test func aSegmentIsDeletedOnlyOnceWhatItHeldIsFlushed() throws {
        let writer = SpoolWriter(directory: directory, maxBytes: 1 << 30)
        for n in 0..<3 { try writer.append(delivery(n)) }
        writer.closeSegment()
        let store = LossyStore()
        var segmentsAtFlush: [Int] = []
        store.onFlush = { segmentsAtFlush.append(SpoolFiles.segments(in: self.directory).count) }
        let summary = SpoolDrainer(directory: directory).drain(into: store)
        #expect(summary.stored == 3 && summary.segmentsDrained == 1 && summary.stoppedBecause == nil)
        #expect(segmentsAtFlush == [1])
        #expect(store.durable.count == 3 && store.pending.isEmpty)
        #expect(SpoolFiles.segments(in: directory).isEmpty)
    }

    @Test func aPassThatMovesNothingFlushesWhatAnOpenSegmentGave() throws {
        let writer = SpoolWriter(directory: directory, maxBytes: 1 << 30)
        for n in 0..<2 { try writer.append(delivery(n)) }
        let store = LossyStore()
        let drainer = SpoolDrainer(directory: directory)
        #expect(drainer.drain(into: store).stored == 2)
        #expect(store.flushes == 0 && store.pending.count == 2)
        #expect(drainer.drain(into: store).moved == 0)
        #expect(store.flushes == 1 && store.durable.count == 2)
        #expect(drainer.drain(into: store).moved == 0)
        #expect(store.flushes == 1)  // nothing more to flush
        writer.closeSegment()
    }

    @Test func commitsLostInARestartAreDrainedAgainFromTheStart() throws {
        let writer = SpoolWriter(directory: directory, maxBytes: 1 << 30)
        for n in 0..<2 { try writer.append(delivery(n)) }
        let store = LossyStore()
        let drainer = SpoolDrainer(directory: directory)
        #expect(drainer.drain(into: store).stored == 2)
        store.restart()  // the two are gone, and the drainer does not know yet
        try writer.append(delivery(2))
        let found = drainer.drain(into: store)
        #expect(found.stored == 1)
        #expect(found.stoppedBecause?.contains("restarted") == true)
        #expect(found.problems.contains { $0.contains("draining the spool again from the start") })
        let again = drainer.drain(into: store)
        #expect(again.stored == 2 && again.duplicates == 1 && again.stoppedBecause == nil)
        writer.closeSegment()
        let closed = drainer.drain(into: store)
        #expect(closed.segmentsDrained == 1)
        #expect(keys(store.durable) == ["id:msg_0", "id:msg_1", "id:msg_2"] && store.pending.isEmpty)
        #expect(SpoolFiles.segments(in: directory).isEmpty)
    }

    @Test func aRestartFoundAtTheFlushKeepsTheSegmentAndDrainsItAgain() throws {
        let writer = SpoolWriter(directory: directory, maxBytes: 1 << 30)
        for n in 0..<3 { try writer.append(delivery(n)) }
        writer.closeSegment()
        let store = LossyStore()
        store.onFlush = { [unowned store] in if store.flushes == 0 { store.restart() } }
        let drainer = SpoolDrainer(directory: directory)
        let first = drainer.drain(into: store)
        #expect(first.stoppedBecause?.contains("restarted") == true && first.segmentsDrained == 0)
        #expect(SpoolFiles.segments(in: directory).count == 1)
        let second = drainer.drain(into: store)
        #expect(second.stored == 3 && second.segmentsDrained == 1)
        #expect(keys(store.durable) == ["id:msg_0", "id:msg_1", "id:msg_2"])
    }
}
