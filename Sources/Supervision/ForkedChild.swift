import Glibc

/// The parts of a child that is a forked copy of the supervisor rather than a new exec of the binary.
///
/// Why fork: an exec'd child relocates the binary's and libpq's library chain's data again (≈1.6 MB of
/// private pages per process, measured with `bench/profile-worker memory`); a forked one shares them with
/// the supervisor and its siblings, copy-on-write, as PHP-FPM's and nginx's workers do. The children then
/// share the supervisor's address-space layout; a replaced binary on disk is exec'd instead, so an
/// upgrade still takes effect at the next SIGHUP.
public enum ForkedChild {
    /// What a forked child runs, given the arguments an exec'd one would get after argv[0]; returns its
    /// exit status.
    public typealias Entry = @Sendable ([String]) -> Int32

    /// Whether `path` is still the file this process runs (not replaced or removed since it started).
    static func executableUnchanged(_ path: String) -> Bool {
        var running = stat()
        var onDisk = stat()
        guard stat("/proc/self/exe", &running) == 0, stat(path, &onDisk) == 0 else { return false }
        return running.st_dev == onDisk.st_dev && running.st_ino == onDisk.st_ino
    }

    /// Closes every descriptor from `first` up (what exec's close-on-exec did for the supervisor's own).
    static func closeDescriptors(from first: Int32) {
        guard let directory = opendir("/proc/self/fd") else {
            for descriptor in first..<1024 { close(descriptor) }
            return
        }
        var open: [Int32] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) {
                String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self)
            }
            if let descriptor = Int32(name), descriptor >= first, descriptor != dirfd(directory) {
                open.append(descriptor)
            }
        }
        closedir(directory)
        for descriptor in open { close(descriptor) }
    }

    /// Replaces the process environment with `entries` (`NAME=value`).
    static func replaceEnvironment(_ entries: [String]) {
        clearenv()
        for entry in entries { putenv(strdup(entry)) }
    }

    /// The command line `ps` and /proc/PID/cmdline show: the words an exec'd child would have had,
    /// written over the supervisor's own argv (truncated to its length, as setproctitle does).
    struct Title {
        let bytes: [UInt8]

        init(words: [String]) {
            bytes = words.flatMap { Array($0.utf8) + [0] }
        }

        func apply() {
            let argv = CommandLine.unsafeArgv
            let count = Int(CommandLine.argc)
            guard count > 0, let start = argv[0], let last = argv[count - 1] else { return }
            let end = last + strlen(last) + 1
            // The strings are contiguous on the initial stack; anything else is left alone.
            var cursor = start
            for index in 0..<count {
                guard argv[index] == cursor, let word = argv[index] else { return }
                cursor = word + strlen(word) + 1
            }
            let area = end - start
            start.withMemoryRebound(to: UInt8.self, capacity: area) { target in
                for offset in 0..<area { target[offset] = offset < bytes.count ? bytes[offset] : 0 }
                target[area - 1] = 0
            }
        }
    }
}
