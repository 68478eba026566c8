import Glibc
import WebhookCore

/// Starts copies of this executable as children: the listening socket as fd 0 (workers; the drainer
/// gets /dev/null), the supervisor pipe as fd 3, default signal dispositions and mask, and a process
/// group of their own (so a terminal's Ctrl-C reaches only the supervisor, which then stops them
/// gracefully).
///
/// With an `entry`, a child is a forked copy of the supervisor that calls it (see `ForkedChild`); else,
/// or when the executable on disk has been replaced since the supervisor started, it is exec'd.
struct WorkerSpawner {
    let executable: String
    let arguments: [String]
    let listenDescriptor: Int32?
    let lifelineDescriptor: Int32
    /// The scoreboard's descriptor and the worker's slot in it (workers only).
    var scoreboard: (descriptor: Int32, slot: Int)? = nil
    /// What a forked child runs (its arguments, as exec would pass them after argv[0]); nil: exec.
    var entry: ForkedChild.Entry? = nil

    /// The fd on which a worker finds the read end of the supervisor's lifeline pipe.
    static let lifelineTarget: Int32 = 3
    /// The fd on which a worker finds the scoreboard (`WINKHOOK_SCOREBOARD=4:SLOT`).
    static let scoreboardTarget: Int32 = 4

    func spawn() -> Result<pid_t, SpawnError> {
        if let entry, ForkedChild.executableUnchanged(executable) { return forkChild(entry) }
        return spawnExecutable()
    }

    /// The environment a child gets: the supervisor's, without systemd's socket variables, with the
    /// lifeline's and the scoreboard's descriptors.
    private func childEnvironment() -> [String] {
        var environment = WorkerSpawner.currentEnvironment().filter {
            !$0.hasPrefix("LISTEN_PID=") && !$0.hasPrefix("LISTEN_FDS=") && !$0.hasPrefix("WINKHOOK_SUPERVISED=")
                && !$0.hasPrefix("WINKHOOK_SCOREBOARD=")
        }
        environment.append("WINKHOOK_SUPERVISED=\(WorkerSpawner.lifelineTarget)")
        if let scoreboard {
            environment.append("WINKHOOK_SCOREBOARD=\(WorkerSpawner.scoreboardTarget):\(scoreboard.slot)")
        }
        return environment
    }

    /// fork() and, in the child, the descriptors, signals and process group `spawnExecutable` sets up,
    /// then `entry`. The supervisor is single-threaded, so the child's copy of the heap and of every lock
    /// is consistent; what the child is given is computed before the fork.
    private func forkChild(_ entry: ForkedChild.Entry) -> Result<pid_t, SpawnError> {
        let environment = childEnvironment()
        let title = ForkedChild.Title(words: [CommandLine.arguments.first ?? executable] + arguments)
        let pid = fork()
        guard pid == 0 else { return pid > 0 ? .success(pid) : .failure(SpawnError(code: errno)) }
        if let listenDescriptor {
            dup2(listenDescriptor, 0)
        } else {
            let null = open("/dev/null", O_RDONLY)
            if null > 0 {
                dup2(null, 0)
                close(null)
            }
        }
        dup2(lifelineDescriptor, WorkerSpawner.lifelineTarget)
        if let scoreboard { dup2(scoreboard.descriptor, WorkerSpawner.scoreboardTarget) }
        ForkedChild.closeDescriptors(from: WorkerSpawner.scoreboardTarget + (scoreboard == nil ? 0 : 1))
        for signal in [SIGTERM, SIGINT, SIGQUIT, SIGHUP, SIGCHLD, SIGPIPE, SIGUSR1] { Glibc.signal(signal, SIG_DFL) }
        var empty = sigset_t()
        sigemptyset(&empty)
        pthread_sigmask(SIG_SETMASK, &empty, nil)
        setpgid(0, 0)
        ForkedChild.replaceEnvironment(environment)
        title.apply()
        exit(entry(arguments))
    }

    private func spawnExecutable() -> Result<pid_t, SpawnError> {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let listenDescriptor {
            posix_spawn_file_actions_adddup2(&actions, listenDescriptor, 0)
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        posix_spawn_file_actions_adddup2(&actions, lifelineDescriptor, WorkerSpawner.lifelineTarget)
        if let scoreboard {
            posix_spawn_file_actions_adddup2(&actions, scoreboard.descriptor, WorkerSpawner.scoreboardTarget)
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGTERM, SIGINT, SIGQUIT, SIGHUP, SIGCHLD, SIGPIPE, SIGUSR1] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(
            &attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP))

        let environment = childEnvironment()
        let argv = [executable] + arguments
        var pid: pid_t = 0
        let status = withCStringArray(argv) { argvPointer in
            withCStringArray(environment) { envPointer in
                posix_spawn(&pid, executable, &actions, &attributes, argvPointer, envPointer)
            }
        }
        guard status == 0 else { return .failure(SpawnError(code: status)) }
        return .success(pid)
    }

    static func currentEnvironment() -> [String] {
        CStringPairs.read(environ).map { "\($0.0)=\($0.1)" }
    }

    private func withCStringArray<R>(_ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R)
        -> R
    {
        let array = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: strings.count + 1)
        for (index, string) in strings.enumerated() { array[index] = strdup(string) }
        array[strings.count] = nil
        defer {
            for index in 0..<strings.count { free(array[index]) }
            array.deallocate()
        }
        return body(array)
    }
}

/// `posix_spawn` failed.
struct SpawnError: Error, CustomStringConvertible {
    let code: Int32
    var description: String { String(cString: strerror(code)) }
}
