import WebhookCore

/// Why a management call failed, in one line a user can act on.
public enum WinkAPIError: Error, Equatable, CustomStringConvertible {
    /// The request did not get an answer (DNS, TLS, timeout, libcurl missing).
    case transport(String)
    /// The token endpoint refused the client credentials.
    case authentication(String)
    /// An answer other than 2xx, with the problem+json's title and detail where the body has them.
    case problem(status: Int, title: String, detail: String?)
    /// The webhook changed at Wink since its version was read (`409` on `If-Match`).
    case staleVersion(id: String, detail: String?)
    /// A 2xx answer that is not what the API documents.
    case unexpected(String)
    /// Something missing locally: credentials, an entity, a base URL.
    case configuration(String)

    public var description: String {
        switch self {
        case .transport(let text): return "cannot reach Wink: \(text)"
        case .authentication(let text): return "Wink refused the client credentials: \(text)"
        case .problem(let status, let title, let detail):
            return "Wink answered \(status) \(title)" + (detail.map { ": \($0)" } ?? "")
        case .staleVersion(let id, let detail):
            return "webhook \(id) was changed at Wink since it was read (409 version mismatch"
                + (detail.map { ": \($0)" } ?? "") + "); run the command again to apply it to the new version"
        case .unexpected(let text): return "unexpected answer from Wink: \(text)"
        case .configuration(let text): return text
        }
    }

    /// The error for a non-2xx `response`: its `application/problem+json` title and detail, else its status.
    static func from(_ response: HTTPResponse) -> WinkAPIError {
        var title = HTTPStatusText.reason(response.status)
        var detail: String?
        if case .object(let members)? = try? JSONParser.parse(response.body) {
            if case .string(let text)? = members["title"] { title = text }
            if case .string(let text)? = members["detail"] { detail = text }
        } else if !response.body.isEmpty, response.body.count <= 200 {
            detail = String(decoding: response.body, as: UTF8.self).trimmingWhitespace()
        }
        return .problem(status: response.status, title: title, detail: detail)
    }
}

/// Reason phrases for the statuses the API documents.
enum HTTPStatusText {
    static func reason(_ status: Int) -> String {
        switch status {
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 409: return "Conflict"
        case 415: return "Unsupported Media Type"
        case 429: return "Too Many Requests"
        case 500: return "Internal Server Error"
        case 503: return "Service Unavailable"
        default: return "HTTP \(status)"
        }
    }
}
