/// Why verification failed. The description is safe to log: it never holds a secret or a signature.
public struct VerificationFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// Stable failure codes.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable {
            case missingHeader, malformedHeader, timestampOutsideWindow, noMatchingSignature, noSecrets
            case missingCredential, wrongCredential
        }
        private let base: Base
        public static let missingHeader = Code(base: .missingHeader)
        public static let malformedHeader = Code(base: .malformedHeader)
        public static let timestampOutsideWindow = Code(base: .timestampOutsideWindow)
        public static let noMatchingSignature = Code(base: .noMatchingSignature)
        public static let noSecrets = Code(base: .noSecrets)
        /// No token or Basic credentials in the request.
        public static let missingCredential = Code(base: .missingCredential)
        /// A token or Basic credentials that match nothing configured.
        public static let wrongCredential = Code(base: .wrongCredential)
        public var description: String { base.rawValue }
    }

    /// What kind of failure.
    public var code: Code
    /// A detail for the log (header names, skew in seconds), never secret material.
    public var detail: String

    /// Creates a failure.
    public init(_ code: Code, _ detail: String) {
        self.code = code
        self.detail = detail
    }

    public var description: String { "\(code): \(detail)" }
}
