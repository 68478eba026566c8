import Glibc
import Logging

/// Logs go to stderr (journald under systemd, Apache's error_log under mod_fcgid and CGI), one line each.
/// `WINKHOOK_LOG_LEVEL` = trace | debug | info | notice | warning | error | critical (default info).
enum LogSetup {
    /// Whether this process image has bootstrapped the logging system (a forked child inherits it: its
    /// new loggers then carry its own pid, since the factory reads it for each).
    nonisolated(unsafe) private static var bootstrapped = false

    static func bootstrap(environment: [String: String]) -> Logger {
        guard !bootstrapped else { return Logger(label: "winkhook") }
        bootstrapped = true
        let level = environment["WINKHOOK_LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0.lowercased()) } ?? .info
        LoggingSystem.bootstrap { label in
            var handler = LineLogHandler(label: label)
            handler.logLevel = level
            handler.metadata["pid"] = "\(getpid())"
            return handler
        }
        return Logger(label: "winkhook")
    }
}
