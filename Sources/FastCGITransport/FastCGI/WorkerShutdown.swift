internal import CFastCGI
import Glibc

/// Graceful stop for a worker: SIGTERM (libfcgi's handler), SIGINT/SIGQUIT (ours), or the supervisor
/// going away (a watcher thread on an inherited pipe).
public enum WorkerShutdown {
    nonisolated(unsafe) static var flag: sig_atomic_t = 0

    /// Whether a stop was asked for.
    static var requested: Bool { flag != 0 }

    /// Installs handlers that set the flag and tell libfcgi; call after `FCGX_Init`, which installs its own.
    /// Also unblocks these signals: a launcher may hand over a blocked mask (a thread pool's, say), and a
    /// blocked SIGTERM would leave the worker in accept() forever.
    static func installHandlers() {
        var handled = stopSignalSet()
        pthread_sigmask(SIG_UNBLOCK, &handled, nil)
        for signal in stopSignals {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { _ in
                WorkerShutdown.flag = 1
                FCGX_ShutdownPending()
            }
            sigemptyset(&action.sa_mask)
            action.sa_flags = 0  // no SA_RESTART: accept() must return EINTR
            sigaction(signal, &action, nil)
        }
    }

    /// Runs `body` with the stop signals blocked, so no read or write of the request (libfcgi's, libpq's)
    /// is cut short by EINTR; a signal that arrives meanwhile is delivered right after, and the worker
    /// stops once this request is answered.
    static func withStopSignalsBlocked<T>(_ body: () -> T) -> T {
        var stops = stopSignalSet()
        var previous = sigset_t()
        pthread_sigmask(SIG_BLOCK, &stops, &previous)
        defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
        return body()
    }

    /// The signals that stop a worker.
    private static let stopSignals = [SIGTERM, SIGINT, SIGQUIT, SIGUSR1]

    private static func stopSignalSet() -> sigset_t {
        var set = sigset_t()
        sigemptyset(&set)
        for signal in stopSignals { sigaddset(&set, signal) }
        return set
    }

    /// Waits until `descriptor` (a non-blocking listener) has a connection to accept; `false` when a stop
    /// was asked for first. The stop signals are unblocked only inside the wait, so one that arrives just
    /// before it still ends it. The wait is `epoll` with `EPOLLEXCLUSIVE`, so a connection wakes one idle
    /// worker rather than all of them (`ppoll` when epoll is not to be had).
    static func waitForConnection(on descriptor: Int32) -> Bool {
        var stops = stopSignalSet()
        var previous = sigset_t()
        pthread_sigmask(SIG_BLOCK, &stops, &previous)
        defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
        var unblocked = previous
        for signal in stopSignals { sigdelset(&unblocked, signal) }
        let queue = exclusiveWait(on: descriptor)
        while !requested {
            var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            var event = epoll_event()
            let ready = queue >= 0 ? epoll_pwait(queue, &event, 1, -1, &unblocked) : ppoll(&entry, 1, nil, &unblocked)
            // An error other than a signal is for the accept to report.
            if ready > 0 || (ready < 0 && errno != EINTR) { return true }
        }
        return false
    }

    /// An epoll instance watching `descriptor` for connections with `EPOLLEXCLUSIVE`, made once per
    /// process; -1 when it cannot be made.
    private static func exclusiveWait(on descriptor: Int32) -> Int32 {
        if waitQueue.descriptor == descriptor { return waitQueue.queue }
        if waitQueue.queue >= 0 { close(waitQueue.queue) }
        var queue = epoll_create1(Int32(EPOLL_CLOEXEC))
        if queue >= 0 {
            var event = epoll_event()
            event.events = EPOLLIN.rawValue | EPOLLEXCLUSIVE.rawValue
            event.data.fd = descriptor
            if epoll_ctl(queue, EPOLL_CTL_ADD, descriptor, &event) != 0 {
                close(queue)
                queue = -1
            }
        }
        waitQueue = (descriptor, queue)
        return queue
    }

    nonisolated(unsafe) private static var waitQueue: (descriptor: Int32, queue: Int32) = (-1, -1)

    /// Starts a thread that asks this process to stop when `descriptor` (the read end of a pipe whose
    /// write end only the supervisor holds) reaches end of file, i.e. when the supervisor is gone.
    public static func watchSupervisor(descriptor: Int32) {
        guard fcntl(descriptor, F_GETFD) >= 0 else { return }
        watchedDescriptor = descriptor
        // The watcher must never take a process-directed signal: only the main thread, blocked in
        // accept(), may, or SIGTERM would not interrupt accept (notes/fastcgi.md §1.6). It inherits
        // this all-blocked mask.
        var all = sigset_t()
        var previous = sigset_t()
        sigfillset(&all)
        pthread_sigmask(SIG_BLOCK, &all, &previous)
        defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
        var thread = pthread_t()
        pthread_create(
            &thread, nil,
            { _ in
                var byte: UInt8 = 0
                while Glibc.read(WorkerShutdown.watchedDescriptor, &byte, 1) < 0, errno == EINTR {}
                kill(getpid(), SIGTERM)
                return nil
            }, nil)
        pthread_detach(thread)
    }

    nonisolated(unsafe) static var watchedDescriptor: Int32 = -1
}
