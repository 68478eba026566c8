import Glibc
import WebhookCore

/// Appends deliveries to this process's own spool segment and makes each durable (`fdatasync`, and the
/// directory fsynced when a segment is created) before `append` returns. The segment is locked (`flock`)
/// while it is open, so a drainer leaves it alone; `closeSegment` hands it over.
///
/// Segments are named `<creation µs>-<pid>.spool`, so their names sort by age.
public final class SpoolWriter {
    /// The spool directory.
    public let directory: String
    /// The most the spool may hold, in bytes (all segments together).
    public let maxBytes: Int
    private var descriptor: Int32 = -1
    private var segmentBytes = 0
    private var knownTotal = 0
    private var totalCheckedAt: Int64 = .min

    /// A segment is closed and a new one started past this size.
    static let segmentLimit = 16 << 20

    /// Creates a writer; nothing is touched until the first `append`.
    public init(directory: String, maxBytes: Int) {
        self.directory = directory
        self.maxBytes = maxBytes
    }

    deinit { closeSegment() }

    /// Whether a segment is open (something was spooled since the last `closeSegment`).
    public var hasOpenSegment: Bool { descriptor >= 0 }

    /// Appends `delivery` durably.
    /// - Throws: `SpoolError` when the spool is full or cannot be written; nothing is acknowledged then.
    public func append(_ delivery: Delivery) throws(SpoolError) {
        let record = SpoolRecord.frame(DeliveryCodec.encode(delivery))
        try checkRoom(for: record.count)
        if descriptor < 0 || segmentBytes + record.count > SpoolWriter.segmentLimit { try openSegment() }
        var written = 0
        while written < record.count {
            let n = record.withUnsafeBytes { raw in
                Glibc.write(descriptor, raw.baseAddress.map { $0 + written }, record.count - written)
            }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else {
                let reason = SpoolFiles.errorText()
                // A partial record is a torn tail for the drainer; start a fresh segment next time.
                closeSegment()
                throw SpoolError("cannot write to the spool in \(directory): \(reason)")
            }
            written += n
        }
        guard fdatasync(descriptor) == 0 else {
            let reason = SpoolFiles.errorText()
            closeSegment()
            throw SpoolError("cannot make the spool durable in \(directory): \(reason)")
        }
        segmentBytes += record.count
        knownTotal += record.count
    }

    /// Closes and unlocks the open segment (PostgreSQL is back: the drainer may take it).
    public func closeSegment() {
        guard descriptor >= 0 else { return }
        close(descriptor)
        descriptor = -1
        segmentBytes = 0
    }

    private func openSegment() throws(SpoolError) {
        closeSegment()
        try SpoolFiles.ensureDirectory(directory)
        var clock = timespec()
        clock_gettime(CLOCK_REALTIME, &clock)
        let micros = Int64(clock.tv_sec) * 1_000_000 + Int64(clock.tv_nsec / 1000)
        let name = "\(String(micros).leftPadded(17))-\(getpid())\(SpoolFiles.suffix)"
        let fd = open(directory + "/" + name, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw SpoolError("cannot create a spool segment in \(directory): \(SpoolFiles.errorText())")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw SpoolError("cannot lock the new spool segment \(name): \(SpoolFiles.errorText())")
        }
        SpoolFiles.syncDirectory(directory)
        descriptor = fd
    }

    /// Refuses a record that would take the spool past `maxBytes` (re-measured at most once a second).
    private func checkRoom(for bytes: Int) throws(SpoolError) {
        var clock = timespec()
        clock_gettime(CLOCK_MONOTONIC, &clock)
        let now = Int64(clock.tv_sec)
        if now != totalCheckedAt {
            knownTotal = SpoolFiles.segments(in: directory).reduce(0) { $0 + SpoolFiles.size(directory + "/" + $1) }
            totalCheckedAt = now
        }
        guard knownTotal + bytes <= maxBytes else {
            throw SpoolError("the spool in \(directory) is full (\(knownTotal) of \(maxBytes) bytes)")
        }
    }
}

extension String {
    fileprivate func leftPadded(_ width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }
}
