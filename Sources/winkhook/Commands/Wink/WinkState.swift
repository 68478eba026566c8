import Glibc
import WebhookCore
import WinkhookConfig

/// Which Wink subscription each local webhook is: a small JSON file the `wink` commands keep next to the
/// configuration (`wink-state.json`, or `[wink] state_file`), so a hand-written winkhook.toml is never
/// rewritten.
struct WinkState {
    struct Record: Equatable {
        var id: String
        var entity: String
        /// The subscription's name at Wink (defaults to the local name).
        var name: String
    }

    let path: String
    /// Local webhook name → its subscription.
    var records: [String: Record] = [:]

    /// The state file of `configuration`.
    static func path(for configuration: WinkhookConfiguration) -> String {
        if let file = configuration.wink.stateFile { return file }
        let directory = configuration.path.split(separator: "/", omittingEmptySubsequences: false).dropLast()
            .joined(separator: "/")
        return (directory.isEmpty ? "." : directory) + "/wink-state.json"
    }

    /// Reads the file; a missing file is an empty state.
    static func load(for configuration: WinkhookConfiguration) throws -> WinkState {
        let path = path(for: configuration)
        var state = WinkState(path: path)
        guard access(path, F_OK) == 0 else { return state }
        let bytes = try FileReading.bytes(at: path, limit: 4 << 20)
        guard case .object(let root) = try JSONParser.parse(bytes), case .object(let webhooks)? = root["webhooks"]
        else { throw CommandFailure("\(path) is not a winkhook Wink state file") }
        for (name, value) in webhooks {
            guard let id = value["id"]?.stringValue else { continue }
            state.records[name] = Record(
                id: id, entity: value["entity"]?.stringValue ?? "", name: value["name"]?.stringValue ?? name)
        }
        return state
    }

    /// The local webhook recorded for Wink id `id`.
    func local(for id: String) -> String? { records.first { $0.value.id == id }?.key }

    /// Writes the file atomically (a temporary file, fsync, rename), mode 0640.
    func save() throws {
        var webhooks = JSONObject()
        for (name, record) in records.sorted(by: { $0.key < $1.key }) {
            webhooks[name] = .object([
                "id": .string(record.id), "entity": .string(record.entity), "name": .string(record.name),
            ])
        }
        let text = JSONValue.object(["webhooks": .object(webhooks)]).jsonText + "\n"
        let temporary = path + ".tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o640)
        guard descriptor >= 0 else { throw CommandFailure("cannot write \(temporary): \(Self.errorText())") }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        let synced = fsync(descriptor)
        close(descriptor)
        guard written == bytes.count, synced == 0, rename(temporary, path) == 0 else {
            unlink(temporary)
            throw CommandFailure("cannot write \(path): \(Self.errorText())")
        }
    }

    static func errorText() -> String { String(cString: strerror(errno)) }
}
