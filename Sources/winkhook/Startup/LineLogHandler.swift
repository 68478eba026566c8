import Glibc
import Logging
import Synchronization

/// One log line per event on stderr, in swift-log's `StreamLogHandler` format
/// (`2026-12-02T18:56:02+0000 info winkhook: key=value … [Module] message`), made for a line per request:
/// the local-time stamp is formatted once a second (`localtime_r`, which unlike `localtime` does not look
/// at /etc/localtime again on every call), and the line goes out in one `write`.
struct LineLogHandler: LogHandler {
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]
    private let label: String

    init(label: String) {
        self.label = label
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        // The event's fields and the handler's, sorted by key; the event's win. Gathered as pairs, not
        // looked up again by key: hashing every key twice cost more than writing the line.
        var fields: [(key: String, value: Logger.MetadataValue)] = []
        fields.reserveCapacity((event.metadata?.count ?? 0) + metadata.count + 2)
        if let explicit = event.metadata {
            for (key, value) in explicit { fields.append((key, value)) }
        }
        if let error = event.error {
            fields.removeAll { $0.key == "error.message" || $0.key == "error.type" }
            fields.append(("error.message", .string("\(error)")))
            fields.append(("error.type", .string(String(reflecting: type(of: error)))))
        }
        let explicitCount = fields.count
        for (key, value) in metadata where !fields[..<explicitCount].contains(where: { $0.key == key }) {
            fields.append((key, value))
        }
        fields.sort { $0.key < $1.key }
        let message = event.message.description
        var line: [UInt8] = []
        line.reserveCapacity(256 + message.utf8.count)
        LineLogHandler.put(LineLogHandler.clock.stamp(), to: &line)
        line.append(UInt8(ascii: " "))
        LineLogHandler.put(event.level.rawValue, to: &line)
        if !label.isEmpty {
            line.append(UInt8(ascii: " "))
            LineLogHandler.put(label, to: &line)
        }
        line.append(UInt8(ascii: ":"))
        for (key, value) in fields {
            line.append(UInt8(ascii: " "))
            LineLogHandler.put(key, to: &line)
            line.append(UInt8(ascii: "="))
            switch value {
            case .string(let text): LineLogHandler.put(text, to: &line)
            default: LineLogHandler.put(value.description, to: &line)
            }
        }
        line.append(contentsOf: " [".utf8)
        LineLogHandler.put(event.source, to: &line)
        line.append(contentsOf: "] ".utf8)
        LineLogHandler.put(message, to: &line)
        line.append(UInt8(ascii: "\n"))
        LineLogHandler.write(line)
    }

    /// Appends the bytes of `text` in one copy (appending its UTF-8 view went a byte at a time).
    private static func put(_ text: String, to line: inout [UInt8]) {
        var text = text
        text.withUTF8 { line.append(contentsOf: $0) }
    }

    /// Writes all of `line` to stderr, retrying on EINTR and short writes.
    private static func write(_ line: [UInt8]) {
        line.withUnsafeBufferPointer { bytes in
            var offset = 0
            while offset < bytes.count {
                let n = Glibc.write(2, bytes.baseAddress.map { $0 + offset }, bytes.count - offset)
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { return }
                offset += n
            }
        }
    }

    private static let clock = StampClock()
}

/// The current second as `%Y-%m-%dT%H:%M:%S%z` in local time, formatted again only when the second changes.
private final class StampClock: Sendable {
    private let last = Mutex<(second: Int, text: String)>((-1, ""))

    init() {
        tzset()
    }

    func stamp() -> String {
        let now = time(nil)
        return last.withLock { last in
            if last.second == now { return last.text }
            var seconds = now
            var parts = tm()
            var buffer = [CChar](repeating: 0, count: 64)
            guard localtime_r(&seconds, &parts) != nil,
                strftime(&buffer, buffer.count, "%Y-%m-%dT%H:%M:%S%z", &parts) > 0
            else { return "<unknown>" }
            last = (now, String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
            return last.text
        }
    }
}
