import Atomics
import Glibc

/// The shared scoreboard of `winkhook serve`: one memory region (shared memory the supervisor creates and
/// hands to every child as a descriptor) in which each worker counts its own requests, and from which
/// any worker answers the status and metrics pages for the whole pool. Each word has one writer (a
/// worker its slot, the supervisor the header), so plain atomic loads and stores are enough.
public final class Scoreboard: @unchecked Sendable {
    private let base: UnsafeMutableRawPointer
    /// The descriptor of the region (the supervisor passes it on; a worker keeps it open). A POSIX
    /// shared-memory object unlinked at once, so nothing is left in /dev/shm whatever happens.
    public let descriptor: Int32

    private init(base: UnsafeMutableRawPointer, descriptor: Int32) {
        self.base = base
        self.descriptor = descriptor
    }

    /// A new, zeroed scoreboard (close-on-exec descriptor), for the supervisor.
    public static func create(supervisor: pid_t, startedAt: Int64) -> Scoreboard? {
        let name = "/winkhook-scoreboard-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        var fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if fd >= 0 { shm_unlink(name) }
        // At 10 or above, clear of the descriptors a child's dup2s fill (0, 3, 4).
        if fd >= 0, fd < 10 {
            let moved = fcntl(fd, F_DUPFD_CLOEXEC, 10)
            if moved >= 0 {
                close(fd)
                fd = moved
            }
        }
        guard fd >= 0, ftruncate(fd, off_t(ScoreboardLayout.totalBytes)) == 0, let board = map(fd) else {
            if fd >= 0 { close(fd) }
            return nil
        }
        board.store(ScoreboardLayout.startedWord, startedAt)
        board.store(ScoreboardLayout.supervisorWord, Int(supervisor))
        board.store(ScoreboardLayout.magicWord, ScoreboardLayout.magic)
        return board
    }

    /// The scoreboard passed as `descriptor` (a worker's or helper's), or `nil` if it is not one.
    public static func attach(_ descriptor: Int32) -> Scoreboard? {
        var info = stat()
        guard fstat(descriptor, &info) == 0, Int(info.st_size) == ScoreboardLayout.totalBytes,
            let board = map(descriptor), board.load(ScoreboardLayout.magicWord) == ScoreboardLayout.magic
        else { return nil }
        return board
    }

    private static func map(_ fd: Int32) -> Scoreboard? {
        let pointer = mmap(nil, ScoreboardLayout.totalBytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)
        guard let pointer, pointer != MAP_FAILED else { return nil }
        return Scoreboard(base: pointer, descriptor: fd)
    }

    // MARK: words

    private func atomic(_ word: Int) -> UnsafeAtomic<Int> {
        UnsafeAtomic(at: (base + word * 8).assumingMemoryBound(to: UnsafeAtomic<Int>.Storage.self))
    }

    func load(_ word: Int) -> Int { atomic(word).load(ordering: .acquiring) }
    func store(_ word: Int, _ value: Int) { atomic(word).store(value, ordering: .releasing) }
    func add(_ word: Int, _ value: Int = 1) { atomic(word).wrappingIncrement(by: value, ordering: .relaxed) }
    func store(_ word: Int, _ value: Int64) { store(word, Int(value)) }

    // MARK: the supervisor's part

    /// How many workers can be counted at once (old and new ones overlap during a reload).
    public static var slotCount: Int { ScoreboardLayout.slotCount }

    /// When `serve` started (unix microseconds).
    public var startedAt: Int64 { Int64(load(ScoreboardLayout.startedWord)) }

    /// A worker started in `slot`.
    public func workerSpawned(slot: Int, pid: pid_t, at now: Int64) {
        let slotBase = ScoreboardLayout.slotBase(slot)
        store(slotBase + ScoreboardLayout.pidWord, Int(pid))
        store(slotBase + ScoreboardLayout.slotStartedWord, now)
        store(slotBase + ScoreboardLayout.stateWord, SlotState.idle.rawValue)
        add(ScoreboardLayout.spawnedWord)
    }

    /// The worker in `slot` exited; `crashed` counts it as a restart.
    public func workerExited(slot: Int, crashed: Bool) {
        let slotBase = ScoreboardLayout.slotBase(slot)
        store(slotBase + ScoreboardLayout.stateWord, SlotState.free.rawValue)
        store(slotBase + ScoreboardLayout.pidWord, 0)
        if crashed { add(ScoreboardLayout.restartsWord) }
    }

    // MARK: a worker's part

    /// The index of webhook `name` in the shared table, claiming a free place for a new name; the last
    /// place (`webhookCapacity`) when the table is full or for no webhook at all (`nil`).
    public func webhookIndex(_ name: String?) -> Int {
        guard let name else { return ScoreboardLayout.webhookCapacity }
        let bytes = Array(name.utf8.prefix(ScoreboardLayout.nameBytes - 1))
        for index in 0..<ScoreboardLayout.webhookCapacity {
            let word = ScoreboardLayout.webhookTableWord + index * ScoreboardLayout.webhookEntryWords
            let state = atomic(word)
            var current = state.load(ordering: .acquiring)
            if current == 0 {
                if state.compareExchange(expected: 0, desired: 1, ordering: .acquiringAndReleasing).exchanged {
                    let name = base + (word + 1) * 8
                    name.storeBytes(of: UInt8(bytes.count), as: UInt8.self)
                    bytes.withUnsafeBytes { source in
                        if let from = source.baseAddress { (name + 1).copyMemory(from: from, byteCount: bytes.count) }
                    }
                    state.store(2, ordering: .releasing)
                    return index
                }
                current = state.load(ordering: .acquiring)
            }
            var waits = 0
            while current == 1, waits < 1000 {
                usleep(1000)
                waits += 1
                current = state.load(ordering: .acquiring)
            }
            if current == 2, webhookName(at: index).utf8.elementsEqual(bytes) { return index }
        }
        return ScoreboardLayout.webhookCapacity
    }

    /// The name at place `index` of the webhook table, or `nil` if the place is free.
    func webhookName(at index: Int) -> String {
        let word = ScoreboardLayout.webhookTableWord + index * ScoreboardLayout.webhookEntryWords
        guard load(word) == 2 else { return "" }
        let name = base + (word + 1) * 8
        let count = Int(name.load(as: UInt8.self))
        return String(decoding: UnsafeRawBufferPointer(start: name + 1, count: count), as: UTF8.self)
    }

    /// The worker in `slot` took a request at `clock` (monotonic microseconds, `CLOCK_MONOTONIC`: one
    /// clock for every process of the machine, which a step of the wall clock does not move).
    public func requestStarted(slot: Int, clock: Int64) {
        let slotBase = ScoreboardLayout.slotBase(slot)
        store(slotBase + ScoreboardLayout.requestStartedWord, clock)
        store(slotBase + ScoreboardLayout.stateWord, SlotState.active.rawValue)
        var active = 0
        for other in 0..<ScoreboardLayout.slotCount
        where load(ScoreboardLayout.slotBase(other) + ScoreboardLayout.stateWord) == SlotState.active.rawValue {
            active += 1
        }
        let high = atomic(ScoreboardLayout.maxActiveWord)
        var seen = high.load(ordering: .relaxed)
        while active > seen {
            let (exchanged, original) = high.compareExchange(
                expected: seen, desired: active, ordering: .relaxed)
            if exchanged { break }
            seen = original
        }
    }

    /// The worker in `slot` stored the deliveries of `deliveries` (two or more) requests together.
    public func groupStored(slot: Int, deliveries: Int) {
        let slotBase = ScoreboardLayout.slotBase(slot)
        add(slotBase + ScoreboardLayout.groupStoresWord)
        add(slotBase + ScoreboardLayout.groupDeliveriesWord, deliveries)
    }

    /// The worker in `slot` is idle again without counting its request.
    public func requestNotCounted(slot: Int) {
        store(ScoreboardLayout.slotBase(slot) + ScoreboardLayout.stateWord, SlotState.idle.rawValue)
    }

    /// The worker in `slot` answered: counted by webhook place and cause, with its duration.
    public func requestFinished(
        slot: Int, webhook: Int, cause: Cause, microseconds: Int64, slowMicroseconds: Int64, at now: Int64,
        points: Int = 0
    ) {
        let slotBase = ScoreboardLayout.slotBase(slot)
        if points > 0 { add(slotBase + ScoreboardLayout.pointsWord, points) }
        add(slotBase + ScoreboardLayout.requestsWord)
        add(
            slotBase
                + ScoreboardLayout.counterWord(webhook: min(webhook, ScoreboardLayout.webhookCapacity), cause: cause))
        add(slotBase + ScoreboardLayout.durationSumWord, Int(max(microseconds, 0)))
        let seconds = Double(microseconds) / 1_000_000
        let bucket = ScoreboardLayout.bucketBounds.firstIndex { seconds <= $0 } ?? ScoreboardLayout.bucketBounds.count
        add(slotBase + ScoreboardLayout.histogramWord + bucket)
        if microseconds >= slowMicroseconds { add(slotBase + ScoreboardLayout.slowWord) }
        if cause.isStorageFailure {
            add(slotBase + ScoreboardLayout.storageErrorsWord)
            store(slotBase + ScoreboardLayout.storageFailedWord, now)
        } else if cause.isStorageSuccess {
            store(slotBase + ScoreboardLayout.storageOKWord, now)
        }
        store(slotBase + ScoreboardLayout.stateWord, SlotState.idle.rawValue)
    }
}
