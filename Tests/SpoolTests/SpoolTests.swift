import Foundation
import Glibc
import Testing
import WebhookCore

@testable import Spool

/// The spool on a real directory: durable appends, drain exactly once, torn tails, full, the commit-mode net.
@Suite final class SpoolTests {
    let directory: String

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    init() {
        var template = Array("/tmp/winkhook-spool-test.XXXXXX".utf8CString)
        directory = template.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress, let made = mkdtemp(base) else { return "/tmp/winkhook-spool-test" }
            return String(cString: made)
        }
    }

    func delivery(_ n: Int, points: Int = 2) -> Delivery {
        let dimensions = EventDimensions(
            entity: "e", property: "p\(n)", channel: nil, bookingID: "b\(n)", subject: "s", roomType: "rt",
            status: "CONFIRMED", occurredAt: Timestamp(microseconds: 1_780_000_000_123_456))
        return Delivery(
            webhook: "wink", dedupeKey: "id:msg_\(n)", eventKey: EventKey("booking.create") ?? .unknown,
            sentKey: "booking.created", disposition: .stored, receivedAt: Timestamp(seconds: 1_780_000_000 + Int64(n)),
            headers: .object(["content-type": .string("application/json")]),
            body: Array(#"{"type":"booking.created","n":\#(n),"bytes":"\u00e9"}"#.utf8) + [0xFF],
            bodySHA256: "hash\(n)",
            points: (0..<points).map { i in
                MetricPoint(
                    metric: "m\(i)", value: DecimalText(.number("\(n).5\(i)")) ?? .one, currency: i == 0 ? "EUR" : nil)
            }, dimensions: dimensions,
            booking: BookingState(
                version: Int64(n), stayStart: CalendarDay(number: 20_000), stayEnd: CalendarDay(number: 20_003),
                roomNights: DecimalText(.number("3")), gross: DecimalText(.number("540.00")), currency: "EUR",
                bookedAt: Timestamp(seconds: 1_779_000_000)))
    }

    func segmentPaths() -> [String] { SpoolFiles.segments(in: directory).map { directory + "/" + $0 } }

    @Test func deliveriesRoundTripAndDrainExactlyOnce() throws {
        let writer = SpoolWriter(directory: directory, maxBytes: 1 << 30)
        for n in 0..<3 { try writer.append(delivery(n)) }
        #expect(SpoolStatus.read(directory).activeSegments == 1)
        writer.closeSegment()
        let status = SpoolStatus.read(directory)
        #expect(status.records == 3 && status.segments == 1 && status.activeSegments == 0)
        #expect(status.oldest == Timestamp(seconds: 1_780_000_000))
        let segment = try SpoolSegment.read(SpoolFiles.segments(in: directory)[0], in: directory)
        let original = delivery(1)
        let copy = segment.deliveries[1]
        #expect(copy.webhook == original.webhook && copy.dedupeKey == original.dedupeKey)
        #expect(copy.eventKey == original.eventKey && copy.sentKey == original.sentKey)
        #expect(copy.receivedAt == original.receivedAt && copy.body == original.body)
        #expect(copy.headers == original.headers && copy.bodySHA256 == original.bodySHA256)
        #expect(copy.points == original.points)
        #expect(copy.dimensions == original.dimensions && copy.booking == original.booking)

        let store = InMemoryEventStore()
        let summary = SpoolDrainer(directory: directory).drain(into: store)
        #expect(summary.stored == 3 && summary.segmentsDrained == 1 && summary.problems.isEmpty)
        #expect(store.deliveries.map(\.dedupeKey) == ["id:msg_0", "id:msg_1", "id:msg_2"])
        #expect(segmentPaths().isEmpty)
        #expect(SpoolDrainer(directory: directory).drain(into: store).stored == 0)
    }

    @Test func aTornTailFromACrashIsReportedAndNeverApplied() throws {
        let writer = SpoolWriter(directory: directory, maxBytes: 1 << 30)
        try writer.append(delivery(0))
        try writer.append(delivery(1))
        writer.closeSegment()
        // kill -9 in the middle of the third append: half a record on disk.
        let third = SpoolRecord.frame(DeliveryCodec.encode(delivery(2)))
        let path = try #require(segmentPaths().first)
        let fd = open(path, O_WRONLY | O_APPEND)
        _ = third.withUnsafeBytes { write(fd, $0.baseAddress, third.count / 2) }
        close(fd)
        let store = InMemoryEventStore()
        let summary = SpoolDrainer(directory: directory).drain(into: store)
        #expect(summary.stored == 2)
        #expect(summary.problems.count == 1 && summary.problems[0].contains("torn tail"))
        #expect(store.deliveries.count == 2)
    }

    @Test func aFlippedByteStopsAtThatRecord() throws {
        let writer = SpoolWriter(directory: directory, maxBytes: 1 << 30)
        for n in 0..<3 { try writer.append(delivery(n)) }
        writer.closeSegment()
        let path = try #require(segmentPaths().first)
        var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        let first = SpoolRecord.frame(DeliveryCodec.encode(delivery(0))).count
        bytes[first + 40] ^= 0x01  // inside the second record's payload
        let fd = open(path, O_WRONLY | O_TRUNC)
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, bytes.count) }
        close(fd)
        let segment = try SpoolSegment.read(try #require(SpoolFiles.segments(in: directory).first), in: directory)
        #expect(segment.deliveries.count == 1)
        #expect(segment.tornTail?.contains("checksum") == true)
    }

    @Test func aSegmentAWriterHoldsIsDrainedButKeptUntilItIsClosed() throws {
        let writer = SpoolWriter(directory: directory, maxBytes: 1 << 30)
        try writer.append(delivery(0))
        let store = InMemoryEventStore()
        let drainer = SpoolDrainer(directory: directory)
        let busy = drainer.drain(into: store)
        #expect(busy.activeSegments == 1 && busy.stored == 1 && busy.segmentsDrained == 0)
        try writer.append(delivery(1))
        let next = drainer.drain(into: store)  // only the new record: the first is remembered
        #expect(next.stored == 1 && next.duplicates == 0)
        #expect(segmentPaths().count == 1)
        writer.closeSegment()
        let closed = drainer.drain(into: store)
        #expect(closed.stored == 0 && closed.duplicates == 0 && closed.segmentsDrained == 1)
        #expect(segmentPaths().isEmpty)
        #expect(store.deliveries.count == 2)
    }

    @Test func aFullSpoolRefuses() throws {
        let one = SpoolRecord.frame(DeliveryCodec.encode(delivery(0))).count
        let writer = SpoolWriter(directory: directory, maxBytes: one * 2)
        try writer.append(delivery(0))
        try writer.append(delivery(1))
        let error = #expect(throws: SpoolError.self) { try writer.append(delivery(2)) }
        #expect(error?.reason.contains("full") == true)
    }

    @Test func anUnwritableSpoolRefusesWithTheReason() {
        let writer = SpoolWriter(directory: "/proc/winkhook-no-spool-here", maxBytes: 1 << 30)
        let error = #expect(throws: SpoolError.self) { try writer.append(delivery(0)) }
        #expect(error?.reason.contains("/proc/winkhook-no-spool-here") == true)
    }

    @Test func theCommitModeNetSpoolsWhileTheStoreIsDownAndDrainsWithoutDuplicates() throws {
        let database = InMemoryEventStore()
        database.failure = EventStoreError(.unavailable, "connection refused")
        let writer = SpoolWriter(directory: directory, maxBytes: 1 << 30)
        let store = SpoolingEventStore(inner: database, spool: writer)
        #expect(try store.record(delivery(0)) == .spooled)
        #expect(try store.record(delivery(0)) == .spooled)  // a retry of the same delivery
        #expect(try store.record(delivery(1)) == .spooled)
        database.failure = nil
        #expect(try store.record(delivery(2)) == .inserted(points: 2))
        #expect(!writer.hasOpenSegment)  // handed over to the drainer
        let summary = SpoolDrainer(directory: directory).drain(into: database)
        #expect(summary.stored == 2 && summary.duplicates == 1)
        #expect(Set(database.deliveries.map(\.dedupeKey)) == ["id:msg_0", "id:msg_1", "id:msg_2"])
        #expect(database.deliveries.count == 3)
    }

    @Test func whenTheSpoolRefusesTooTheErrorStands() throws {
        let database = InMemoryEventStore()
        database.failure = EventStoreError(.unavailable, "connection refused")
        let store = SpoolingEventStore(
            inner: database, spool: SpoolWriter(directory: "/proc/winkhook-no-spool-here", maxBytes: 1 << 30))
        let error = #expect(throws: EventStoreError.self) { try store.record(delivery(0)) }
        #expect(error?.code == .unavailable)
        #expect(error?.detail.contains("spool refused") == true)
    }

    @Test func aDrainThatLosesTheStoreStopsAndKeepsTheSegment() throws {
        let writer = SpoolWriter(directory: directory, maxBytes: 1 << 30)
        for n in 0..<2 { try writer.append(delivery(n)) }
        writer.closeSegment()
        let database = InMemoryEventStore()
        database.failure = EventStoreError(.unavailable, "down again")
        let summary = SpoolDrainer(directory: directory).drain(into: database)
        #expect(summary.stoppedBecause?.contains("down again") == true)
        #expect(segmentPaths().count == 1)
        database.failure = nil
        #expect(SpoolDrainer(directory: directory).drain(into: database).stored == 2)
    }

    @Test func recordsThatDoNotDecodeAreKeptAside() throws {
        try SpoolFiles.ensureDirectory(directory)
        let path = directory + "/00000000000000001-1.spool"
        let record = SpoolRecord.frame(Array("not a delivery".utf8))
        let fd = open(path, O_WRONLY | O_CREAT, 0o600)
        _ = record.withUnsafeBytes { write(fd, $0.baseAddress, record.count) }
        close(fd)
        let summary = SpoolDrainer(directory: directory).drain(into: InMemoryEventStore())
        #expect(summary.problems.contains { $0.contains("did not decode") })
        #expect(access(path + ".undecodable", F_OK) == 0)
    }

    @Test func crc32cMatchesTheStandardCheckValue() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        // RFC 3720 B.4: 32 zero bytes, 32 bytes of 0xFF, bytes 0 to 31.
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
        #expect(CRC32C.checksum((0..<32).map { UInt8($0) }) == 0x46DD_794E)
    }

    @Test func crc32cEightBytesAtATimeAgreesWithBitByBit() {
        func bitwise(_ bytes: [UInt8]) -> UInt32 {
            var crc: UInt32 = 0xFFFF_FFFF
            for byte in bytes {
                crc ^= UInt32(byte)
                for _ in 0..<8 { crc = crc & 1 != 0 ? 0x82F6_3B78 ^ (crc >> 1) : crc >> 1 }
            }
            return crc ^ 0xFFFF_FFFF
        }
        var generator = SystemRandomNumberGenerator()
        for length in Array(0...40) + [255, 4096, 65_537] {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            #expect(CRC32C.checksum(bytes) == bitwise(bytes), "length \(length)")
            // A slice that does not start at index 0, and a sequence without contiguous storage.
            let slice = ([0x55] + bytes)[1...]
            #expect(CRC32C.checksum(slice) == bitwise(bytes), "slice of length \(length)")
            #expect(CRC32C.checksum(bytes.lazy.map { $0 }) == bitwise(bytes), "sequence of length \(length)")
            // The table-driven loop too, where `checksum` used the CPU's instruction.
            let table = bytes.withUnsafeBufferPointer { CRC32C.tableUpdate(0xFFFF_FFFF, $0) } ^ 0xFFFF_FFFF
            #expect(table == bitwise(bytes), "table, length \(length)")
        }
    }

    @Test func segmentsArePrewrittenAndCutToTheirRecordsWhenClosed() throws {
        let writer = SpoolWriter(directory: directory, maxBytes: 1 << 30)
        try writer.append(delivery(0))
        let path = try #require(segmentPaths().first)
        #expect(SpoolFiles.size(path) == writer.preallocation)  // appends overwrite zeros: no size change
        try writer.append(delivery(1))
        let open = try SpoolSegment.read(try #require(SpoolFiles.segments(in: directory).first), in: directory)
        #expect(open.deliveries.count == 2 && open.tornTail == nil && open.active)
        writer.closeSegment()
        let record = SpoolRecord.frame(DeliveryCodec.encode(delivery(0))).count
        #expect(SpoolFiles.size(path) == record + SpoolRecord.frame(DeliveryCodec.encode(delivery(1))).count)
    }

    /// Hidden segments in the directory, once the writer's thread has made its file (waits up to 5 s;
    /// for none, 100 ms, so a thread started in error has time to show).
    func hiddenSegments(count: Int) throws -> [String] {
        if count == 0 { usleep(100_000) }
        var names: [String] = []
        for _ in 0..<500 {
            names = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasPrefix(".") }
            if names.count == count { break }
            usleep(10_000)
        }
        return names
    }

    @Test func theNextSegmentIsMadeInTheBackgroundOnceOneIsHalfFullAndRemovedOnClose() throws {
        let one = SpoolRecord.frame(DeliveryCodec.encode(delivery(0))).count
        let writer = SpoolWriter(directory: directory, maxBytes: 1 << 30, preallocation: one * 4)
        try writer.append(delivery(0))
        #expect(try hiddenSegments(count: 0).isEmpty)  // one record (a CGI process) makes no second segment
        try writer.append(delivery(1))
        #expect(try hiddenSegments(count: 1).count == 1)
        #expect(SpoolFiles.segments(in: directory).count == 1)  // hidden from drainers and the status
        // Fills the first, moves into the one made, which makes the third once it is half full.
        for n in 2..<10 { try writer.append(delivery(n)) }
        #expect(SpoolFiles.segments(in: directory).count == 3)
        #expect(SpoolFiles.segments(in: directory).allSatisfy { SpoolFiles.size(directory + "/" + $0) == one * 4 })
        #expect(try hiddenSegments(count: 1).count == 1)
        writer.closeSegment()
        #expect(try hiddenSegments(count: 0).isEmpty)
        let store = InMemoryEventStore()
        let summary = SpoolDrainer(directory: directory).drain(into: store)
        #expect(summary.stored == 10 && summary.problems.isEmpty)
        #expect(store.deliveries.map(\.dedupeKey) == (0..<10).map { "id:msg_\($0)" })
    }

    @Test func aSegmentMadeInTheBackgroundIsAskedItsPaceAndHurriesOrStopsWhenTold() throws {
        // Asked after each 256 KiB but the last: paced twice, then hurried (nothing more is paused).
        var asked: [BlankSegment.Pace] = []
        let made = try BlankSegment.make(in: directory, name: "a.spool", size: 4 << 20) {
            asked.append(asked.count < 2 ? .paced : .hurried)
            return asked.last ?? .hurried
        }
        defer { made.discard() }
        #expect(asked.count == 15 && asked.prefix(2) == [.paced, .paced])
        var status = stat()
        #expect(fstat(made.descriptor, &status) == 0 && status.st_size == 4 << 20)
        // Abandoned (the writer closes before it was needed): no segment, and no file left behind.
        #expect(throws: SpoolError.self) {
            try BlankSegment.make(in: directory, name: "b.spool", size: 4 << 20) { .abandoned }
        }
        #expect(try hiddenSegments(count: 1) == [".a.spool"])
    }

    @Test func aSegmentTakenWhileItsZerosAreStillBeingWrittenIsWholeAndTakenOnce() throws {
        // Taken at once: the thread is told to write the rest without its pauses, and take waits for it.
        let preparation = try #require(SegmentPreparation.start(in: directory, size: 4 << 20))
        let segment = try preparation.take().get()
        defer { segment.discard() }
        var status = stat()
        #expect(fstat(segment.descriptor, &status) == 0 && status.st_size == 4 << 20)
        var bytes = [UInt8](repeating: 1, count: 4 << 20)
        let read = bytes.withUnsafeMutableBytes { pread(segment.descriptor, $0.baseAddress, 4 << 20, 0) }
        #expect(read == 4 << 20 && !bytes.contains { $0 != 0 })
        #expect(try hiddenSegments(count: 1) == ["." + segment.name])
        #expect(throws: SpoolError.self) { try preparation.take().get() }  // taken once only
    }

    @Test func theSegmentMadeInTheBackgroundIsRoomTheSpoolAlreadyHas() throws {
        let one = SpoolRecord.frame(DeliveryCodec.encode(delivery(0))).count
        let writer = SpoolWriter(directory: directory, maxBytes: one * 8, preallocation: one * 4)
        for n in 0..<8 { try writer.append(delivery(n)) }  // the second segment counted once, not twice
        #expect(throws: SpoolError.self) { try writer.append(delivery(8)) }
        writer.closeSegment()
        #expect(SpoolDrainer(directory: directory).drain(into: InMemoryEventStore()).stored == 8)
    }

    @Test func aSpoolWithoutRoomForAnotherSegmentMakesNoneInTheBackground() throws {
        let one = SpoolRecord.frame(DeliveryCodec.encode(delivery(0))).count
        let writer = SpoolWriter(directory: directory, maxBytes: one * 6, preallocation: one * 4)
        for n in 0..<4 { try writer.append(delivery(n)) }
        #expect(try hiddenSegments(count: 0).isEmpty)
        try writer.append(delivery(4))  // the rest of the room, made when needed
        try writer.append(delivery(5))
        #expect(throws: SpoolError.self) { try writer.append(delivery(6)) }
        writer.closeSegment()
        #expect(SpoolDrainer(directory: directory).drain(into: InMemoryEventStore()).stored == 6)
    }

    @Test func garbageAfterTheZerosOfACrashedWriterIsATornTail() throws {
        let writer = SpoolWriter(directory: directory, maxBytes: 1 << 30)
        try writer.append(delivery(0))
        let path = try #require(segmentPaths().first)
        // The process dies (no close, so no cut) after a later page of a record reached the disk, not its start.
        let fd = open(path, O_WRONLY)
        let junk: [UInt8] = [1, 2, 3]
        _ = junk.withUnsafeBytes { pwrite(fd, $0.baseAddress, 3, 8000) }
        close(fd)
        writer.abandonSegment()  // the lock goes with the process, the zeros and the junk stay
        let summary = SpoolDrainer(directory: directory).drain(into: InMemoryEventStore())
        #expect(summary.stored == 1)
        #expect(summary.problems.contains { $0.contains("torn tail") && $0.contains("after the last record") })
    }

    @Test func aRecordLargerThanASegmentGetsOneOfItsOwn() throws {
        let writer = SpoolWriter(directory: directory, maxBytes: 1 << 20)  // 64 KiB segments
        var big = delivery(0)
        big.body = Array(#"{"pad":""#.utf8) + [UInt8](repeating: UInt8(ascii: "x"), count: 200_000) + Array(#""}"#.utf8)
        try writer.append(delivery(1))
        try writer.append(big)
        try writer.append(delivery(2))
        writer.closeSegment()
        #expect(segmentPaths().count == 3)
        let store = InMemoryEventStore()
        let summary = SpoolDrainer(directory: directory).drain(into: store)
        #expect(summary.stored == 3 && summary.problems.isEmpty)
        #expect(store.deliveries.map(\.body.count).contains(big.body.count))
    }

    @Test func theDrainerWritesInBatchesAndReadsOnlyWhatIsNew() throws {
        let writer = SpoolWriter(directory: directory, maxBytes: 1 << 30)
        for n in 0..<7 { try writer.append(delivery(n)) }
        let store = InMemoryEventStore()
        let drainer = SpoolDrainer(directory: directory, batchLimit: 3)
        let first = drainer.drain(into: store)
        #expect(first.stored == 7 && first.batches == 3 && store.batches == [3, 3, 1])
        #expect(first.lagMicros.count == 7)
        for n in 7..<9 { try writer.append(delivery(n)) }
        #expect(drainer.drain(into: store).stored == 2)
        #expect(store.batches == [3, 3, 1, 2])
        #expect(store.deliveries.count == 9)
    }

    @Test func aBatchTheStoreRefusesIsWrittenOneByOneWithoutTheRefusedPoints() throws {
        let writer = SpoolWriter(directory: directory, maxBytes: 1 << 30)
        for n in 0..<4 { try writer.append(delivery(n)) }
        writer.closeSegment()
        let store = InMemoryEventStore()
        store.refusePointsOf = ["id:msg_2"]
        let summary = SpoolDrainer(directory: directory).drain(into: store)
        #expect(summary.stored == 4 && summary.rejected == 0 && summary.segmentsDrained == 1)
        #expect(store.deliveries.first { $0.dedupeKey == "id:msg_2" }?.points.isEmpty == true)
        #expect(store.deliveries.first { $0.dedupeKey == "id:msg_1" }?.points.count == 2)
    }

    @Test func theAcceptingStoreSpoolsEveryDelivery() throws {
        let database = InMemoryEventStore()
        let store = SpoolingEventStore(
            inner: database, spool: SpoolWriter(directory: directory, maxBytes: 1 << 30), use: .always)
        #expect(try store.record(delivery(0)) == .accepted)
        #expect(try store.record(delivery(0)) == .accepted)  // duplicates are found at insert
        #expect(database.deliveries.isEmpty)
        let summary = SpoolDrainer(directory: directory).drain(into: database)
        #expect(summary.stored == 1 && summary.duplicates == 1)
        let full = SpoolingEventStore(
            inner: database, spool: SpoolWriter(directory: "/proc/winkhook-no-spool-here", maxBytes: 1 << 30),
            use: .always)
        let error = #expect(throws: EventStoreError.self) { try full.record(delivery(1)) }
        #expect(error?.code == .unavailable)
    }

    @Test func drainersSideBySideTakeEachSegmentOnce() throws {
        for n in 0..<40 {
            let writer = SpoolWriter(directory: directory, maxBytes: 8 << 20)
            try writer.append(delivery(n))
            writer.closeSegment()
            usleep(1000)  // a segment per microsecond-stamped name
        }
        #expect(segmentPaths().count == 40)
        let store = InMemoryEventStore()
        // As `drain --jobs` shares them: the first to claim a segment has it. The first drainer here finds
        // every third one already taken by the other.
        var taken = Set<String>()
        var offered = 0
        let first = SpoolDrainer(directory: directory)
        first.claim = { name in
            offered += 1
            if offered % 3 == 0 { return false }
            return taken.insert(name).inserted
        }
        var firstProgress = (done: 0, total: 0)
        let one = first.drain(into: store) { firstProgress = ($0, $1) }
        #expect(segmentPaths().count == 40 - one.segmentsDrained)
        #expect(firstProgress.done > 0 && firstProgress.done < firstProgress.total)  // its own share only
        let second = SpoolDrainer(directory: directory)
        second.claim = { taken.insert($0).inserted }
        let two = second.drain(into: store)
        #expect(one.stored + two.stored == 40 && one.duplicates + two.duplicates == 0)
        #expect(one.stored == 27 && two.stored == 13)
        #expect(segmentPaths().isEmpty)
    }

    @Test func aSegmentAnotherDrainerHoldsIsLeftToItAndTakenOnceItLetsGo() throws {
        for n in 0..<3 {
            let writer = SpoolWriter(directory: directory, maxBytes: 8 << 20)
            try writer.append(delivery(n))
            writer.closeSegment()
            usleep(1000)
        }
        let paths = segmentPaths()
        #expect(paths.count == 3)
        // Another drainer (another process, or another job) is in the middle of the second segment.
        guard case .held(let other) = SpoolFiles.lease(paths[1]) else {
            Issue.record("no lease on a segment nobody holds")
            return
        }
        var released = false
        defer { if !released { close(other) } }
        guard case .busy = SpoolFiles.lease(paths[1]) else {
            Issue.record("a second lease on a held segment")
            return
        }
        // A reader's descriptor opened and closed beside it (a status probe) does not release it.
        #expect(!SpoolFiles.isActive(paths[1]))
        let store = InMemoryEventStore()
        let drainer = SpoolDrainer(directory: directory)
        let first = drainer.drain(into: store)
        #expect(first.stored == 2 && first.heldElsewhere == 1 && first.segmentsDrained == 2)
        #expect(segmentPaths() == [paths[1]])
        close(other)
        released = true
        let second = drainer.drain(into: store)
        #expect(second.stored == 1 && second.heldElsewhere == 0 && second.duplicates == 0)
        #expect(segmentPaths().isEmpty)
        guard case .gone = SpoolFiles.lease(paths[1]) else {
            Issue.record("a lease on a segment that is gone")
            return
        }
    }

    @Test func aLeaseAndAWritersLockDoNotMeet() throws {
        let writer = SpoolWriter(directory: directory, maxBytes: 8 << 20)
        try writer.append(delivery(0))
        let path = try #require(segmentPaths().first)
        guard case .held(let lease) = SpoolFiles.lease(path) else {
            Issue.record("no lease on a segment a writer holds")
            return
        }
        defer { close(lease) }
        #expect(SpoolFiles.isActive(path))
        try writer.append(delivery(1))
        writer.closeSegment()
        #expect(!SpoolFiles.isActive(path))
        guard case .busy = SpoolFiles.lease(path) else {
            Issue.record("the lease ended with the writer's lock")
            return
        }
    }

    @Test func aSegmentIsNamedOnlyOnceItIsLockedAndAbandonedHiddenOnesAreRemoved() throws {
        try SpoolFiles.ensureDirectory(directory)
        let stale = directory + "/.00000000000000001-1.spool"  // a crash between create and rename
        close(open(stale, O_WRONLY | O_CREAT, 0o600))
        let young = directory + "/.00000000000000002-2.spool"  // a writer between create and lock
        close(open(young, O_WRONLY | O_CREAT, 0o600))
        var times = [timeval(tv_sec: 1_700_000_000, tv_usec: 0), timeval(tv_sec: 1_700_000_000, tv_usec: 0)]
        #expect(utimes(stale, &times) == 0)
        let writer = SpoolWriter(directory: directory, maxBytes: 1 << 30)
        try writer.append(delivery(0))
        let names = try FileManager.default.contentsOfDirectory(atPath: directory)
        #expect(
            names.filter { $0.hasPrefix(".") }.sorted() == [".00000000000000001-1.spool", ".00000000000000002-2.spool"])
        #expect(SpoolDrainer(directory: directory).drain(into: InMemoryEventStore()).stored == 1)
        #expect(access(stale, F_OK) != 0)
        #expect(access(young, F_OK) == 0)
    }

    /// The race a load test once hit (1 in 8,000 answers a 503): a drainer's clean-up of abandoned hidden
    /// segments ran between a writer's create and lock, and removed (or locked) its new segment.
    @Test func cleaningUpBesideAWriterNeverTakesItsNewSegment() throws {
        try SpoolFiles.ensureDirectory(directory)
        let stop = StopFlag()
        let directory = directory
        let cleaner = Thread {
            while !stop.isSet { SpoolFiles.removeAbandonedHiddenSegments(in: directory) }
        }
        cleaner.start()
        defer { stop.set() }
        let writer = SpoolWriter(directory: directory, maxBytes: 1 << 30, preallocation: 4096)
        var big = delivery(0)
        big.body = [UInt8](repeating: UInt8(ascii: "x"), count: 5000)
        for _ in 0..<500 { try writer.append(big) }  // a new segment each time
        writer.closeSegment()
        #expect(segmentPaths().count == 500)
    }

    final class StopFlag: @unchecked Sendable {
        private let lock = NSLock()
        private var value = false
        var isSet: Bool { lock.withLock { value } }
        func set() { lock.withLock { value = true } }
    }

    /// Fails the n-th batch with `unavailable`, and every delivery with a listed key with `failed`.
    final class FlakyStore: EventStore {
        let inner = InMemoryEventStore()
        var failBatch: Int?
        var refused: Set<String> = []
        private var batches = 0

        func record(_ delivery: Delivery) throws(EventStoreError) -> RecordResult {
            if refused.contains(delivery.dedupeKey) { throw EventStoreError(.failed, "index row size exceeds maximum") }
            return try inner.record(delivery)
        }

        func recordBatch(_ deliveries: [Delivery]) throws(EventStoreError) -> [RecordResult] {
            batches += 1
            if batches == failBatch { throw EventStoreError(.unavailable, "gone") }
            if deliveries.contains(where: { refused.contains($0.dedupeKey) }) {
                throw EventStoreError(.failed, "index row size exceeds maximum")
            }
            return try inner.recordBatch(deliveries)
        }

        func recordRejected(_ rejected: RejectedDelivery) throws(EventStoreError) {
            if refused.contains(rejected.dedupeKey) { throw EventStoreError(.failed, "index row size exceeds maximum") }
            try inner.recordRejected(rejected)
        }
    }

    @Test func anUndecodableRecordSkippedByAnEarlierPassStillKeepsItsSegmentAside() throws {
        try SpoolFiles.ensureDirectory(directory)
        let path = directory + "/00000000000000001-1.spool"
        let records =
            SpoolRecord.frame(DeliveryCodec.encode(delivery(0))) + SpoolRecord.frame(Array("not a delivery".utf8))
            + SpoolRecord.frame(DeliveryCodec.encode(delivery(1)))
            + SpoolRecord.frame(DeliveryCodec.encode(delivery(2)))
        let fd = open(path, O_WRONLY | O_CREAT, 0o600)
        _ = records.withUnsafeBytes { write(fd, $0.baseAddress, records.count) }
        close(fd)
        let store = FlakyStore()
        store.failBatch = 2
        let drainer = SpoolDrainer(directory: directory, batchLimit: 2)
        let first = drainer.drain(into: store)  // [0, 1] committed, [2] fails: the offset is past the junk
        #expect(first.stored == 2 && first.stoppedBecause != nil)
        let second = drainer.drain(into: store)
        #expect(second.stored == 1 && second.problems.contains { $0.contains("did not decode") })
        #expect(access(path + ".undecodable", F_OK) == 0)
    }

    @Test func aDeliveryTheDatabaseRefusesForGoodIsKeptAsideAndTheRestDrains() throws {
        let writer = SpoolWriter(directory: directory, maxBytes: 1 << 30)
        for n in 0..<4 { try writer.append(delivery(n)) }
        writer.closeSegment()
        let segment = try #require(SpoolFiles.segments(in: directory).first)
        let store = FlakyStore()
        store.refused = ["id:msg_1"]
        let summary = SpoolDrainer(directory: directory).drain(into: store)
        #expect(summary.stored == 3 && summary.keptAside == 1 && summary.stoppedBecause == nil)
        #expect(summary.problems.contains { $0.contains("kept in") })
        #expect(segmentPaths().isEmpty)
        let aside = try SpoolSegment.read(segment + ".refused", in: directory)
        #expect(aside.deliveries.map(\.dedupeKey) == ["id:msg_1"])
        #expect(SpoolStatus.read(directory).problems.contains { $0.contains(".refused") })
    }
}
