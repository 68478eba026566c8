import Glibc

/// One FastCGI request to a worker's socket, as a web server would send it (`winkhook status` asks the
/// running pool for its status page this way, like `cgi-fcgi` does for PHP-FPM).
public enum FastCGIClient {
    /// A parsed answer: status, headers (names lowercased) and body.
    public struct Answer: Sendable {
        public var status: Int
        public var headers: [String: String]
        public var body: String
    }

    /// GETs `uri` (path and query) from the FastCGI server at `address`, with `REMOTE_ADDR` 127.0.0.1
    /// (whoever can open the socket is trusted as much as the web server).
    public static func get(_ uri: String, from address: ListenAddress, timeoutSeconds: Int = 10) throws(ListenError)
        -> Answer
    {
        let fd = try connect(address, timeoutSeconds: timeoutSeconds)
        defer { close(fd) }
        let query = uri.firstIndex(of: "?").map { String(uri[uri.index(after: $0)...]) } ?? ""
        let path = uri.firstIndex(of: "?").map { String(uri[..<$0]) } ?? uri
        let parameters = [
            ("GATEWAY_INTERFACE", "CGI/1.1"), ("REQUEST_METHOD", "GET"), ("REQUEST_URI", uri),
            ("SCRIPT_NAME", path), ("QUERY_STRING", query), ("SERVER_PROTOCOL", "HTTP/1.1"),
            ("REMOTE_ADDR", "127.0.0.1"), ("CONTENT_LENGTH", "0"),
        ]
        var out = record(type: 1, content: [0, 1, 0, 0, 0, 0, 0, 0])  // BEGIN_REQUEST, responder, close
        out += record(type: 4, content: encode(parameters)) + record(type: 4, content: [])
        out += record(type: 5, content: [])  // empty STDIN
        guard writeAll(fd, out) else { throw ListenError("cannot send to \(address): \(errorText())") }
        var stdout: [UInt8] = []
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            while buffer.count >= 8 {
                let length = Int(buffer[4]) << 8 | Int(buffer[5])
                let total = 8 + length + Int(buffer[6])
                guard buffer.count >= total else { break }
                switch buffer[1] {
                case 6: stdout += buffer[8..<(8 + length)]
                case 3: return try parse(stdout, from: address)  // END_REQUEST
                default: break
                }
                buffer.removeFirst(total)
            }
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else {
                throw ListenError("\(address) closed the connection before answering (\(n < 0 ? errorText() : "EOF"))")
            }
            buffer += chunk[0..<n]
        }
    }

    static func connect(_ address: ListenAddress, timeoutSeconds: Int) throws(ListenError) -> Int32 {
        var fd: Int32 = -1
        var connected = false
        switch address {
        case .unix(let path):
            fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            var name = sockaddr_un()
            name.sun_family = sa_family_t(AF_UNIX)
            let bytes = Array(path.utf8)
            guard bytes.count < MemoryLayout.size(ofValue: name.sun_path) else {
                throw ListenError("socket path too long: \(path)")
            }
            withUnsafeMutableBytes(of: &name.sun_path) { raw in
                for (index, byte) in bytes.enumerated() { raw[index] = byte }
            }
            setTimeout(fd, timeoutSeconds)
            connected = withUnsafePointer(to: &name) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) == 0
                }
            }
        case .tcp(let host, let port):
            var hints = addrinfo()
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
            var list: UnsafeMutablePointer<addrinfo>?
            guard getaddrinfo(host, String(port), &hints, &list) == 0, let first = list else {
                throw ListenError("cannot resolve \(host)")
            }
            defer { freeaddrinfo(list) }
            fd = socket(first.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            setTimeout(fd, timeoutSeconds)
            connected = Glibc.connect(fd, first.pointee.ai_addr, first.pointee.ai_addrlen) == 0
        }
        guard fd >= 0, connected else {
            let reason = errorText()
            if fd >= 0 { close(fd) }
            throw ListenError("cannot connect to \(address): \(reason) (is `winkhook serve` running there?)")
        }
        return fd
    }

    static func setTimeout(_ fd: Int32, _ seconds: Int) {
        var timeout = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    /// A record of request 1.
    static func record(type: UInt8, content: [UInt8]) -> [UInt8] {
        [1, type, 0, 1, UInt8(content.count >> 8), UInt8(content.count & 0xFF), 0, 0] + content
    }

    /// Name-value pairs: each length in one byte below 128, else four with the top bit set.
    static func encode(_ pairs: [(String, String)]) -> [UInt8] {
        func length(_ count: Int) -> [UInt8] {
            count < 128
                ? [UInt8(count)]
                : [
                    UInt8((count >> 24) | 0x80), UInt8((count >> 16) & 0xFF), UInt8((count >> 8) & 0xFF),
                    UInt8(count & 0xFF),
                ]
        }
        var out: [UInt8] = []
        for (name, value) in pairs {
            out += length(name.utf8.count) + length(value.utf8.count) + Array(name.utf8) + Array(value.utf8)
        }
        return out
    }

    /// The CGI answer: `Status:` and other headers, a blank line, the body.
    static func parse(_ bytes: [UInt8], from address: ListenAddress) throws(ListenError) -> Answer {
        let text = String(decoding: bytes, as: UTF8.self)
        guard let split = text.firstRange(of: "\r\n\r\n") else {
            throw ListenError("\(address) answered something that is not a CGI response")
        }
        var answer = Answer(status: 200, headers: [:], body: String(text[split.upperBound...]))
        for line in text[..<split.lowerBound].split(separator: "\r\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].drop { $0 == " " }
            answer.headers[name] = String(value)
            if name == "status" { answer.status = Int(value.prefix(3)) ?? 0 }
        }
        return answer
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress.map { $0 + done }, bytes.count - done) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { return false }
            done += n
        }
        return true
    }

    static func errorText() -> String { String(cString: strerror(errno)) }
}
