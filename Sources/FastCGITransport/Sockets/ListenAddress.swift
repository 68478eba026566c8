/// Where `winkhook serve` listens: a unix socket path, or a TCP host and port.
public enum ListenAddress: Sendable, Equatable, CustomStringConvertible {
    case unix(path: String)
    case tcp(host: String, port: UInt16)

    /// Parses `unix:/path.sock`, `/path.sock`, `127.0.0.1:9000` or `[::1]:9000`.
    /// - Throws: `ListenError` for anything else, and for wildcard hosts unless `allowPublic`.
    public init(parsing text: String, allowPublic: Bool = false) throws(ListenError) {
        if text.hasPrefix("unix:") || text.hasPrefix("/") || text.hasPrefix("./") {
            let path = text.hasPrefix("unix:") ? String(text.dropFirst(5)) : text
            guard !path.isEmpty else { throw ListenError("unix: needs a path") }
            guard path.utf8.count < 108 else { throw ListenError("unix socket path is longer than 107 bytes") }
            self = .unix(path: path)
            return
        }
        var host: Substring
        var portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else {
                throw ListenError("expected [address]:port")
            }
            host = text[text.index(after: text.startIndex)..<close]
            portText = text[text.index(close, offsetBy: 2)...]
        } else {
            guard let colon = text.lastIndex(of: ":") else {
                throw ListenError("expected unix:/path, HOST:PORT or [IPv6]:PORT, got \(text)")
            }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
        }
        guard let port = UInt16(portText), port > 0 else { throw ListenError("invalid port \(portText)") }
        let wildcard = host.isEmpty || host == "*" || host == "0.0.0.0" || host == "::"
        if wildcard && !allowPublic {
            throw ListenError(
                "refusing to listen on all interfaces (\(text)); use 127.0.0.1 or a unix socket, or pass --allow-public"
            )
        }
        if host.isEmpty || host == "*" { host = "0.0.0.0" }
        self = .tcp(host: String(host), port: port)
    }

    public var description: String {
        switch self {
        case .unix(let path): "unix:\(path)"
        case .tcp(let host, let port): host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        }
    }
}

/// A listen address or socket that cannot be used.
public struct ListenError: Error, Sendable, CustomStringConvertible {
    /// What is wrong.
    public var reason: String
    /// Creates an error.
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}
