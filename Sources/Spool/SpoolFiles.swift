import Clocks
import Glibc

/// File-system helpers of the spool (no Foundation on the request path).
enum SpoolFiles {
    static let suffix = ".spool"

    static func errorText() -> String { String(cString: strerror(errno)) }

    /// Every name in `directory` (none when it cannot be read), sorted.
    static func names(in directory: String) -> [String] {
        guard let dir = opendir(directory) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            names.append(
                withUnsafePointer(to: entry.pointee.d_name) {
                    $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
                })
        }
        return names.sorted()
    }

    /// Segment names in `directory`, oldest first (names start with their creation time).
    static func segments(in directory: String) -> [String] {
        names(in: directory).filter { $0.hasSuffix(suffix) && !$0.hasPrefix(".") }
    }

    /// Hidden segments (`.<name>.spool`): made by a writer and not named yet.
    static func hiddenSegments(in directory: String) -> [String] {
        names(in: directory).filter { $0.hasPrefix(".") && $0.hasSuffix(suffix) }
    }

    /// Files the drainer set aside (`*.undecodable`, `*.refused`), sorted.
    static func keptForAPerson(in directory: String) -> [String] {
        names(in: directory).filter { $0.hasSuffix(".undecodable") || $0.hasSuffix(".refused") }
    }

    static func size(_ path: String) -> Int {
        var info = stat()
        return stat(path, &info) == 0 ? Int(info.st_size) : 0
    }

    /// Up to `count` bytes of `fd` from `offset` (fewer at the end of the file). The buffer is not zeroed
    /// first (a drain read its whole spool twice that way): only the bytes read are kept.
    static func read(_ fd: Int32, at offset: Int, count: Int, path: String) throws(SpoolError) -> [UInt8] {
        var failure: SpoolError?
        let out = [UInt8](unsafeUninitializedCapacity: max(count, 0)) { buffer, initialized in
            var done = 0
            while done < count {
                let n = pread(fd, buffer.baseAddress.map { $0 + done }, count - done, off_t(offset + done))
                if n < 0, errno == EINTR { continue }
                guard n >= 0 else {
                    failure = SpoolError("cannot read \(path): \(errorText())")
                    break
                }
                if n == 0 { break }
                done += n
            }
            initialized = done
        }
        if let failure { throw failure }
        return out
    }

    /// Removes hidden segments (`.<name>.spool`: being made by a writer) that no writer holds: left by a
    /// crash before the segment was named, so before anything was written to it.
    ///
    /// Only those last changed `minimumAge` seconds ago or more: a writer creates its hidden segment and
    /// locks it a moment later, and in that moment it is unlocked, so a young one may be a writer's (and
    /// the probe's own lock would make the writer's fail).
    static func removeAbandonedHiddenSegments(in directory: String, minimumAge: Int = 60) {
        let hidden = hiddenSegments(in: directory)
        let now = SystemClock.wallMicros() / 1_000_000
        for name in hidden {
            let path = directory + "/" + name
            var info = stat()
            guard stat(path, &info) == 0, now - Int64(info.st_mtim.tv_sec) >= minimumAge else { continue }
            if !isActive(path) { unlink(path) }
        }
    }

    /// Appends `bytes` to `path` (created 0600) and makes them durable.
    static func appendDurably(_ bytes: [UInt8], to path: String) throws(SpoolError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw SpoolError("cannot open \(path): \(errorText())") }
        defer { close(fd) }
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress.map { $0 + done }, bytes.count - done) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { throw SpoolError("cannot write \(path): \(errorText())") }
            done += n
        }
        guard fsync(fd) == 0 else { throw SpoolError("cannot make \(path) durable: \(errorText())") }
    }

    /// `F_OFD_SETLK` from `<fcntl.h>`: Swift's Glibc module leaves out what needs `_GNU_SOURCE`. The value
    /// is the same on every Linux architecture.
    static let setOpenFileLock: Int32 = 37

    /// A drainer's hold on a segment, or why there is none.
    enum Lease {
        /// Held until `descriptor` is closed (also by the process's death).
        case held(descriptor: Int32)
        /// Another drainer holds it, in this process or another.
        case busy
        /// The segment is gone (another drainer finished it, or set it aside as `.undecodable`).
        case gone
        /// It could not be taken (a descriptor limit, a read-only spool): drained without one, as before
        /// leases, which is safe (the store de-duplicates) if wasteful.
        case unavailable
    }

    /// Takes the drain lease on `path`: a write lock on one byte far past any record, held by the open
    /// file description (`F_OFD_SETLK`), so two drainers never read and store one segment at once, whether
    /// they are jobs of one `winkhook drain`, a hand drain beside `serve`'s drainer, or two `serve`s on one
    /// spool. It does not meet the writers' `flock` (`isActive`), and closing another descriptor of the
    /// file (a read, a probe) does not release it, as it would a process-wide `F_SETLK` lock. The spool
    /// must be on a local file system: NFS and CIFS emulate `flock` with whole-file byte locks, which
    /// would meet this one.
    static func lease(_ path: String) -> Lease {
        let fd = open(path, O_RDWR | O_CLOEXEC)
        guard fd >= 0 else { return errno == ENOENT ? .gone : .unavailable }
        var lock = flock()
        lock.l_type = Int16(F_WRLCK)
        lock.l_whence = Int16(SEEK_SET)
        lock.l_start = off_t(1) << 62
        lock.l_len = 1
        guard fcntl(fd, setOpenFileLock, &lock) == 0 else {
            let reason = errno
            close(fd)
            return reason == EAGAIN || reason == EACCES ? .busy : .unavailable
        }
        // The drainer that had it may have removed or renamed it between the open and the lock.
        var opened = stat()
        var named = stat()
        guard fstat(fd, &opened) == 0, stat(path, &named) == 0, opened.st_ino == named.st_ino,
            opened.st_dev == named.st_dev
        else {
            close(fd)
            return .gone
        }
        return .held(descriptor: fd)
    }

    /// Whether a writer holds `path` (its exclusive lock); `false` when the file is gone.
    static func isActive(_ path: String) -> Bool {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        return flock(fd, LOCK_EX | LOCK_NB) != 0
    }

    /// fsync of a directory, so a new or removed name survives power loss; whether it worked.
    @discardableResult
    static func syncDirectory(_ directory: String) -> Bool {
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        return fsync(fd) == 0
    }

    /// Creates `directory` (mode 0700) if it is missing.
    static func ensureDirectory(_ directory: String) throws(SpoolError) {
        var info = stat()
        if stat(directory, &info) == 0 {
            guard info.st_mode & S_IFMT == S_IFDIR else { throw SpoolError("\(directory) is not a directory") }
            return
        }
        guard mkdir(directory, 0o700) == 0 || errno == EEXIST else {
            throw SpoolError("cannot create the spool directory \(directory): \(errorText())")
        }
    }
}
