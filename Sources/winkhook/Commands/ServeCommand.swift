import ArgumentParser
import FastCGITransport
import Glibc
import Logging
import Supervision
import WinkhookConfig

/// `winkhook serve`: the supervised worker pool.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Listen on a socket and run a supervised pool of FastCGI workers.",
        discussion: """
            Signals: TERM/INT/QUIT stop gracefully (in-flight requests finish, exit within 5 s); HUP re-reads \
            the configuration and replaces the workers. Under systemd socket activation (LISTEN_FDS) the \
            passed socket is used and --listen is ignored.
            """)

    @OptionGroup var options: ConfigOption

    @Option(name: .long, help: "unix:/path.sock, 127.0.0.1:PORT or [::1]:PORT.")
    var listen: String = "unix:/run/winkhook/winkhook.sock"

    @Option(name: .long, help: "Worker processes (default: 2 per CPU, at least 2, at most 16).")
    var workers: Int?

    @Option(name: .long, help: "Unix socket mode, octal.")
    var socketMode: String = "0660"

    @Option(name: .long, help: "Unix socket owner (user name; root only).")
    var socketOwner: String?

    @Option(name: .long, help: "Unix socket group, e.g. www-data.")
    var socketGroup: String?

    @Option(name: .long, help: "listen() backlog.")
    var backlog: Int32 = 511

    @Option(name: .long, help: "Replace a worker after it has served this many requests (0: never).")
    var maxRequests: Int = 0

    @Option(name: .long, help: "Write the supervisor's PID to this file (removed on exit).")
    var pidFile: String?

    @Flag(name: .long, help: "Allow listening on all interfaces (0.0.0.0, ::). Never needed behind a local web server.")
    var allowPublic = false

    func validate() throws {
        if let workers, !(1...256).contains(workers) { throw ValidationError("--workers must be 1 to 256") }
        guard mode_t(socketMode, radix: 8).map({ $0 <= 0o777 }) == true else {
            throw ValidationError("--socket-mode must be octal, e.g. 0660")
        }
    }

    func run() throws {
        let environment = ProcessEnvironment.current()
        let logger = LogSetup.bootstrap(environment: environment)
        let given = ConfigurationLoader.locate(explicit: options.config, environment: environment)
        let configPath =
            realpath(given, nil).map { pointer -> String in
                defer { free(pointer) }
                return String(cString: pointer)
            } ?? given
        let maintenanceInterval: Int
        do {
            let config = try ConfigurationLoader.load(path: configPath, environment: environment)
            ServeCommand.report(config, logger: logger)
            maintenanceInterval = config.maintenance.intervalSeconds
        } catch {
            logger.critical("cannot serve: \(error)")
            throw ExitCode(78)
        }

        let descriptor: Int32
        var socketPath: String?
        if let systemd = ListeningSocket.systemdSocket(environment: environment) {
            descriptor = systemd
            logger.info("using the socket passed by systemd")
        } else {
            do {
                let address = try ListenAddress(parsing: listen, allowPublic: allowPublic)
                if case .unix(let path) = address { ServeCommand.createParentDirectory(of: path, logger: logger) }
                let permissions = ListeningSocket.Permissions(
                    mode: mode_t(socketMode, radix: 8) ?? 0o660, owner: socketOwner, group: socketGroup)
                descriptor = try ListeningSocket.open(address, permissions: permissions, backlog: backlog)
                if case .unix(let path) = address { socketPath = path }
                logger.info("listening", metadata: ["address": "\(address)"])
            } catch {
                logger.critical("cannot listen: \(error)")
                throw ExitCode(1)
            }
        }

        var arguments = ["--config", configPath]
        if maxRequests > 0 { arguments += ["--max-requests", String(maxRequests)] }
        // Each worker holds a PostgreSQL connection (max_connections).
        let count = workers ?? ProcessCount.twoPerCPU
        var supervision = Supervisor.Options(
            workers: count, executable: ServeCommand.executablePath(), workerArguments: arguments,
            helpers: [("spool drainer", ["drain", "--watch", "--config", configPath])]
                + (maintenanceInterval > 0 ? [("maintenance", ["maintain", "--watch", "--config", configPath])] : []))
        supervision.entry = { Winkhook.forkedChild($0) }
        let supervisor = Supervisor(
            options: supervision,
            listenDescriptor: descriptor, socketPath: socketPath, logger: logger,
            checkConfiguration: {
                do {
                    let config = try ConfigurationLoader.load(
                        path: configPath, environment: ProcessEnvironment.current())
                    ServeCommand.report(config, logger: logger)
                    return nil
                } catch {
                    return "\(error)"
                }
            })
        var pidFileFailed = false
        defer { if let pidFile, !pidFileFailed { unlink(pidFile) } }
        // Group commit makes the (shared) listener non-blocking; the supervisor closes its descriptor when
        // it stops, so a second one (the same open socket) gives a socket systemd keeps its flags back.
        let listenerFlags = fcntl(descriptor, F_GETFL)
        let flagsKeeper = fcntl(descriptor, F_DUPFD_CLOEXEC, 10)
        let status = supervisor.run {
            guard let pidFile else { return true }
            guard let file = fopen(pidFile, "w") else {
                logger.critical("cannot write --pid-file \(pidFile): \(String(cString: strerror(errno)))")
                pidFileFailed = true
                return false
            }
            fputs("\(getpid())\n", file)
            fclose(file)
            return true
        }
        if flagsKeeper >= 0 {
            if listenerFlags >= 0 { _ = fcntl(flagsKeeper, F_SETFL, listenerFlags) }
            close(flagsKeeper)
        }
        if status != 0 { throw ExitCode(status) }
    }

    static func report(_ config: WinkhookConfiguration, logger: Logger) {
        for warning in config.warnings { logger.warning("configuration: \(warning)") }
        for problem in config.problems { logger.error("configuration: \(problem)") }
        logger.info(
            "configuration loaded",
            metadata: [
                "path": "\(config.path)", "webhooks": "\(config.webhooks.count)",
                "database": "\(config.redactedDatabaseURL)",
            ])
    }

    /// Creates the socket's directory (0755) when it is missing, e.g. /run/winkhook outside systemd.
    static func createParentDirectory(of path: String, logger: Logger) {
        guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return }
        let directory = String(path[..<slash])
        var info = stat()
        guard stat(directory, &info) != 0 else { return }
        if mkdir(directory, 0o755) == 0 {
            logger.info("created the socket directory", metadata: ["path": "\(directory)"])
        }
    }

    static func executablePath() -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard n > 0 else { return CommandLine.arguments[0] }
        return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
