import Clocks
import Glibc

/// A new segment before its first record: made under a hidden name (drainers never look at those),
/// locked, written full of zeros and made durable, then given its real name. It is locked before it
/// is named, so no drainer ever sees it unlocked and empty.
struct BlankSegment {
    /// The real name, `<creation µs>-<pid>.spool`.
    let name: String
    let directory: String
    let descriptor: Int32
    /// Its size in bytes: the room for records.
    let size: Int

    private var hiddenPath: String { directory + "/." + name }

    /// A fresh name for a segment made now by this process.
    static func freshName() -> String {
        let time = String(SystemClock.wallMicros())
        return String(repeating: "0", count: max(0, 17 - time.count)) + time + "-\(getpid())\(SpoolFiles.suffix)"
    }

    /// How the zeros of a segment made in the background go to the disk, asked after each piece.
    enum Pace: Int {
        /// A piece at a time, each flushed on its own (no one waits for the segment yet).
        case paced
        /// The rest at once (a request needs the segment now).
        case hurried
        /// Not at all: the segment is not wanted any more, so it is removed unfinished.
        case abandoned
    }

    /// Creates, locks and zero-fills the hidden segment (still hidden when this returns). `pace`, for a
    /// segment made in the background (`fillWithZeros`); the default writes it all at once.
    static func make(in directory: String, name: String, size: Int, pace: () -> Pace = { .hurried })
        throws(SpoolError) -> BlankSegment
    {
        let hidden = directory + "/." + name
        let fd = open(hidden, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw SpoolError("cannot create a spool segment in \(directory): \(SpoolFiles.errorText())")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let reason = SpoolFiles.errorText()
            close(fd)
            unlink(hidden)
            throw SpoolError("cannot lock the new spool segment \(name): \(reason)")
        }
        if let reason = fillWithZeros(fd, size, pace: pace) {
            close(fd)
            unlink(hidden)
            throw SpoolError("cannot make room for a spool segment in \(directory): \(reason)")
        }
        return BlankSegment(name: name, directory: directory, descriptor: fd, size: size)
    }

    /// Gives the segment its real name, durably (the directory is fsynced); on failure it is discarded.
    func publish() throws(SpoolError) {
        guard rename(hiddenPath, directory + "/" + name) == 0 else {
            let reason = SpoolFiles.errorText()
            discard()
            throw SpoolError("cannot name the new spool segment \(name): \(reason)")
        }
        // Records in a segment whose name may not survive a power loss must not be acknowledged.
        guard SpoolFiles.syncDirectory(directory) else {
            let reason = SpoolFiles.errorText()
            close(descriptor)
            unlink(directory + "/" + name)
            throw SpoolError("cannot make the new spool segment \(name) durable: \(reason)")
        }
    }

    /// Closes and removes a segment that was never named.
    func discard() {
        close(descriptor)
        unlink(hiddenPath)
    }

    /// Bytes of zeros made durable at a time when paced.
    private static let pacedPiece = 256 << 10

    /// Writes `size` zero bytes and makes them durable; the reason on failure (a full disk: ENOSPC), or
    /// when `pace` says `abandoned`. After each 256 KiB `pace` is asked: while `paced`, that piece is
    /// flushed on its own, with a short pause after it. On a disk without FUA
    /// every flush waits for all that is queued, so 4 MiB flushed at once made the workers' `fdatasync`s
    /// that came meanwhile wait for it (half of their 2–5 ms ones overlapped a segment's flush, by
    /// `perf trace`). Paced, spool mode's p99 beside c-floor was 3.89–4.20 ms against 4.48–7.49 ms in
    /// seven alternating pairs (2 CPUs, 8 s runs), for 16 flushes a segment on the preparing thread.
    /// On a disk whose flushes take milliseconds that is tens of them: a request that needs the segment
    /// sooner hurries it rather than wait for them all.
    private static func fillWithZeros(_ fd: Int32, _ size: Int, pace: () -> Pace) -> String? {
        let zeros = [UInt8](repeating: 0, count: 64 << 10)
        var done = 0
        var flushed = 0
        while done < size {
            let n = zeros.withUnsafeBytes { pwrite(fd, $0.baseAddress, min(zeros.count, size - done), off_t(done)) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { return SpoolFiles.errorText() }
            done += n
            guard done - flushed >= pacedPiece, done < size else { continue }
            switch pace() {
            case .paced:
                guard fdatasync(fd) == 0 else { return SpoolFiles.errorText() }
                usleep(200)
            case .hurried: break
            case .abandoned: return "abandoned before it was made"
            }
            flushed = done
        }
        return fsync(fd) == 0 ? nil : SpoolFiles.errorText()
    }
}
