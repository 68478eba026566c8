import Glibc
import Synchronization

/// A writer's next segment, made on a thread of its own while the current one still has room, so the
/// request that fills a segment does not wait for 4 MiB of zeros to reach the disk (measured here: 9 ms
/// a segment, in the p99 of spool mode).
///
/// The thread blocks every signal (the worker's stop signals and its group timer stay the main
/// thread's) and does nothing but `BlankSegment.make`, paced; `take` joins it, so what it made is seen
/// whole. A request that needs the segment before it is done does not wait for the pacing: `take` first
/// tells the thread to write the rest at once; `discard` tells it to stop writing.
final class SegmentPreparation: @unchecked Sendable {
    /// The size asked for.
    let size: Int
    private let directory: String
    /// The segment's real name (hidden as `.<name>` until it is used).
    let name: String
    private var thread = pthread_t()
    private var joined = false
    private var made: Result<BlankSegment, SpoolError>?
    /// How the rest of the zeros go: set by `take` (needed now: without pauses) or by `discard` (not
    /// wanted: no more of them).
    private let pace = Atomic<BlankSegment.Pace>(.paced)

    private init(directory: String, name: String, size: Int) {
        self.directory = directory
        self.name = name
        self.size = size
    }

    /// Starts making a hidden segment of `size` bytes in `directory`; `nil` when no thread could be
    /// started (the writer then makes its next segment when it needs it, as without this).
    static func start(in directory: String, size: Int) -> SegmentPreparation? {
        let preparation = SegmentPreparation(directory: directory, name: BlankSegment.freshName(), size: size)
        var all = sigset_t()
        var previous = sigset_t()
        sigfillset(&all)
        pthread_sigmask(SIG_SETMASK, &all, &previous)
        defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
        let context = Unmanaged.passRetained(preparation).toOpaque()
        let started = pthread_create(
            &preparation.thread, nil,
            { raw in
                guard let raw else { return nil }
                let preparation = Unmanaged<SegmentPreparation>.fromOpaque(raw).takeRetainedValue()
                preparation.made = Result { () throws(SpoolError) in
                    try BlankSegment.make(
                        in: preparation.directory, name: preparation.name, size: preparation.size
                    ) { preparation.pace.load(ordering: .relaxed) }
                }
                return nil
            }, context)
        guard started == 0 else {
            Unmanaged<SegmentPreparation>.fromOpaque(context).release()
            return nil
        }
        return preparation
    }

    /// Waits for the thread and returns what it made (still hidden), or why it could not.
    func take() -> Result<BlankSegment, SpoolError> {
        join(pace: .hurried)
        defer { made = .failure(SpoolError("the spool segment \(name) was taken already")) }
        return made ?? .failure(SpoolError("the spool segment \(name) was not made"))
    }

    /// Stops the thread's writing, waits for it and removes what it made (if it was done already).
    func discard() {
        join(pace: .abandoned)
        if case .success(let segment) = take() { segment.discard() }
    }

    /// Sets the pace of what is left of the zeros, then waits for the thread (once).
    private func join(pace: BlankSegment.Pace) {
        guard !joined else { return }
        self.pace.store(pace, ordering: .relaxed)
        pthread_join(thread, nil)
        joined = true
    }
}

extension BlankSegment.Pace: AtomicRepresentable {}
