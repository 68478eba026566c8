import Clocks

/// A point on the monotonic clock by which a database operation must be done.
public struct Deadline: Sendable, Comparable {
    /// Monotonic microseconds.
    public let micros: Int64

    /// `seconds` from now.
    public init(secondsFromNow seconds: Double) {
        micros = SystemClock.monotonicMicros() + Int64(seconds * 1_000_000)
    }

    init(micros: Int64) { self.micros = micros }

    /// Milliseconds left, 0 once passed.
    public var remainingMilliseconds: Int32 {
        Int32(clamping: max(0, (micros - SystemClock.monotonicMicros() + 999) / 1000))
    }

    /// Whether it has passed.
    public var hasPassed: Bool { SystemClock.monotonicMicros() >= micros }

    public static func < (lhs: Deadline, rhs: Deadline) -> Bool { lhs.micros < rhs.micros }
}
