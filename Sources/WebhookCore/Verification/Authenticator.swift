/// A webhook's verification methods: a request is authentic when **any** of them passes, so a sender can
/// move from one method to another without downtime. No method at all fails closed.
public struct Authenticator: Sendable {
    /// The methods, in the order they are tried.
    public let methods: [any SignatureVerifier]

    /// Headers for a 401 answer (Basic's challenge, when a method has one).
    public let challenges: [(name: String, value: String)]
    /// Whether a method may take the path's last segment as its credential.
    public let readsPathToken: Bool
    /// Every method's credential headers (lowercase), never archived.
    public let credentialHeaders: Set<String>

    /// Creates an authenticator.
    public init(_ methods: [any SignatureVerifier]) {
        self.methods = methods
        self.challenges = methods.compactMap(\.challenge)
        self.readsPathToken = methods.contains { $0.readsPathToken }
        self.credentialHeaders = Set(methods.flatMap(\.credentialHeaders))
    }

    /// Head-only: `.verified` when a header-only method passes, `.failed` when every method refused,
    /// `.needsBody` otherwise.
    public func check(_ head: RequestHead, now: Timestamp) -> HeadCheck {
        guard !methods.isEmpty else {
            return .failed(VerificationFailure(.noSecrets, "no verification method is usable"))
        }
        var failures: [(String, VerificationFailure)] = []
        var needsBody = false
        for method in methods {
            switch method.check(head, now: now) {
            case .verified(let sender): return .verified(sender)
            case .needsBody: needsBody = true
            case .failed(let failure): failures.append((method.scheme, failure))
            }
        }
        return needsBody ? .needsBody : .failed(Authenticator.combine(failures))
    }

    /// The whole request: the first method that passes.
    /// - Throws: `VerificationFailure` naming each method's reason.
    public func verify(_ request: WebhookRequest, now: Timestamp) throws(VerificationFailure) -> VerifiedSender {
        guard !methods.isEmpty else { throw VerificationFailure(.noSecrets, "no verification method is usable") }
        // `verify` repeats what `check` looks at, so it alone decides here (one parse of the headers).
        var failures: [(String, VerificationFailure)] = []
        for method in methods {
            do {
                return try method.verify(request, now: now)
            } catch {
                failures.append((method.scheme, error))
            }
        }
        throw Authenticator.combine(failures)
    }

    static func combine(_ failures: [(String, VerificationFailure)]) -> VerificationFailure {
        guard failures.count > 1 else {
            return failures.first?.1 ?? VerificationFailure(.noSecrets, "no verification method is usable")
        }
        return VerificationFailure(
            failures[0].1.code, failures.map { "\($0.0): \($0.1)" }.joined(separator: "; "))
    }
}
