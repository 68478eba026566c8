import Clocks
import Glibc
import Logging
import Scoreboard

/// `winkhook serve`: owns the listening socket, runs N single-threaded workers on it and the helpers
/// beside them (the spool drainer, the maintenance task), and keeps them running.
///
/// - a worker or helper that dies is replaced (after a back-off if it keeps dying at start);
/// - SIGTERM, SIGINT, SIGQUIT: stop accepting, let in-flight requests finish, exit within 5 s
///   (workers still running after 4.5 s are killed);
/// - SIGHUP: the configuration is checked, then a new set of workers starts and the old ones stop
///   gracefully (no request is refused during the swap: all share one socket).
public final class Supervisor {
    /// What to run.
    public struct Options: Sendable {
        /// Number of worker processes.
        public var workers: Int
        /// This executable's path (workers are copies of it).
        public var executable: String
        /// Arguments for each worker (e.g. `--config PATH`).
        public var workerArguments: [String]
        /// The helper processes: a name for the log and the arguments (`drain --watch --config PATH`).
        public var helpers: [(name: String, arguments: [String])]
        /// How long workers get to finish after SIGTERM before SIGKILL.
        public var stopGraceMicroseconds: Int64 = 4_500_000
        /// Runs a child in a forked copy of this process instead of exec'ing `executable` (nil: exec).
        public var entry: ForkedChild.Entry?

        /// Creates options.
        public init(
            workers: Int, executable: String, workerArguments: [String],
            helpers: [(name: String, arguments: [String])] = []
        ) {
            self.workers = workers
            self.executable = executable
            self.workerArguments = workerArguments
            self.helpers = helpers
        }
    }

    private struct Worker {
        let generation: Int
        let startedAt: Int64
        /// Its place in the scoreboard, if it has one.
        var slot: Int? = nil
    }

    private let options: Options
    private let listenDescriptor: Int32
    private let socketPath: String?
    private let logger: Logger
    private let checkConfiguration: () -> String?
    private var workers: [pid_t: Worker] = [:]
    private var generation = 0
    private var pendingStarts: [Int64] = []
    private var backoff: Int64 = 0
    private var lifeline: (read: Int32, write: Int32) = (-1, -1)
    private var helpers: [HelperProcess]
    private var stopping = false
    /// Where workers count their requests (nil if shared memory could not be made: they then run uncounted).
    private var scoreboard: Scoreboard?

    /// Creates a supervisor.
    /// - Parameters:
    ///   - listenDescriptor: the bound, listening socket (close-on-exec).
    ///   - socketPath: a unix socket path to remove on exit, if this process created it.
    ///   - checkConfiguration: re-reads the configuration on SIGHUP; returns an error text to keep the
    ///     current workers, or `nil` to roll over to new ones.
    public init(
        options: Options, listenDescriptor: Int32, socketPath: String?, logger: Logger,
        checkConfiguration: @escaping () -> String?
    ) {
        self.options = options
        self.listenDescriptor = listenDescriptor
        self.socketPath = socketPath
        self.logger = logger
        self.checkConfiguration = checkConfiguration
        self.helpers = options.helpers.map { HelperProcess(name: $0.name, arguments: $0.arguments) }
    }

    /// Runs until a stop signal. `started` is called once the signal mask is set and the children run
    /// (the place to write a pid file: a signal sent to that pid is then never lost); returning `false`
    /// stops everything with status 1. Returns the exit status.
    public func run(started: () -> Bool = { true }) -> Int32 {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else {
            logger.critical("pipe failed: \(String(cString: strerror(errno)))")
            return 1
        }
        // Close-on-exec, and at 10 or above: with stdin closed, pipe() hands out fd 0, which a spawned
        // worker's dup2 of the listener onto 0 would silently replace. A child gets the read end only
        // as its fd 3 (dup2 clears the flag there).
        lifeline = (Supervisor.highDescriptor(fds[0]), Supervisor.highDescriptor(fds[1]))
        var signals = sigset_t()
        sigemptyset(&signals)
        for waited in [SIGCHLD, SIGTERM, SIGINT, SIGQUIT, SIGHUP] {
            // An ignored signal is discarded, never seen by sigtimedwait: a shell's background job
            // inherits SIGINT ignored, nohup ignores SIGHUP.
            signal(waited, SIG_DFL)
            sigaddset(&signals, waited)
        }
        pthread_sigmask(SIG_BLOCK, &signals, nil)
        signal(SIGPIPE, SIG_IGN)

        scoreboard = Scoreboard.create(supervisor: getpid(), startedAt: SystemClock.wallMicros())
        if scoreboard == nil {
            logger.warning("no scoreboard (shm_open failed): status and metrics pages will be empty")
        }
        for _ in 0..<options.workers { startWorker() }
        for index in helpers.indices { startHelper(index) }
        logger.info("serving", metadata: ["workers": "\(options.workers)", "pid": "\(getpid())"])
        guard started() else {
            _ = stop(reason: SIGTERM)
            return 1
        }

        while true {
            var info = siginfo_t()
            var timeout = timespec(tv_sec: 0, tv_nsec: 250_000_000)
            let received = sigtimedwait(&signals, &info, &timeout)
            switch received {
            case SIGTERM, SIGINT, SIGQUIT:
                return stop(reason: received)
            case SIGHUP:
                reload()
            default:
                break
            }
            reap()
            startDueWorkers()
            let now = SystemClock.monotonicMicros()
            for index in helpers.indices where helpers[index].dueAt.map({ $0 <= now }) == true { startHelper(index) }
        }
    }

    private func startHelper(_ index: Int) {
        helpers[index].dueAt = nil
        guard helpers[index].running == nil, !stopping else { return }
        let spawner = WorkerSpawner(
            executable: options.executable, arguments: helpers[index].arguments, listenDescriptor: nil,
            lifelineDescriptor: lifeline.read, entry: options.entry)
        switch spawner.spawn() {
        case .success(let pid):
            helpers[index].running = (pid, SystemClock.monotonicMicros())
        case .failure(let error):
            logger.error("could not start the \(helpers[index].name): \(error)")
            helpers[index].schedule(now: SystemClock.monotonicMicros())
        }
    }

    /// A helper exited: replaced at once after a reload or a long life, with a back-off otherwise.
    private func helperExited(_ index: Int, _ status: Int32) {
        guard let (pid, startedAt) = helpers[index].running else { return }
        let reloading = helpers[index].reloading
        helpers[index].running = nil
        helpers[index].reloading = false
        guard !stopping else { return }
        let how = Supervisor.describe(status)
        let name = helpers[index].name
        if reloading || SystemClock.monotonicMicros() - startedAt > 10_000_000 {
            if !reloading {
                logger.error("\(name) exited; starting a replacement", metadata: ["pid": "\(pid)", "exit": "\(how)"])
            }
            helpers[index].backoff = 0
            startHelper(index)
        } else {
            logger.error(
                "\(name) exited soon after start; restarting with back-off",
                metadata: ["pid": "\(pid)", "exit": "\(how)"])
            helpers[index].schedule(now: SystemClock.monotonicMicros())
        }
    }

    private func startWorker() {
        var spawner = WorkerSpawner(
            executable: options.executable, arguments: options.workerArguments,
            listenDescriptor: listenDescriptor, lifelineDescriptor: lifeline.read, entry: options.entry)
        let taken = Set(workers.values.compactMap(\.slot))
        let slot = scoreboard.flatMap { _ in (0..<Scoreboard.slotCount).first { !taken.contains($0) } }
        if let scoreboard, let slot { spawner.scoreboard = (scoreboard.descriptor, slot) }
        switch spawner.spawn() {
        case .success(let pid):
            workers[pid] = Worker(generation: generation, startedAt: SystemClock.monotonicMicros(), slot: slot)
            if let slot { scoreboard?.workerSpawned(slot: slot, pid: pid, at: SystemClock.wallMicros()) }
        case .failure(let error):
            logger.error("could not start a worker: \(error)")
            scheduleStart()
        }
    }

    private func scheduleStart() {
        backoff = min(max(backoff * 2, 250_000), 5_000_000)
        pendingStarts.append(SystemClock.monotonicMicros() + backoff)
    }

    private func startDueWorkers() {
        let now = SystemClock.monotonicMicros()
        let due = pendingStarts.filter { $0 <= now }
        pendingStarts.removeAll { $0 <= now }
        for _ in due { startWorker() }
    }

    /// Collects exited workers; replaces those of the current generation.
    private func reap() {
        while true {
            var status: Int32 = 0
            let pid = waitpid(-1, &status, WNOHANG)
            guard pid > 0 else { return }
            if let index = helpers.firstIndex(where: { $0.running?.pid == pid }) {
                helperExited(index, status)
                continue
            }
            guard let worker = workers.removeValue(forKey: pid) else { continue }
            if let slot = worker.slot {
                scoreboard?.workerExited(slot: slot, crashed: Supervisor.describe(status) != "status 0")
            }
            guard worker.generation == generation else { continue }
            let lived = SystemClock.monotonicMicros() - worker.startedAt
            let how = Supervisor.describe(status)
            // A clean exit (a --max-requests recycle) is never a crash loop: replaced at once.
            if lived < 1_000_000, Supervisor.describe(status) != "status 0" {
                logger.error(
                    "worker exited right after start; restarting with back-off",
                    metadata: ["pid": "\(pid)", "exit": "\(how)"])
                scheduleStart()
            } else {
                let level: Logger.Level = how == "status 0" ? .info : .error
                logger.log(
                    level: level, "worker exited; starting a replacement",
                    metadata: ["pid": "\(pid)", "exit": "\(how)"])
                backoff = 0
                startWorker()
            }
        }
    }

    private func reload() {
        if let problem = checkConfiguration() {
            logger.error(
                "SIGHUP: configuration not reloaded; keeping the running workers", metadata: ["error": "\(problem)"])
            return
        }
        let old = workers.filter { $0.value.generation == generation }.map(\.key)
        generation += 1
        pendingStarts.removeAll()
        for _ in 0..<options.workers { startWorker() }
        for pid in old { kill(pid, SIGTERM) }
        for index in helpers.indices {
            guard let pid = helpers[index].running?.pid else { continue }
            // Replaced with the new configuration once it has finished its pass.
            helpers[index].reloading = true
            kill(pid, SIGTERM)
        }
        logger.info("SIGHUP: configuration reloaded; workers replaced", metadata: ["workers": "\(options.workers)"])
    }

    private func stop(reason: Int32) -> Int32 {
        logger.info("stopping: letting in-flight requests finish", metadata: ["signal": "\(reason)"])
        generation += 1  // nothing that exits from now on is replaced
        stopping = true
        close(listenDescriptor)
        for index in helpers.indices {
            guard let pid = helpers[index].running?.pid else { continue }
            workers[pid] = Worker(generation: generation - 1, startedAt: 0)  // waited for like a worker
            helpers[index].running = nil
        }
        for pid in workers.keys { kill(pid, SIGTERM) }
        let deadline = SystemClock.monotonicMicros() + options.stopGraceMicroseconds
        while !workers.isEmpty, SystemClock.monotonicMicros() < deadline {
            reap()
            if !workers.isEmpty { usleep(20_000) }
        }
        for pid in workers.keys {
            logger.warning("worker did not stop in time; killing it", metadata: ["pid": "\(pid)"])
            kill(pid, SIGKILL)
        }
        while !workers.isEmpty {
            var status: Int32 = 0
            let pid = waitpid(-1, &status, 0)
            if pid < 0 { break }
            workers.removeValue(forKey: pid)
        }
        if let socketPath { unlink(socketPath) }
        close(lifeline.write)
        close(lifeline.read)
        logger.info("stopped")
        return 0
    }

    /// `descriptor` moved to 10 or above, close-on-exec (the original is closed).
    static func highDescriptor(_ descriptor: Int32) -> Int32 {
        let moved = fcntl(descriptor, F_DUPFD_CLOEXEC, 10)
        guard moved >= 0 else {
            _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
            return descriptor
        }
        close(descriptor)
        return moved
    }

    static func describe(_ status: Int32) -> String {
        let signal = status & 0x7F
        if signal == 0 { return "status \((status >> 8) & 0xFF)" }
        return "signal \(signal)"
    }
}
