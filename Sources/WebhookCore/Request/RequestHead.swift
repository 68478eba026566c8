/// What is known of a request before its body is read.
public struct RequestHead: Sendable, Equatable {
    /// The HTTP method, upper case.
    public var method: String
    /// The path without the query string.
    public var path: String
    /// `Content-Type` as sent, if any.
    public var contentType: String?
    /// `Content-Length` when declared and well-formed; `nil` when absent (chunked or unknown).
    public var contentLength: Int?
    /// All request headers.
    public var headers: HTTPHeaders

    /// Creates a request head.
    public init(
        method: String, path: String, contentType: String? = nil, contentLength: Int? = nil,
        headers: HTTPHeaders = HTTPHeaders()
    ) {
        self.method = method
        self.path = path
        self.contentType = contentType
        self.contentLength = contentLength
        self.headers = headers
    }
}
