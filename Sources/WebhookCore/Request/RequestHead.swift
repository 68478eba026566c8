/// What is known of a request before its body is read.
public struct RequestHead: Sendable, Equatable {
    /// The HTTP method, upper case.
    public var method: String
    /// The path without the query string (as the web server decoded it).
    public var path: String
    /// The query string without `?`, still percent-encoded; empty when there is none.
    /// May carry a URL token: it is never logged or archived.
    public var query: String
    /// `Content-Type` as sent, if any.
    public var contentType: String?
    /// `Content-Length` when declared and well-formed; `nil` when absent (chunked or unknown).
    public var contentLength: Int?
    /// All request headers.
    public var headers: HTTPHeaders
    /// The peer's address as the web server saw it (`REMOTE_ADDR`), if it said.
    public var remoteAddress: String?

    /// Creates a request head.
    public init(
        method: String, path: String, query: String = "", contentType: String? = nil, contentLength: Int? = nil,
        headers: HTTPHeaders = HTTPHeaders(), remoteAddress: String? = nil
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.contentType = contentType
        self.contentLength = contentLength
        self.headers = headers
        self.remoteAddress = remoteAddress
    }

    /// The decoded value of query parameter `name` (first occurrence), if present.
    public func queryParameter(_ name: String) -> String? {
        guard !query.isEmpty else { return nil }
        for pair in query.utf8.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let parts = pair.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
            guard let key = PercentDecoding.decode(parts[0]), key == name else { continue }
            return parts.count > 1 ? PercentDecoding.decode(parts[1]) : ""
        }
        return nil
    }
}
