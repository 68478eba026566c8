/// The request pipeline, pure: head and body in, a decision out. Each step's answer is fixed:
///
/// 1. no webhook at the path → 404
/// 2. client address outside the webhook's `allow_from` → 403
/// 3. webhook disabled → 503 + `Retry-After` (a pause: nothing written, the sender retries)
/// 4. method other than POST → 405 + `Allow: POST`
/// 5. declared body over the limit → 413 (before reading it)
/// 6. content type present and not JSON → 415
/// 7. body shorter than its declared length → 400 `incomplete_body` (nothing stored)
/// 8. no verification method passes → 401, one generic body (decided on the head alone when it can,
///    so an unauthenticated request costs no body read and no MAC)
/// 9. body not a JSON object → 400, raw bytes kept once as a rejected delivery
/// 10. otherwise → store (duplicates, unsubscribed and unknown keys included) → 200 `{"ok":true}`
public struct WebhookPipeline: Sendable {
    /// Webhooks by path.
    public let webhooks: [WebhookEndpoint]
    /// Shared limits.
    public let settings: PipelineSettings
    private let router: EventRouter
    /// `webhooks[i].path`, normalized once.
    private let basePaths: [String]
    /// What of a body the steps after it read.
    private let projection: JSONProjection

    /// Creates a pipeline.
    /// - Throws: `PipelineConfigurationError` when two webhooks share a name or a path.
    public init(webhooks: [WebhookEndpoint], settings: PipelineSettings, router: EventRouter)
        throws(PipelineConfigurationError)
    {
        var names: Set<String> = []
        var paths: Set<String> = []
        for webhook in webhooks {
            guard names.insert(webhook.name).inserted else {
                throw PipelineConfigurationError(reason: "two webhooks are named \"\(webhook.name)\"")
            }
            guard paths.insert(WebhookPipeline.normalized(webhook.path)).inserted else {
                throw PipelineConfigurationError(reason: "two webhooks use the path \(webhook.path)")
            }
        }
        self.webhooks = webhooks
        self.settings = settings
        self.router = router
        self.basePaths = webhooks.map { WebhookPipeline.normalized($0.path) }
        self.projection = .eventBody(router: router)
    }

    /// Steps 1–7 as far as the head allows: what can be decided before reading the body.
    public func preflight(_ head: RequestHead, now: Timestamp) -> Preflight {
        switch admit(head) {
        case .failure(let refusal):
            return .respond(refusal.outcome)
        case .success(let (webhook, _)):
            if case .failed(let failure) = webhook.authenticator.check(head, now: now) {
                return .respond(unauthorized(webhook, failure))
            }
            return .readBody(limit: settings.bodyLimit)
        }
    }

    /// All steps, for a request whose body has been read (at most `limit + 1` bytes).
    public func process(_ request: WebhookRequest) -> Decision {
        let webhook: WebhookEndpoint
        var suffix: String?
        switch admit(request.head) {
        case .failure(let refusal): return .respond(refusal.outcome)
        case .success(let admitted): (webhook, suffix) = admitted
        }
        guard request.body.count <= settings.bodyLimit else {
            return .respond(
                Outcome(
                    .contentTooLarge, webhook: webhook.name, "body is over the limit of \(settings.bodyLimit) bytes",
                    severity: .warning))
        }
        if let declared = request.head.contentLength, request.body.count < declared {
            // Not the sender's bytes: nothing to verify, keep or store. The sender retries.
            return .respond(
                Outcome(
                    .incompleteBody, webhook: webhook.name,
                    "body ended after \(request.body.count) of \(declared) declared bytes; nothing stored",
                    severity: .warning))
        }
        let sender: VerifiedSender
        do {
            sender = try webhook.authenticator.verify(request, now: request.receivedAt)
        } catch {
            return .respond(unauthorized(webhook, error))
        }
        if sender.tokenInPath { suffix = suffix.map(WebhookPipeline.droppingLastSegment) }
        let headers = HeaderArchive.archive(
            request.head.headers, dropping: webhook.authenticator.credentialHeaders, redactions: sender.redactions)
        let hash = DeliveryIdentity.sha256Hex(request.body)
        let body: JSONValue
        do {
            body = try JSONParser.parse(request.body, keeping: projection)
        } catch {
            return reject(request, webhook, sender, headers, hash, reason: "body is not JSON: \(error)")
        }
        guard case .object = body else {
            return reject(request, webhook, sender, headers, hash, reason: "body is JSON but not an object")
        }
        let resolution = webhook.resolver.resolve(body: body, headers: request.head.headers, pathSuffix: suffix)
        let subscribed = webhook.subscribes(to: resolution.key)
        let derived = EventDerivation(
            body: body, key: resolution.key, webhook: webhook.name, receivedAt: request.receivedAt,
            fallbackEntity: webhook.entity?.identifier, router: router, subscribed: subscribed)
        let delivery = Delivery(
            webhook: webhook.name,
            dedupeKey: DeliveryIdentity.dedupeKey(signedID: sender.deliveryID, body: body, bodySHA256: hash),
            eventKey: resolution.key, sentKey: resolution.sentAs,
            disposition: subscribed ? .stored : .ignored, receivedAt: request.receivedAt,
            headers: headers, body: request.body, bodySHA256: hash, points: derived.points,
            dimensions: derived.dimensions, booking: derived.booking)
        return .store(delivery)
    }

    /// `path` as it may be logged. Below a webhook that takes a token in the path, every segment after
    /// the webhook's own path that is not an event key is masked (wherever the token was put); for a
    /// path no webhook serves, every long opaque segment (it may be a token sent to the wrong place).
    public func loggablePath(_ path: String) -> String {
        if let (webhook, suffix) = match(path) {
            guard webhook.authenticator.readsPathToken, suffix != nil else { return path }
            let segments = path.split(separator: "/", omittingEmptySubsequences: false)
            let base = WebhookPipeline.normalized(webhook.path).split(separator: "/").count
            var kept = 0
            return segments.map { segment -> String in
                if !segment.isEmpty { kept += 1 }
                guard kept > base, !segment.isEmpty, EventKey(String(segment)) == nil else { return String(segment) }
                return "***"
            }.joined(separator: "/")
        }
        return path.split(separator: "/", omittingEmptySubsequences: false).map { segment in
            segment.utf8.count >= URLTokenVerifier.minimumLength && EventKey(String(segment)) == nil
                ? "***" : String(segment)
        }.joined(separator: "/")
    }

    /// The answer that ends a request at steps 1–6.
    private struct Refusal: Error {
        let outcome: Outcome
    }

    /// Steps 1–6 on the head alone: the webhook and the path after its own, or the answer to give.
    private func admit(_ head: RequestHead) -> Result<(WebhookEndpoint, String?), Refusal> {
        guard let (webhook, suffix) = match(head.path) else {
            return .failure(Refusal(outcome: Outcome(.notFound, webhook: nil, "no webhook at this path")))
        }
        if let reason = webhook.source.refusal(head) {
            return .failure(Refusal(outcome: Outcome(.forbidden, webhook: webhook.name, reason, severity: .warning)))
        }
        guard webhook.enabled else {
            return .failure(
                Refusal(
                    outcome: Outcome(
                        .unavailable(retryAfter: settings.retryAfterSeconds, code: "webhook_disabled"),
                        webhook: webhook.name, "webhook is disabled; answered 503 so the sender retries later",
                        severity: .warning)))
        }
        guard head.method == "POST" else {
            return .failure(
                Refusal(
                    outcome: Outcome(.methodNotAllowed, webhook: webhook.name, "method \(head.method) is not POST")))
        }
        if let length = head.contentLength, length > settings.bodyLimit {
            return .failure(
                Refusal(
                    outcome: Outcome(
                        .contentTooLarge, webhook: webhook.name,
                        "declared body of \(length) bytes is over the limit of \(settings.bodyLimit)",
                        severity: .warning)))
        }
        if let type = head.contentType, !WebhookPipeline.isJSON(type) {
            return .failure(
                Refusal(
                    outcome: Outcome(
                        .unsupportedMediaType, webhook: webhook.name, "content type \(type.prefix(100)) is not JSON")))
        }
        return .success((webhook, suffix))
    }

    private func unauthorized(_ webhook: WebhookEndpoint, _ failure: VerificationFailure) -> Outcome {
        Outcome(
            .unauthorized(challenges: webhook.authenticator.challenges), webhook: webhook.name,
            "authentication failed: \(failure)", severity: .warning)
    }

    private func reject(
        _ request: WebhookRequest, _ webhook: WebhookEndpoint, _ sender: VerifiedSender, _ headers: JSONValue,
        _ hash: String, reason: String
    ) -> Decision {
        let rejected = RejectedDelivery(
            webhook: webhook.name, dedupeKey: DeliveryIdentity.rejectionKey(deliveryID: sender.deliveryID, hash: hash),
            receivedAt: request.receivedAt, reason: reason, headers: headers, body: request.body)
        return .reject(rejected, WebhookPipeline.badRequest(webhook, sender, reason))
    }

    /// 400 for an authentic body; Standard Webhooks senders are told not to retry it.
    static func badRequest(_ webhook: WebhookEndpoint, _ sender: VerifiedSender, _ reason: String) -> Outcome {
        let abort = sender.scheme == "standard-webhooks" ? [(name: "webhook-delivery", value: "abort-message")] : []
        return Outcome(.badRequest(headers: abort), webhook: webhook.name, reason, severity: .warning)
    }

    static func droppingLastSegment(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "" }
        return String(path[..<slash])
    }

    /// The webhook serving `path` and the rest of the path after it (for a key in the URL).
    public func match(_ path: String) -> (WebhookEndpoint, String?)? {
        let path = WebhookPipeline.normalized(path)
        var best: (WebhookEndpoint, String?)?
        var bestLength = -1
        for (webhook, base) in zip(webhooks, basePaths) {
            let length = base.utf8.count
            if path == base, length > bestLength {
                best = (webhook, nil)
                bestLength = length
            } else if path.hasPrefix(base == "/" ? "/" : base + "/"), length > bestLength {
                best = (webhook, String(path.dropFirst(base.count)))
                bestLength = length
            }
        }
        return best
    }

    static func normalized(_ path: String) -> String {
        var p = path
        // On the bytes: a trailing `/` is dropped alone, whatever character comes before it.
        while p.utf8.count > 1, p.utf8.last == UInt8(ascii: "/") {
            p = String(decoding: p.utf8.dropLast(), as: UTF8.self)
        }
        return p.isEmpty ? "/" : p
    }

    /// `application/json`, `application/*+json` and `text/json`, with any parameters.
    /// Whether a `Content-Type` names JSON: `application/json`, `text/json` or `application/…+json`, in any
    /// case, parameters after `;` ignored. On the bytes: this runs for every request.
    static func isJSON(_ contentType: String) -> Bool {
        var contentType = contentType
        if let ascii = contentType.withUTF8(WebhookPipeline.isJSONMedia) { return ascii }
        let bytes = contentType.utf8
        let end = bytes.firstIndex(of: UInt8(ascii: ";")) ?? bytes.endIndex
        let media = String(Substring(bytes[..<end])).trimmingWhitespace().lowercased()
        return media == "application/json" || media == "text/json"
            || (media.hasPrefix("application/") && media.hasSuffix("+json"))
    }
}

extension WebhookPipeline {
    /// `isJSON` of an ASCII media type, on its bytes without making a string; `nil` when the type before `;`
    /// is not all ASCII (then Unicode's whitespace and case rules apply, the slow way).
    fileprivate static func isJSONMedia(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool? {
        var end = bytes.firstIndex(of: UInt8(ascii: ";")) ?? bytes.count
        var start = 0
        for k in 0..<end where bytes[k] >= 0x80 { return nil }
        func isSpace(_ c: UInt8) -> Bool { c == 0x20 || (c >= 0x09 && c <= 0x0D) }
        while start < end, isSpace(bytes[start]) { start += 1 }
        while end > start, isSpace(bytes[end - 1]) { end -= 1 }
        let media = UnsafeBufferPointer(rebasing: bytes[start..<end])
        func lower(_ c: UInt8) -> UInt8 { c >= 0x41 && c <= 0x5A ? c + 0x20 : c }
        func matches(_ text: StaticString, at offset: Int) -> Bool {
            let count = text.utf8CodeUnitCount
            guard offset >= 0, offset + count <= media.count else { return false }
            for k in 0..<count where lower(media[offset + k]) != text.utf8Start[k] { return false }
            return true
        }
        if matches("application/json", at: 0) && media.count == 16 { return true }
        if matches("text/json", at: 0) && media.count == 9 { return true }
        return matches("application/", at: 0) && media.count >= 17 && matches("+json", at: media.count - 5)
    }
}

/// The webhook list cannot be served as configured.
public struct PipelineConfigurationError: Error, Sendable, CustomStringConvertible {
    /// What is wrong.
    public var reason: String
    public var description: String { reason }
}
