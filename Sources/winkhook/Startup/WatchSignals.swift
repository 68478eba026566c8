import FastCGITransport
import Glibc

/// The stop handling of the long-running helpers (`drain --watch`, `maintain --watch`): SIGTERM, SIGINT
/// and SIGQUIT, or the supervisor going away, end the loop after the current pass.
enum WatchSignals {
    nonisolated(unsafe) static var stopRequested: sig_atomic_t = 0

    /// Installs the handlers, and the lifeline watch when supervised.
    static func install(environment: [String: String]) {
        for stop in [SIGTERM, SIGINT, SIGQUIT] {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { _ in WatchSignals.stopRequested = 1 }
            sigemptyset(&action.sa_mask)
            action.sa_flags = 0  // interrupts the sleep
            sigaction(stop, &action, nil)
        }
        if let lifeline = environment["WINKHOOK_SUPERVISED"].flatMap({ Int32($0) }) {
            WorkerShutdown.watchSupervisor(descriptor: lifeline)
        }
    }

    /// Sleeps, returning early when a stop signal arrives.
    static func sleep(milliseconds: Int) {
        var request = timespec(tv_sec: milliseconds / 1000, tv_nsec: (milliseconds % 1000) * 1_000_000)
        var remaining = timespec()
        while stopRequested == 0, nanosleep(&request, &remaining) != 0, errno == EINTR { request = remaining }
    }
}
