/// One long-running child beside the workers (the spool drainer, the maintenance task): its command
/// line, whether it runs, and its restart back-off. `Supervisor` starts, replaces and stops it.
struct HelperProcess {
    /// What it is, for the log (`spool drainer`, `maintenance`).
    let name: String
    /// Its arguments (`drain --watch --config PATH`).
    let arguments: [String]
    /// The running process and when it started (monotonic µs).
    var running: (pid: Int32, startedAt: Int64)?
    /// When to try starting it again after a failure.
    var dueAt: Int64?
    /// The current back-off (µs): 0.5 s doubling to 30 s.
    var backoff: Int64 = 0
    /// Whether it was asked to stop for a reload (replaced at once, without complaint).
    var reloading = false

    init(name: String, arguments: [String]) {
        self.name = name
        self.arguments = arguments
    }

    /// Lengthens the back-off and sets when to try again.
    mutating func schedule(now: Int64) {
        backoff = min(max(backoff * 2, 500_000), 30_000_000)
        dueAt = now + backoff
    }
}
