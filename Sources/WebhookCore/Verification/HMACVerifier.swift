import Crypto

/// The generic HMAC scheme: a header carries a MAC of the signed content (the raw body, or a template
/// such as `{timestamp}.{body}` with a timestamp header checked against a window), in hex or base64,
/// optionally after a prefix (`sha256=`). Covers Shopify-, Twilio-, GitHub- and Wink-"signing
/// secret"-style senders; `github` is this scheme with GitHub's settings.
///
/// One MAC per configured secret per request, compared in constant time with every candidate (a header
/// may list several, separated by commas or spaces; at most 16 are looked at).
public struct HMACVerifier: SignatureVerifier {
    /// The settings of one HMAC scheme.
    public struct Settings: Sendable, Equatable {
        /// The header that carries the signature.
        public var header: String
        public var algorithm: MACAlgorithm
        public var encoding: SignatureEncoding
        /// Text before the encoded MAC, e.g. `sha256=`; matched case-insensitively.
        public var prefix: String
        public var content: SignedContent
        /// The header with the Unix timestamp, required when the content uses `{timestamp}`.
        public var timestampHeader: String?
        /// A header with the sender's delivery id: the idempotency key (and `{id}` in the content).
        public var idHeader: String?
        public var toleranceSeconds: Int64

        /// Creates settings.
        public init(
            header: String, algorithm: MACAlgorithm = .sha256, encoding: SignatureEncoding = .hex,
            prefix: String = "", content: SignedContent = .body, timestampHeader: String? = nil,
            idHeader: String? = nil, toleranceSeconds: Int64 = 300
        ) {
            self.header = header
            self.algorithm = algorithm
            self.encoding = encoding
            self.prefix = prefix
            self.content = content
            self.timestampHeader = timestampHeader
            self.idHeader = idHeader
            self.toleranceSeconds = toleranceSeconds
        }

        /// GitHub: `X-Hub-Signature-256: sha256=<hex>` of the body; `X-GitHub-Delivery` is the delivery id.
        public static let github = Settings(
            header: "X-Hub-Signature-256", prefix: "sha256=", idHeader: "X-GitHub-Delivery")
    }

    public let scheme: String
    public let settings: Settings
    private let keys: [PreparedMACKey]
    private let secrets: [[UInt8]]

    static let maximumCandidates = 16

    /// Creates a verifier; the secrets are the key bytes as given. None makes every request fail.
    public init(scheme: String = "hmac", settings: Settings, secrets: [[UInt8]]) {
        self.scheme = scheme
        self.settings = settings
        self.secrets = secrets
        self.keys = secrets.map { settings.algorithm.prepared(SymmetricKey(data: $0)) }
    }

    public var summary: VerifierSummary {
        var details = "header \(settings.header): \(settings.prefix)<\(settings.encoding) HMAC-"
        details += "\(settings.algorithm.rawValue.uppercased()) of \(settings.content.template)>"
        if let header = settings.timestampHeader {
            details += ", timestamp from \(header) ±\(settings.toleranceSeconds) s"
        }
        if let header = settings.idHeader { details += ", delivery id from \(header)" }
        return VerifierSummary(scheme: scheme, details: details, secretCount: secrets.count)
    }

    public var signer: (any RequestSigner)? {
        secrets.first.map { HMACSigner(settings: settings, secret: $0) }
    }

    public var credentialHeaders: [String] { [settings.header.lowercased()] }

    struct Parts {
        let candidates: [[UInt8]]
        let timestamp: String
        let id: String?
    }

    public func check(_ head: RequestHead, now: Timestamp) -> HeadCheck {
        .needsBody { () throws(VerificationFailure) in _ = try parts(head, now: now) }
    }

    public func verify(_ request: WebhookRequest, now: Timestamp) throws(VerificationFailure) -> VerifiedSender {
        let parts = try parts(request.head, now: now)
        let (prefix, suffix) = settings.content.render(id: parts.id ?? "", timestamp: parts.timestamp)
        let matched = ConstantTime.anyMatches(parts.candidates, keys: keys) { key in
            key.code(prefix: prefix, body: request.body, suffix: suffix)
        }
        guard matched else {
            throw VerificationFailure(
                .noMatchingSignature,
                "none of \(parts.candidates.count) signature(s) in \(settings.header) matched \(keys.count) secret(s)")
        }
        return VerifiedSender(scheme: scheme, deliveryID: parts.id)
    }

    func parts(_ head: RequestHead, now: Timestamp) throws(VerificationFailure) -> Parts {
        guard !keys.isEmpty else { throw VerificationFailure(.noSecrets, "no secret is configured") }
        let value = try head.headers.credential(settings.header)
        var candidates: [[UInt8]] = []
        for entry in value.split(whereSeparator: { $0 == "," || $0 == " " }).prefix(HMACVerifier.maximumCandidates) {
            var text = entry[...]
            if !settings.prefix.isEmpty {
                guard text.lowercased().hasPrefix(settings.prefix.lowercased()) else { continue }
                text = text.dropFirst(settings.prefix.count)
            }
            if let bytes = settings.encoding.decode(text), bytes.count == settings.algorithm.byteCount {
                candidates.append(bytes)
            }
        }
        guard !candidates.isEmpty else {
            throw VerificationFailure(
                .malformedHeader, "\(settings.header) holds no \(settings.prefix)<\(settings.encoding)> MAC")
        }
        var timestamp = ""
        if let header = settings.timestampHeader {
            timestamp = try head.headers.credential(header)
            guard let seconds = UnixTimestamp.parse(timestamp) else {
                throw VerificationFailure(.malformedHeader, "\(header) is not an integer of digits")
            }
            try UnixTimestamp.checkWindow(seconds, now: now, tolerance: settings.toleranceSeconds)
        }
        var id: String?
        if let header = settings.idHeader {
            let values = head.headers.values(header)
            if let first = values.first, !first.isEmpty {
                guard values.count == 1, first.utf8.count <= 256 else {
                    throw VerificationFailure(.malformedHeader, "\(header) is sent twice or longer than 256 bytes")
                }
                id = first
            } else if settings.content.usesID {
                throw VerificationFailure(.missingHeader, "\(header) is missing")
            }
        }
        return Parts(candidates: candidates, timestamp: timestamp, id: id)
    }
}

/// Signs like an `HMACVerifier` with the same settings expects.
public struct HMACSigner: RequestSigner {
    let settings: HMACVerifier.Settings
    let secret: [UInt8]

    public func sign(id: String, timestamp: Int64, body: [UInt8]) -> SignedRequest {
        let (prefix, suffix) = settings.content.render(id: id, timestamp: String(timestamp))
        let mac = settings.algorithm.code(key: SymmetricKey(data: secret), prefix: prefix, body: body, suffix: suffix)
        var headers = [(name: settings.header, value: settings.prefix + settings.encoding.encode(mac))]
        if let header = settings.timestampHeader { headers.append((header, String(timestamp))) }
        if let header = settings.idHeader { headers.append((header, id)) }
        return SignedRequest(headers: headers)
    }
}
