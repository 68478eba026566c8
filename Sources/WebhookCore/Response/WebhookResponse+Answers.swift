extension WebhookResponse {
    /// 200 `{"ok":true}`: stored, duplicate, ignored or archived alike, so Wink stops retrying.
    public static func ok(_ result: String) -> WebhookResponse {
        WebhookResponse(status: 200, headers: [("Winkhook-Result", result)], body: #"{"ok":true}"#)
    }

    static func error(_ status: Int, _ code: String, headers: [(name: String, value: String)] = [])
        -> WebhookResponse
    {
        WebhookResponse(status: status, headers: headers, body: #"{"ok":false,"error":"\#(code)"}"#)
    }

    /// 404: no webhook is configured at this path.
    public static let notFound = error(404, "not_found")
    /// 400: the body ended before its declared `Content-Length` (client gone, connection cut).
    public static let incompleteBody = error(400, "incomplete_body")
    /// 403: the client address is not in the webhook's `allow_from`.
    public static let forbidden = error(403, "forbidden")
    /// 405 with `Allow: POST`.
    public static let methodNotAllowed = error(405, "method_not_allowed", headers: [("Allow", "POST")])
    /// 413: the body is over the configured limit.
    public static let contentTooLarge = error(413, "body_too_large")
    /// 415: the content type is not JSON.
    public static let unsupportedMediaType = error(415, "unsupported_media_type")
    /// 401 with one generic body for every authentication failure; the reason goes to the log only.
    public static let unauthorized = error(401, "unauthorized")

    /// 401 with extra headers (HTTP Basic's `WWW-Authenticate` challenge).
    public static func unauthorized(challenges: [(name: String, value: String)]) -> WebhookResponse {
        challenges.isEmpty ? unauthorized : error(401, "unauthorized", headers: challenges)
    }
    /// 400: authenticated, but the body is not a JSON object.
    public static let badRequest = error(400, "invalid_json")

    /// 400 with extra headers (Standard Webhooks senders stop retrying on `webhook-delivery: abort-message`).
    public static func badRequest(headers: [(name: String, value: String)]) -> WebhookResponse {
        headers.isEmpty ? badRequest : error(400, "invalid_json", headers: headers)
    }

    /// 503 with `Retry-After`: a pause (webhook disabled) or storage unavailable. Nothing acknowledged.
    public static func unavailable(retryAfter: Int, code: String) -> WebhookResponse {
        error(503, code, headers: [("Retry-After", String(retryAfter))])
    }
}
