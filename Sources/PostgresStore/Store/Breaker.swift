import Clocks

/// Keeps a worker from connecting on every request while PostgreSQL is known to be down: after a
/// failure, requests are refused at once (and spooled) until a back-off has passed (1 s, doubling to
/// 10 s); then one request probes. A success closes it.
struct Breaker {
    private var openUntil: Int64 = 0
    private var backoff: Int64 = Breaker.first

    static let first: Int64 = 1_000_000
    static let longest: Int64 = 10_000_000

    /// Milliseconds until the next probe while open, `nil` when a try is allowed.
    func refusal(now: Int64 = SystemClock.monotonicMicros()) -> Int64? {
        now < openUntil ? (openUntil - now + 999) / 1000 : nil
    }

    mutating func failed(now: Int64 = SystemClock.monotonicMicros()) {
        openUntil = now + backoff
        backoff = min(backoff * 2, Breaker.longest)
    }

    mutating func succeeded() {
        openUntil = 0
        backoff = Breaker.first
    }
}
