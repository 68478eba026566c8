/// The answer to a request: a status, a few headers and a small JSON body.
///
/// Bodies never carry a secret, a signature, SQL or a stack: only the fixed texts below.
public struct WebhookResponse: Sendable, Equatable {
    /// The HTTP status code.
    public var status: Int
    /// Extra headers (Content-Type is always `application/json`).
    public var headers: [(name: String, value: String)]
    /// The body, UTF-8 JSON.
    public var body: String

    /// Creates a response.
    public init(status: Int, headers: [(name: String, value: String)] = [], body: String) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public static func == (lhs: WebhookResponse, rhs: WebhookResponse) -> Bool {
        lhs.status == rhs.status && lhs.body == rhs.body
            && lhs.headers.elementsEqual(rhs.headers) { $0.name == $1.name && $0.value == $1.value }
    }

    /// The reason phrase of `status`.
    public var reasonPhrase: String {
        switch status {
        case 200: "OK"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 413: "Content Too Large"
        case 415: "Unsupported Media Type"
        case 500: "Internal Server Error"
        case 503: "Service Unavailable"
        default: "Status"
        }
    }

    /// The value of header `name`, if set.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
}
