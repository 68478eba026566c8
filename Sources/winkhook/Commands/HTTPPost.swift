import Glibc
import WebhookCore

/// A minimal HTTP/1.1 POST over plain TCP for `winkhook send` (http:// only; for https use `--print`).
/// Kept here rather than FoundationNetworking so the binary never loads libcurl, ICU or Foundation.
struct HTTPPost {
    struct Response {
        var status: Int
        var headers: [(String, String)]
        var body: String

        /// The `Winkhook-Result` header, if the answer has one.
        var result: String? { headers.first { $0.0.lowercased() == "winkhook-result" }?.1 }
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    let host: String
    let port: String
    let path: String

    /// Parses `http://host[:port]/path`.
    init(url: String) throws {
        guard url.hasPrefix("http://") else {
            throw Failure(description: "only http:// URLs are sent directly; for https use --print and curl")
        }
        let rest = url.dropFirst(7)
        let authority = rest.prefix { $0 != "/" }
        path = rest.count > authority.count ? String(rest.dropFirst(authority.count)) : "/"
        if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
            host = String(authority[authority.index(after: authority.startIndex)..<close])
            let after = authority[authority.index(after: close)...]
            port = after.hasPrefix(":") ? String(after.dropFirst()) : "80"
        } else if let colon = authority.lastIndex(of: ":") {
            host = String(authority[..<colon])
            port = String(authority[authority.index(after: colon)...])
        } else {
            host = String(authority)
            port = "80"
        }
        guard !host.isEmpty else { throw Failure(description: "no host in \(url)") }
    }

    func send(headers: [(String, String)], body: [UInt8]) throws -> Response {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, port, &hints, &list) == 0, let first = list else {
            throw Failure(description: "cannot resolve \(host)")
        }
        defer { freeaddrinfo(list) }
        let fd = socket(first.pointee.ai_family, first.pointee.ai_socktype, first.pointee.ai_protocol)
        guard fd >= 0 else { throw Failure(description: "socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        guard connect(fd, first.pointee.ai_addr, first.pointee.ai_addrlen) == 0 else {
            throw Failure(description: "connect to \(host):\(port): \(String(cString: strerror(errno)))")
        }
        var head = "POST \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\nConnection: close\r\n"
        head += "Content-Length: \(body.count)\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        head += "\r\n"
        let request = Array(head.utf8) + body
        var sent = 0
        while sent < request.count {
            let n = request.withUnsafeBytes {
                Glibc.send(fd, $0.baseAddress.map { $0 + sent }, request.count - sent, 0)
            }
            guard n > 0 else { throw Failure(description: "send: \(String(cString: strerror(errno)))") }
            sent += n
        }
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16384)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n < 0, errno == EINTR { continue }
            if n <= 0 { break }
            answer += buffer[0..<n]
        }
        return try HTTPPost.parse(answer)
    }

    static func parse(_ bytes: [UInt8]) throws -> Response {
        let text = String(decoding: bytes, as: UTF8.self)
        guard let split = text.range(of: "\r\n\r\n") else { throw Failure(description: "no HTTP response") }
        let lines = text[..<split.lowerBound].split(separator: "\r\n").map(String.init)
        guard let statusLine = lines.first, statusLine.hasPrefix("HTTP/"),
            let code = statusLine.split(separator: " ").dropFirst().first.flatMap({ Int($0) })
        else { throw Failure(description: "malformed status line") }
        let headers = lines.dropFirst().compactMap(HTTPPost.headerField)
        return Response(status: code, headers: headers, body: String(text[split.upperBound...]))
    }

    /// Splits a `Name: value` line; `nil` without a colon.
    static func headerField(_ line: String) -> (String, String)? {
        guard let colon = line.firstIndex(of: ":") else { return nil }
        return (String(line[..<colon]), String(line[line.index(after: colon)...]).trimmingWhitespace())
    }
}
