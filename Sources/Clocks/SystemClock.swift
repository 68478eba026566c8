import Glibc

/// The system's two clocks, read in one place (WebhookCore reads none: it is given the time).
public enum SystemClock {
    /// The monotonic clock, µs: for intervals, deadlines and back-offs (it never jumps).
    public static func monotonicMicros() -> Int64 { micros(CLOCK_MONOTONIC) }

    /// The wall clock, µs since the Unix epoch: for receipt times, names and the ages of files.
    public static func wallMicros() -> Int64 { micros(CLOCK_REALTIME) }

    private static func micros(_ clock: clockid_t) -> Int64 {
        var now = timespec()
        clock_gettime(clock, &now)
        return Int64(now.tv_sec) * 1_000_000 + Int64(now.tv_nsec / 1000)
    }
}
