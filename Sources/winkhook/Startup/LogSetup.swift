import Glibc
import Logging

/// Logs go to stderr (journald under systemd, Apache's error_log under mod_fcgid and CGI), one line each.
/// `WINKHOOK_LOG_LEVEL` = trace | debug | info | notice | warning | error | critical (default info).
enum LogSetup {
    static func bootstrap(environment: [String: String]) -> Logger {
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
