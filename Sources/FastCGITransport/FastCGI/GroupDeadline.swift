import Glibc

/// The bound on how long a group of requests may wait for more (`FastCGIWorker`'s group commit): one
/// `SIGALRM` timer around taking the requests after the first, so a connection that sends its records
/// or its body slowly, or not at all, cuts the group short (its read returns EINTR) instead of holding
/// back the answers of the requests already taken.
enum GroupDeadline {
    nonisolated(unsafe) static var expiredFlag: sig_atomic_t = 0

    /// Whether the timer went off since it was last armed.
    static var expired: Bool { expiredFlag != 0 }

    /// Installs the `SIGALRM` handler (no `SA_RESTART`: a blocked read must return) and unblocks it.
    static func install() {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in GroupDeadline.expiredFlag = 1 }
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        sigaction(SIGALRM, &action, nil)
        var alarm = sigset_t()
        sigemptyset(&alarm)
        sigaddset(&alarm, SIGALRM)
        pthread_sigmask(SIG_UNBLOCK, &alarm, nil)
    }

    /// Starts the timer: it goes off `milliseconds` from now, then every 100 ms until disarmed (after
    /// dropping a connection libfcgi waits on its close and accepts again, and a signal that comes
    /// between two reads must not leave the next one unbounded: those waits are cut short too).
    static func arm(milliseconds: Int) {
        expiredFlag = 0
        var timer = itimerval()
        timer.it_value.tv_sec = milliseconds / 1000
        timer.it_value.tv_usec = (milliseconds % 1000) * 1000
        timer.it_interval.tv_usec = 100_000
        setitimer(__itimer_which_t(ITIMER_REAL.rawValue), &timer, nil)
    }

    /// Stops the timer.
    static func disarm() {
        var timer = itimerval()
        setitimer(__itimer_which_t(ITIMER_REAL.rawValue), &timer, nil)
    }
}
