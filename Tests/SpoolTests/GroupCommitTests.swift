import Foundation
import Glibc
import Testing
import WebhookCore

@testable import Spool

/// Group commit: appends between `beginGroup` and `endGroup` are written at once and flushed together;
/// a flush that fails fails the whole group.
@Suite final class GroupCommitTests {
    /// The spool tests' fixture: its deliveries, and its fresh directory (removed with it).
    let sample = SpoolTests()
    var directory: String { sample.directory }

    func delivery(_ n: Int) -> Delivery { sample.delivery(n) }

    @Test func aGroupIsWrittenAtOnceAndFlushedOnce() throws {
        let writer = SpoolWriter(directory: directory, maxBytes: 1 << 30)
        try writer.append(delivery(0))
        #expect(writer.flushes == 1 && writer.unsynced == 0)
        writer.beginGroup()
        for n in 1...5 { try writer.append(delivery(n)) }
        #expect(writer.flushes == 1 && writer.unsynced == 5 && writer.groupAppends == 5)
        // Written, so a drainer already sees them (it may store them before the answer: a duplicate later).
        let seen = try SpoolSegment.read(SpoolFiles.segments(in: directory)[0], in: directory)
        #expect(seen.deliveries.count == 6)
        try writer.endGroup()
        #expect(writer.flushes == 2 && writer.unsynced == 0 && writer.groupAppends == 0)
        try writer.append(delivery(6))  // outside a group: flushed at once again
        #expect(writer.flushes == 3)
        writer.closeSegment()
        let store = InMemoryEventStore()
        #expect(SpoolDrainer(directory: directory).drain(into: store).stored == 7)
        #expect(store.deliveries.map(\.dedupeKey) == (0...6).map { "id:msg_\($0)" })
    }

    @Test func aGroupThatFillsItsSegmentFlushesItBeforeStartingTheNext() throws {
        let one = SpoolRecord.frame(DeliveryCodec.encode(delivery(0))).count
        let writer = SpoolWriter(directory: directory, maxBytes: 1 << 30, preallocation: one * 2)
        writer.beginGroup()
        for n in 0..<5 { try writer.append(delivery(n)) }
        // Three segments; the two left behind were flushed when the group moved on.
        #expect(SpoolFiles.segments(in: directory).count == 3)
        #expect(writer.flushes == 2 && writer.unsynced == 1 && writer.groupAppends == 5)
        try writer.endGroup()
        #expect(writer.flushes == 3)
        writer.closeSegment()
        let store = InMemoryEventStore()
        let summary = SpoolDrainer(directory: directory).drain(into: store)
        #expect(summary.stored == 5 && summary.problems.isEmpty && summary.segmentsDrained == 3)
        #expect(store.deliveries.map(\.dedupeKey) == (0..<5).map { "id:msg_\($0)" })
    }

    @Test func aFlushThatFailsFailsTheWholeGroupAndTheNextStartsAfresh() throws {
        let writer = SpoolWriter(directory: directory, maxBytes: 1 << 30)
        writer.flushFile = { _ in
            errno = EIO
            return -1
        }
        writer.beginGroup()
        for n in 0..<3 { try writer.append(delivery(n)) }
        let error = #expect(throws: SpoolError.self) { try writer.endGroup() }
        #expect(error?.reason.contains("cannot make the spool durable") == true, "\(String(describing: error))")
        #expect(!writer.hasOpenSegment && writer.unsynced == 0)
        // An empty group after a failed one is fine; a new one writes to a new segment.
        writer.flushFile = { fdatasync($0) }
        writer.beginGroup()
        try writer.endGroup()
        writer.beginGroup()
        try writer.append(delivery(3))
        try writer.endGroup()
        writer.closeSegment()
        #expect(SpoolFiles.segments(in: directory).count == 2)
    }

    @Test func aFlushThatFailsWhileTheGroupMovesToANewSegmentFailsTheGroupToo() throws {
        let one = SpoolRecord.frame(DeliveryCodec.encode(delivery(0))).count
        let writer = SpoolWriter(directory: directory, maxBytes: 1 << 30, preallocation: one * 2)
        writer.beginGroup()
        try writer.append(delivery(0))
        try writer.append(delivery(1))
        writer.flushFile = { _ in
            errno = EIO
            return -1
        }
        // The segment is full: leaving it needs a flush, which fails; this append and the group fail.
        #expect(throws: SpoolError.self) { try writer.append(delivery(2)) }
        writer.flushFile = { fdatasync($0) }
        try writer.append(delivery(3))  // later appends of the group go to a new segment...
        #expect(throws: SpoolError.self) { try writer.endGroup() }  // ...but the group as a whole failed
        writer.beginGroup()
        try writer.append(delivery(4))
        try writer.endGroup()  // the next group is not held responsible
    }

    @Test func aBatchIsSpooledWithOneFlushInSpoolMode() throws {
        let database = InMemoryEventStore()
        let spool = SpoolWriter(directory: directory, maxBytes: 1 << 30)
        let store = SpoolingEventStore(inner: database, spool: spool, use: .always)
        #expect(try store.recordBatch((0..<4).map(delivery)) == Array(repeating: .accepted, count: 4))
        #expect(spool.flushes == 1 && database.deliveries.isEmpty)
        spool.flushFile = { _ in
            errno = EIO
            return -1
        }
        let error = #expect(throws: EventStoreError.self) { try store.recordBatch((4..<6).map(delivery)) }
        #expect(error?.code == .unavailable && error?.detail.contains("spool refused") == true)
    }

    @Test func aBatchGoesToTheStoreInOneGoAndToTheSpoolWhileItIsDown() throws {
        let database = InMemoryEventStore()
        let spool = SpoolWriter(directory: directory, maxBytes: 1 << 30)
        let store = SpoolingEventStore(inner: database, spool: spool)
        #expect(try store.recordBatch((0..<3).map(delivery)) == Array(repeating: .inserted(points: 2), count: 3))
        #expect(database.batches == [3] && spool.flushes == 0)
        database.failure = EventStoreError(.unavailable, "connection refused")
        #expect(try store.recordBatch((3..<6).map(delivery)) == Array(repeating: .spooled, count: 3))
        #expect(spool.flushes == 1)
        database.failure = nil
        #expect(SpoolDrainer(directory: directory).drain(into: database).stored == 3)
        #expect(database.deliveries.count == 6)
    }
}
