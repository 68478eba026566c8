import Glibc

/// How many processes of a kind to run by default.
enum ProcessCount {
    /// Two per online CPU, at least 2 and at most 16 (workers and drainers each hold a PostgreSQL
    /// connection, so a large box must not exhaust `max_connections`).
    static var twoPerCPU: Int { perCPU(2) }

    private static func perCPU(_ count: Int) -> Int { min(16, count * max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }
}
