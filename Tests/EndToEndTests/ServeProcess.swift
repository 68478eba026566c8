import Foundation
import Testing

/// `winkhook serve` on the socket nginx routes to, for the length of one test.
final class ServeProcess {
    let process = Process()
    let logPath: String
    let pidFile: String

    init(
        environment: E2EEnvironment, config: String, name: String, workers: Int = 2, extra: [String] = [],
        binary: String? = nil
    ) throws {
        logPath = "\(environment.runDirectory)/\(name).log"
        pidFile = "\(environment.runDirectory)/serve-\(name).pid"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        process.executableURL = URL(fileURLWithPath: binary ?? environment.binary)
        process.arguments =
            [
                "serve", "--config", config, "--listen", "unix:\(environment.socket)", "--workers", String(workers),
            ] + extra
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        try String(process.processIdentifier).write(toFile: pidFile, atomically: true, encoding: .utf8)
        try waitUntilServing(environment)
    }

    deinit {
        if process.isRunning {
            let workers = children()
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            // Its workers stop when they see it gone; until then they would answer the next test's
            // first requests on the same socket, from this configuration.
            let deadline = Date().addingTimeInterval(10)
            while workers.contains(where: ServeProcess.isLive), Date() < deadline { usleep(20_000) }
        }
        try? FileManager.default.removeItem(atPath: pidFile)
    }

    var pid: Int32 { process.processIdentifier }

    /// Polls nginx until a worker answers (our JSON, not nginx's 502 while no worker listens).
    private func waitUntilServing(_ environment: E2EEnvironment) throws {
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            if let (status, body, _) = try? HTTP.request(environment.nginxURL + "/webhook/wink", method: "GET"),
                status != 502, body.hasPrefix("{")
            {
                return
            }
            guard process.isRunning else { break }
            usleep(50_000)
        }
        Issue.record("serve did not start: \(log)")
        throw CancellationError()
    }

    /// The supervisor's and workers' log so far.
    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Worker pids: processes whose parent is the supervisor, but the helpers (drainer, maintenance).
    func workerPIDs() -> Set<Int32> {
        children().filter { !ServeProcess.isHelper($0) }
    }

    /// Whether `pid` is one of the supervisor's helpers rather than a worker.
    static func isHelper(_ pid: Int32) -> Bool {
        let line = commandLine(pid)
        return line.contains(" drain ") || line.contains(" maintain ")
    }

    /// The maintenance helper's pid, if it runs.
    func maintenancePID() -> Int32? {
        children().first { ServeProcess.commandLine($0).contains(" maintain ") }
    }

    /// The spool drainer's pid, if it runs.
    func drainerPID() -> Int32? {
        children().first { ServeProcess.commandLine($0).contains(" drain ") }
    }

    static func commandLine(_ pid: Int32) -> String {
        let raw = (try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/cmdline"))) ?? Data()
        return String(decoding: raw.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self)
    }

    /// Whether `pid` is running (neither gone nor a zombie).
    static func isLive(_ pid: Int32) -> Bool {
        guard let (state, _) = stat(of: String(pid)) else { return false }
        return state != "Z"
    }

    /// A process's state letter and parent pid, from `/proc/<pid>/stat` (`nil` once it is gone).
    static func stat(of pid: String) -> (state: Substring, parent: Int32?)? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 2 else { return nil }
        return (fields[0], Int32(fields[1]))
    }

    /// Live children of the supervisor.
    func children() -> Set<Int32> { ServeProcess.children(of: process.processIdentifier) }

    /// Live (not zombie) children of `parent`.
    static func children(of parent: Int32) -> Set<Int32> {
        var pids: Set<Int32> = []
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for entry in entries {
            guard let pid = Int32(entry), let (state, parentPID) = stat(of: entry) else { continue }
            if state != "Z", parentPID == parent { pids.insert(pid) }
        }
        return pids
    }

    /// Sends `signal` and waits up to `seconds` for exit; returns (status, seconds taken) or nil if still running.
    func stop(_ signal: Int32 = SIGTERM, within seconds: Double = 10) -> (Int32, Double)? {
        let started = Date()
        kill(process.processIdentifier, signal)
        while process.isRunning, Date().timeIntervalSince(started) < seconds { usleep(20_000) }
        guard !process.isRunning else { return nil }
        return (process.terminationStatus, Date().timeIntervalSince(started))
    }
}
