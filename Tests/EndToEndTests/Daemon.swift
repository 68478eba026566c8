import Foundation

/// A long-running program a test starts and stops (Apache, systemd-socket-activate): spawned with every
/// signal unblocked and at its default action, standard input on /dev/null, standard output and error on
/// /dev/null or appended to `log`, and no other descriptor of the test process.
/// Foundation's `Process` passes on the test runner's blocked signals, so an Apache started with it never
/// sees the SIGTERM that stops it, and the waiting test hangs.
final class Daemon {
    let pid: pid_t
    private var reaped = false

    init(_ arguments: [String], log: String? = nil) throws {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t()
        sigemptyset(&none)
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log ?? "/dev/null", O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        for descriptor: Int32 in 3..<1024 {
            let flags = fcntl(descriptor, F_GETFD)
            if flags >= 0, flags & FD_CLOEXEC == 0 { posix_spawn_file_actions_addclose(&actions, descriptor) }
        }
        let argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var child: pid_t = 0
        let status = posix_spawn(&child, arguments[0], &actions, &attributes, argv, environ)
        guard status == 0 else {
            throw DaemonError("cannot start \(arguments[0]): \(String(cString: strerror(status)))")
        }
        pid = child
    }

    /// Whether it has not exited yet (reaps it if it has).
    var isRunning: Bool {
        if reaped { return false }
        var status: Int32 = 0
        if waitpid(pid, &status, WNOHANG) == pid { reaped = true }
        return !reaped
    }

    /// Waits up to `seconds` for it to exit by itself (then stops it): its exit status, or 128 + signal.
    func wait(within seconds: Double) -> Int32 {
        let deadline = Date().addingTimeInterval(seconds)
        var status: Int32 = 0
        while !reaped, Date() < deadline {
            if waitpid(pid, &status, WNOHANG) == pid {
                reaped = true
                return (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
            }
            usleep(20_000)
        }
        stop()
        return -1
    }

    /// SIGTERM, up to `seconds` to exit, then SIGKILL; never hangs.
    func stop(within seconds: Double = 15) {
        guard isRunning else { return }
        kill(pid, SIGTERM)
        let deadline = Date().addingTimeInterval(seconds)
        while isRunning, Date() < deadline { usleep(50_000) }
        if isRunning {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0, errno == EINTR {}
            reaped = true
        }
    }

    deinit { stop() }
}

extension Daemon {
    /// Runs one of the checkout's scripts (scripts/NAME) to its end, at most `seconds`: its exit status
    /// and everything it printed, which is also printed here for the test log.
    static func script(_ name: String, _ arguments: [String], within seconds: Double = 600) throws -> (Int32, String) {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../scripts/" + name).standardized.path
        let log = NSTemporaryDirectory() + "\(name)-\(getpid()).log"
        let status = try Daemon([path] + arguments, log: log).wait(within: seconds)
        let report = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        unlink(log)
        print(report)
        return (status, report)
    }
}

struct DaemonError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
