import Clocks
import Glibc
import WebhookCore

/// Wink's webhook management API (`/api/managing-entity/{id}/webhook…`, `Wink-Version: 2.0`), with an
/// OAuth2 client-credentials token kept until it expires, retries with back-off on 429 and 503 (honouring
/// `Retry-After`), `409` on a stale version and problem+json errors turned into `WinkAPIError`s.
public final class WinkClient {
    public let credentials: WinkCredentials
    let transport: any HTTPTransport
    /// Attempts per call when Wink answers 429 or 503.
    let attempts: Int
    /// The longest wait between attempts, whatever `Retry-After` says.
    let maximumWait: Double
    let sleep: (Double) -> Void
    /// Calls to report (`--verbose`): method, path, status.
    public var trace: ((String) -> Void)?

    private var token: (value: String, expires: Double)?

    public init(
        credentials: WinkCredentials, transport: any HTTPTransport = CurlTransport(), attempts: Int = 4,
        maximumWait: Double = 30, sleep: @escaping (Double) -> Void = WinkClient.sleepSeconds
    ) {
        self.credentials = credentials
        self.transport = transport
        self.attempts = attempts
        self.maximumWait = maximumWait
        self.sleep = sleep
    }

    // MARK: The operations

    /// `GET /webhook/list`: every webhook of `entity`.
    public func list(entity: String) throws(WinkAPIError) -> [WinkWebhook] {
        let json = try call("GET", entity: entity, path: "/webhook/list")
        let items: [JSONValue]
        switch json {
        case .array(let array): items = array
        case .object(let members):
            // Tolerate a page wrapper (`{"content": [...]}` or `{"items": [...]}`).
            guard case .array(let array)? = members["content"] ?? members["items"] ?? members["data"] else {
                throw .unexpected("the webhook list is neither an array nor a page of one")
            }
            items = array
        default: throw .unexpected("the webhook list is neither an array nor a page of one")
        }
        var webhooks: [WinkWebhook] = []
        for item in items { webhooks.append(try WinkWebhook(json: item)) }
        return webhooks
    }

    /// `GET /webhook/{id}`.
    public func show(entity: String, id: String) throws(WinkAPIError) -> WinkWebhook {
        try WinkWebhook(json: try call("GET", entity: entity, path: "/webhook/" + Self.segment(id)))
    }

    /// `POST /webhook`: creates a subscription; `201` with the record.
    public func create(entity: String, _ request: WinkWebhookRequest) throws(WinkAPIError) -> WinkWebhook {
        try WinkWebhook(json: try call("POST", entity: entity, path: "/webhook", body: request.json))
    }

    /// `PATCH /webhook/{id}`, conditional on `version` (`If-Match`) when it is known.
    public func update(entity: String, id: String, version: Int64?, _ request: WinkWebhookRequest)
        throws(WinkAPIError) -> WinkWebhook
    {
        let answer: Result<JSONValue, WinkAPIError> = Result { () throws(WinkAPIError) in
            try call(
                "PATCH", entity: entity, path: "/webhook/" + Self.segment(id), body: request.json, ifMatch: version)
        }
        if case .failure(let error) = answer, case .problem(status: 409, _, let detail) = error {
            throw .staleVersion(id: id, detail: detail)
        }
        return try WinkWebhook(json: try answer.get())
    }

    /// `DELETE /webhook/{id}`: permanent. Returns Wink's message.
    public func remove(entity: String, id: String) throws(WinkAPIError) -> String {
        let json = try call("DELETE", entity: entity, path: "/webhook/" + Self.segment(id))
        if case .bool(false)? = json["success"] {
            throw .unexpected("Wink did not remove \(id): \(json["message"]?.stringValue ?? "no reason given")")
        }
        return json["message"]?.stringValue ?? "removed"
    }

    /// `GET /webhook/event/list`: the subscribable keys.
    public func events(entity: String) throws(WinkAPIError) -> [WinkEventKey] {
        let json = try call("GET", entity: entity, path: "/webhook/event/list")
        guard case .array(let items) = json else { throw .unexpected("the event list is not an array") }
        return items.compactMap { item in
            if let value = item.stringValue { return WinkEventKey(value: value, label: value) }
            guard let value = item["value"]?.stringValue ?? item["key"]?.stringValue else { return nil }
            return WinkEventKey(value: value, label: item["label"]?.stringValue ?? value)
        }
    }

    // MARK: Requests

    /// One API call: bearer token, `Wink-Version: 2.0`, JSON in and out; a `401` gets one new token.
    func call(_ method: String, entity: String, path: String, body: [UInt8]? = nil, ifMatch: Int64? = nil)
        throws(WinkAPIError) -> JSONValue
    {
        guard !entity.isEmpty else {
            throw .configuration("no managing entity: give --entity or set the webhook's entity.identifier")
        }
        let url = credentials.apiURL.trimmingTrailingSlashes() + "/api/managing-entity/" + Self.segment(entity) + path
        var retriedToken = false
        while true {
            var headers = [
                ("Authorization", "Bearer " + (try bearer())), ("Wink-Version", "2.0"), ("Accept", "application/json"),
            ]
            if body != nil { headers.append(("Content-Type", "application/json")) }
            if let ifMatch { headers.append(("If-Match", String(ifMatch))) }
            let response = try sendRetrying(HTTPRequest(method: method, url: url, headers: headers, body: body))
            trace?("\(method) \(path) → \(response.status)")
            if response.status == 401, !retriedToken {
                token = nil
                retriedToken = true
                continue
            }
            guard (200..<300).contains(response.status) else { throw WinkAPIError.from(response) }
            if response.body.allSatisfy({ [0x20, 0x0a, 0x0d, 0x09].contains($0) }) { return .null }
            do {
                return try JSONParser.parse(response.body)
            } catch {
                throw .unexpected("\(method) \(path) answered \(response.status) with a body that is not JSON")
            }
        }
    }

    /// A valid access token: the cached one until 30 s before it expires, else a new one.
    func bearer() throws(WinkAPIError) -> String {
        let now = Self.now()
        if let token, token.expires > now + 30 { return token.value }
        let form = [
            ("grant_type", "client_credentials"), ("scope", credentials.scopes.joined(separator: " ")),
        ].map { Self.formEncode($0.0) + "=" + Self.formEncode($0.1) }.joined(separator: "&")
        let basic = SignatureEncoding.base64.encode(
            Array((Self.formEncode(credentials.clientID) + ":" + Self.formEncode(credentials.clientSecret)).utf8))
        let response = try sendRetrying(
            HTTPRequest(
                method: "POST", url: credentials.tokenURL,
                headers: [
                    ("Authorization", "Basic " + basic), ("Content-Type", "application/x-www-form-urlencoded"),
                    ("Accept", "application/json"),
                ], body: Array(form.utf8)))
        trace?("POST token → \(response.status)")
        guard (200..<300).contains(response.status) else {
            if [400, 401, 403].contains(response.status) {
                let parsed = try? JSONParser.parse(response.body)
                let reason = parsed?["error_description"]?.stringValue ?? parsed?["error"]?.stringValue
                throw .authentication("\(response.status) \(reason ?? HTTPStatusText.reason(response.status))")
            }
            throw WinkAPIError.from(response)
        }
        guard let parsed = try? JSONParser.parse(response.body), let value = parsed["access_token"]?.stringValue,
            !value.isEmpty
        else { throw .unexpected("the token endpoint answered without an access_token") }
        let lifetime = parsed["expires_in"]?.scalarText.flatMap(Double.init) ?? 300
        token = (value, now + lifetime)
        return value
    }

    /// Sends `request`, again after a wait when the answer is 429 or 503: `Retry-After` seconds if given
    /// (at most `maximumWait`), else 1, 2, 4… seconds.
    func sendRetrying(_ request: HTTPRequest) throws(WinkAPIError) -> HTTPResponse {
        var attempt = 1
        while true {
            let response = try transport.send(request)
            guard [429, 503].contains(response.status), attempt < attempts else { return response }
            let backoff = Double(1 << (attempt - 1))
            let wait = min(
                maximumWait, response.header("Retry-After").flatMap { Double($0.trimmingWhitespace()) } ?? backoff)
            trace?("\(request.method) answered \(response.status); trying again in \(wait) s")
            sleep(max(0, wait))
            attempt += 1
        }
    }

    // MARK: Helpers

    public static func sleepSeconds(_ seconds: Double) {
        var request = timespec(tv_sec: Int(seconds), tv_nsec: Int((seconds - seconds.rounded(.down)) * 1e9))
        var remaining = timespec()
        while nanosleep(&request, &remaining) == -1, errno == EINTR { request = remaining }
    }

    static func now() -> Double { Double(SystemClock.monotonicMicros()) / 1e6 }

    /// `text` percent-encoded (unreserved bytes kept); a space as `+` in a form, `%20` in a path.
    static func formEncode(_ text: String, spaceAsPlus: Bool = true) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "*"):
                out.append(Character(Unicode.Scalar(byte)))
            case UInt8(ascii: " ") where spaceAsPlus: out.append("+")
            default: out += "%" + Hex.encode([byte]).uppercased()
            }
        }
        return out
    }

    /// A path segment: ids are uuids, anything else is percent-encoded.
    static func segment(_ text: String) -> String { formEncode(text, spaceAsPlus: false) }
}

extension String {
    fileprivate func trimmingTrailingSlashes() -> String {
        var text = self
        while text.hasSuffix("/") { text.removeLast() }
        return text
    }
}
