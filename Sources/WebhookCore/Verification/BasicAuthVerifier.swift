import FoundationEssentials

/// HTTP Basic authentication (`Authorization: Basic base64(user:password)`), e.g. from
/// `https://user:password@host/…` in Wink's `eventUrl`. Several user/password pairs may be configured
/// (rotation); each is compared as a SHA-256 digest in constant time. 401 answers carry
/// `WWW-Authenticate: Basic realm="winkhook"`.
public struct BasicAuthVerifier: SignatureVerifier {
    /// One configured pair.
    public struct Credential: Sendable {
        public var user: String
        public var password: String

        /// Creates a pair.
        public init(user: String, password: String) {
            self.user = user
            self.password = password
        }

        /// Parses a `user:password` line.
        public init?(line: String) {
            guard let colon = line.firstIndex(of: ":"), colon != line.startIndex else { return nil }
            let password = String(line[line.index(after: colon)...])
            guard !password.isEmpty else { return nil }
            self.init(user: String(line[..<colon]), password: password)
        }
    }

    public var scheme: String { "basic" }
    private let digests: [[UInt8]]
    private let first: Credential?

    /// Creates a verifier. No credential makes every request fail.
    public init(credentials: [Credential]) {
        self.digests = credentials.map { ConstantTime.digest("\($0.user):\($0.password)".utf8) }
        self.first = credentials.first
    }

    public var summary: VerifierSummary {
        VerifierSummary(scheme: scheme, details: "Authorization: Basic, realm \"winkhook\"", secretCount: digests.count)
    }

    public var signer: (any RequestSigner)? { first.map(BasicAuthSigner.init(credential:)) }

    public var challenge: (name: String, value: String)? { ("WWW-Authenticate", #"Basic realm="winkhook""#) }

    public func check(_ head: RequestHead, now: Timestamp) -> HeadCheck {
        guard !digests.isEmpty else { return .failed(VerificationFailure(.noSecrets, "no credential is configured")) }
        let values = head.headers.values("authorization")
        guard let value = values.first else {
            return .failed(VerificationFailure(.missingCredential, "no Authorization header"))
        }
        guard values.count == 1, value.utf8.count <= 1024, value.prefix(6).lowercased() == "basic ",
            let decoded = Data(base64Encoded: String(value.dropFirst(6).drop { $0 == " " }))
        else {
            return .failed(VerificationFailure(.malformedHeader, "Authorization is not one Basic credential"))
        }
        guard ConstantTime.matchesAny(ConstantTime.digest(decoded), digests) else {
            return .failed(VerificationFailure(.wrongCredential, "the Basic user or password is wrong"))
        }
        return .verified(VerifiedSender(scheme: scheme))
    }

    public func verify(_ request: WebhookRequest, now: Timestamp) throws(VerificationFailure) -> VerifiedSender {
        try check(request.head, now: now).sender()
    }
}

/// Adds `Authorization: Basic …`.
public struct BasicAuthSigner: RequestSigner {
    let credential: BasicAuthVerifier.Credential

    public func sign(id: String, timestamp: Int64, body: [UInt8]) -> SignedRequest {
        let text = Data("\(credential.user):\(credential.password)".utf8).base64EncodedString()
        return SignedRequest(headers: [("Authorization", "Basic " + text)])
    }
}
