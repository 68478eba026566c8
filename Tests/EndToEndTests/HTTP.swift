import Foundation
import WebhookCore

/// Blocking HTTP/1.1 over a plain socket for tests (`Connection: close`, 15 s timeout). Not URLSession:
/// FoundationNetworking waits forever on a 401 that carries a `WWW-Authenticate` challenge, and it
/// normalises paths that tests need sent as written (`%0A`).
enum HTTP {
    struct Failure: Error { let description: String }

    static func request(_ url: String, method: String = "POST", body: [UInt8] = [], headers: [(String, String)] = [])
        throws -> (Int, String, [String: String])
    {
        guard url.hasPrefix("http://") else { throw Failure(description: "not an http:// URL: \(url)") }
        let rest = url.dropFirst(7)
        let authority = rest.prefix { $0 != "/" && $0 != "?" }
        var target = String(rest.dropFirst(authority.count))
        if target.isEmpty || target.hasPrefix("?") { target = "/" + target }
        guard let colon = authority.lastIndex(of: ":"), let port = UInt16(authority[authority.index(after: colon)...])
        else { throw Failure(description: "no port in \(url)") }
        let host = String(authority[..<colon])

        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw Failure(description: "socket failed") }
        defer { close(descriptor) }
        var timeout = timeval(tv_sec: 15, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr(host == "localhost" ? "127.0.0.1" : host)
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
        guard connected else { throw Failure(description: "cannot connect to \(authority)") }

        var head = "\(method) \(target) HTTP/1.1\r\nHost: \(authority)\r\nConnection: close\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if !body.isEmpty || method == "POST" { head += "Content-Length: \(body.count)\r\n" }
        let bytes = Array((head + "\r\n").utf8) + body
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw Failure(description: "send failed") }
            sent += n
        }
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if n < 0, errno == EINTR { continue }
            if n < 0 { throw Failure(description: "no answer from \(url) within 15 s") }
            if n == 0 { break }
            response += buffer[0..<n]
        }
        return try parse(response, url: url)
    }

    static func parse(_ response: [UInt8], url: String) throws -> (Int, String, [String: String]) {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard let split = (0..<max(0, response.count - 3)).first(where: { Array(response[$0..<$0 + 4]) == separator })
        else { throw Failure(description: "no HTTP answer from \(url)") }
        let head = String(decoding: response[..<split], as: UTF8.self).components(separatedBy: "\r\n")
        var body = Array(response[(split + 4)...])
        let statusLine = head.first?.split(separator: " ") ?? []
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else {
            throw Failure(description: "bad status line from \(url)")
        }
        var fields: [String: String] = [:]
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        if fields["transfer-encoding"]?.lowercased() == "chunked" { body = dechunk(body) }
        return (status, String(decoding: body, as: UTF8.self), fields)
    }

    static func dechunk(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var index = 0
        while index < data.count {
            guard let lineEnd = (index..<data.count - 1).first(where: { data[$0] == 13 && data[$0 + 1] == 10 }),
                let size = Int(String(decoding: data[index..<lineEnd], as: UTF8.self).prefix { $0 != ";" }, radix: 16),
                size > 0
            else { break }
            let start = lineEnd + 2
            out += data[start..<min(data.count, start + size)]
            index = start + size + 2
        }
        return out
    }

    /// A POST signed with the test secret.
    /// A free loopback port, from the kernel.
    static func freePort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                bind(descriptor, raw, length) == 0 && getsockname(descriptor, raw, &length) == 0
            }
        }
        guard bound else { throw Failure(description: "cannot find a free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    static func signedPost(_ url: String, body: [UInt8], id: String, secret: String = E2EEnvironment.secret) throws
        -> (Int, String, [String: String])
    {
        let signer = StandardWebhooksSigner(secret: try StandardWebhooksSecret(secret))
        let now = Int64(Date().timeIntervalSince1970)
        let headers = [("Content-Type", "application/json")] + signer.headers(id: id, timestamp: now, body: body)
        return try request(url, body: body, headers: headers)
    }
}

/// An answer filled in by another thread.
final class ResultBox: @unchecked Sendable {
    var value: Result<(Int, String, [String: String]), Error>?
}
