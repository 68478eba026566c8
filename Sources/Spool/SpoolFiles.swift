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
        var clock = timespec()
        clock_gettime(CLOCK_REALTIME, &clock)
        for name in hidden {
            let path = directory + "/" + name
            var info = stat()
            guard stat(path, &info) == 0, Int(clock.tv_sec) - Int(info.st_mtim.tv_sec) >= minimumAge else { continue }
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
